"""An application for funding as plain data, parsed and validated from its JSON form (DESIGN §6).

Validation here is about the input's shape (types, required fields, non-negative numbers). What
the policy makes of the values (an unknown scenario, too few functions) is a finding, not an
input error; see :mod:`linli.policy.evaluator`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from linli.policy.vocabulary import (
    CATEGORIES,
    CONSTRUCTIONS,
    KINDS,
    SCENARIOS,
    display,
    resolve,
    zh,
)


class ApplicationInputError(ValueError):
    """Invalid application input; the message starts with the offending field's path."""


@dataclass(frozen=True)
class Capacity:
    """Declared capacity of one function (counts; ``None`` when not declared)."""

    beds: int | None = None
    nursing_beds: int | None = None
    infant_slots: int | None = None
    seats: int | None = None


@dataclass(frozen=True)
class Function:
    """One service function of the facility, with its declared category."""

    scenario: str
    category: str
    floor_area_m2: Decimal | None = None
    investment_cny: Decimal | None = None
    capacity: Capacity = Capacity()


@dataclass(frozen=True)
class Community:
    """Figures of the community the facility serves; ``service_area_m2`` is before this project."""

    households: int
    population: int
    service_area_m2: Decimal


@dataclass(frozen=True)
class Override:
    """The written justification recorded for an ``override``-severity rule (原则上)."""

    rule: str
    reason: str


@dataclass(frozen=True)
class Application:
    """A facility project applying for funding."""

    name: str
    city: str
    kind: str
    construction: str
    gross_floor_area_m2: Decimal
    total_investment_cny: Decimal
    functions: tuple[Function, ...]
    resident_activity_area_m2: Decimal | None = None
    inclusive_subsidy_rate: Decimal | None = None
    community: Community | None = None
    overrides: tuple[Override, ...] = ()
    government_built: bool = False  # 政府建设 (121号 三(十)): the 5-year land-use provision

    def justification(self, rule_id: str) -> str | None:
        """The first non-blank justification recorded for ``rule_id``, if any."""
        for override in self.overrides:
            if override.rule == rule_id and override.reason.strip():
                return override.reason.strip()
        return None

    @property
    def itemised(self) -> bool:
        """Whether every function states its own investment (else it is shared by floor area)."""
        return all(function.investment_cny is not None for function in self.functions)


def parse_application(data: Any) -> Application:
    """Validate an application in its DESIGN §6 JSON form and return it as plain data.

    Numbers may be ``int``, ``Decimal`` or ``float`` (converted through ``str`` so that 0.1
    stays 0.1), each within a bound far above any real project (:data:`BOUNDS`); unknown keys
    are ignored. Scenarios, categories, kinds and construction types may be given by code or
    by the texts' Chinese name (养老服务, 基本公共服务类, 综合体, 存量设施改造), in any width,
    case or spacing; a scenario no vocabulary knows is kept as written for the evaluator.

    Raises
    ------
    ApplicationInputError
        Naming the field, e.g. ``functions[2].floor_area_m2: must be a non-negative number``.
    """
    root = _mapping(data, "application")
    functions = tuple(
        _function(item, f"functions[{i}]")
        for i, item in enumerate(_list(_required(root, "functions", ""), "functions"))
    )
    application = Application(
        name=_string(_required(root, "name", ""), "name"),
        city=_string(_required(root, "city", ""), "city"),
        kind=_code(_required(root, "kind", ""), KINDS, "kind"),
        construction=_code(_required(root, "construction", ""), CONSTRUCTIONS, "construction"),
        gross_floor_area_m2=_area(
            _required(root, "gross_floor_area_m2", ""), "gross_floor_area_m2"
        ),
        total_investment_cny=_amount(
            _required(root, "total_investment_cny", ""), "total_investment_cny"
        ),
        functions=functions,
        resident_activity_area_m2=_optional(root, "resident_activity_area_m2", _area, ""),
        inclusive_subsidy_rate=_optional(root, "inclusive_subsidy_rate", _rate, ""),
        community=_optional(root, "community", _community, ""),
        overrides=tuple(
            _override(item, f"overrides[{i}]")
            for i, item in enumerate(_list(root.get("overrides", []), "overrides"))
        ),
        government_built=_optional(root, "government_built", _bool, "") or False,
    )
    _check_pro_rata_basis(application)
    return application


def _check_pro_rata_basis(application: Application) -> None:
    """Sharing ``total_investment_cny`` by floor area needs every function's area, not all zero."""
    if application.itemised:
        return
    for i, function in enumerate(application.functions):
        if function.floor_area_m2 is None:
            raise ApplicationInputError(
                f"functions[{i}].floor_area_m2: required when not every function has "
                "investment_cny (total_investment_cny is shared by floor area)"
            )
    if not any(function.floor_area_m2 for function in application.functions):
        raise ApplicationInputError(
            "functions: floor_area_m2 must not all be 0 when total_investment_cny "
            "is shared by floor area"
        )


def _function(data: Any, path: str) -> Function:
    item = _mapping(data, path)
    return Function(
        scenario=_scenario(_required(item, "scenario", path), f"{path}.scenario"),
        category=_code(_required(item, "category", path), CATEGORIES, f"{path}.category"),
        floor_area_m2=_optional(item, "floor_area_m2", _area, path),
        investment_cny=_optional(item, "investment_cny", _amount, path),
        capacity=_optional(item, "capacity", _capacity, path) or Capacity(),
    )


def _capacity(data: Any, path: str) -> Capacity:
    item = _mapping(data, path)
    return Capacity(
        **{
            key: _optional(item, key, _count, path)
            for key in ("beds", "nursing_beds", "infant_slots", "seats")
        }
    )


def _community(data: Any, path: str) -> Community:
    item = _mapping(data, path)
    return Community(
        households=_count(_required(item, "households", path), f"{path}.households"),
        population=_count(_required(item, "population", path), f"{path}.population"),
        service_area_m2=_area(_required(item, "service_area_m2", path), f"{path}.service_area_m2"),
    )


def _override(data: Any, path: str) -> Override:
    item = _mapping(data, path)
    return Override(
        rule=display(_string(_required(item, "rule", path), f"{path}.rule")),
        reason=_text(_required(item, "reason", path), f"{path}.reason"),
    )


def _join(parent: str, key: str) -> str:
    return f"{parent}.{key}" if parent else key


def _required(data: Mapping[str, Any], key: str, parent: str) -> Any:
    if data.get(key) is None:
        raise ApplicationInputError(f"{_join(parent, key)}: is required")
    return data[key]


def _optional(data: Mapping[str, Any], key: str, parse: Any, parent: str) -> Any:
    value = data.get(key)
    return None if value is None else parse(value, _join(parent, key))


def _mapping(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ApplicationInputError(f"{path}: must be an object")
    return value


def _list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise ApplicationInputError(f"{path}: must be a list")
    return value


def _text(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise ApplicationInputError(f"{path}: must be a string")
    return value


def _string(value: Any, path: str) -> str:
    if not _text(value, path).strip():
        raise ApplicationInputError(f"{path}: must be a non-empty string")
    return value.strip()


def _bool(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise ApplicationInputError(f"{path}: must be true or false")
    return value


def _code(value: Any, allowed: Mapping[str, Any], path: str) -> str:
    code = resolve(allowed, value) if isinstance(value, str) else None
    if code is None:
        names = ", ".join(f"{c} ({zh(allowed, c)})" for c in allowed)
        raise ApplicationInputError(f"{path}: must be one of {names}, not {value!r}")
    return code


def _scenario(value: Any, path: str) -> str:
    """A scenario's code when the name is one of the 9 (by code or Chinese name); otherwise the
    name as written (normalised for display) for the evaluator to judge against the pack."""
    text = _string(value, path)
    if len(text) > MAX_NAME:
        raise ApplicationInputError(f"{path}: must be at most {MAX_NAME} characters")
    code = resolve(SCENARIOS, text)
    if code is not None:
        return code
    shown = display(text)
    if not shown:
        raise ApplicationInputError(f"{path}: must be a non-empty string")
    return shown


MAX_NAME = 200
# Sane bounds, far above any project and low enough that every figure derived from them stays
# exact within Decimal's 28 digits: 10¹² 元 (一万亿元, 20 000 times Beijing's cap), 10⁸ m²
# (100 km² of floor), 10⁹ households, people or places; a rate is a share, at most 1.
MAX_AMOUNT_CNY = Decimal(10) ** 12
MAX_AREA_M2 = Decimal(10) ** 8
MAX_COUNT = Decimal(10) ** 9
MAX_RATE = Decimal(1)
MAX_NUMBER = MAX_AMOUNT_CNY  # the largest number any field accepts (the API schema's maximum)
# Finer than any measure (0.000 000 01 元 or m²): refused, so that shares of tiny figures stay
# within Decimal's digits.
MAX_PLACES = 8
PLACES = Decimal(1).scaleb(-MAX_PLACES)
BOUNDS = {"amount": MAX_AMOUNT_CNY, "area": MAX_AREA_M2, "count": MAX_COUNT, "rate": MAX_RATE}


def _decimal(value: Any, path: str, bound: Decimal = MAX_NUMBER, unit: str = "") -> Decimal:
    """A finite non-negative number up to ``bound`` as Decimal; floats go through ``str`` to
    keep 0.1 exact."""
    limit = f"{bound:,f}{unit}"
    error = ApplicationInputError(f"{path}: must be a non-negative number up to {limit}")
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise error
    if isinstance(value, float) and not math.isfinite(value):
        raise error
    if isinstance(value, int) and value.bit_length() > 128:
        raise error  # 10^4300-digit integers: refuse before converting
    try:
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, ValueError):
        raise error from None
    if not number.is_finite() or number < 0:
        raise error
    if number > bound:
        raise ApplicationInputError(
            f"{path}: {number:E} is above the largest accepted value {limit}; "
            "check the unit (元, m²) and the number of digits"
        )
    if number.as_tuple().exponent < -MAX_PLACES and number != number.quantize(PLACES):
        raise ApplicationInputError(f"{path}: must have at most {MAX_PLACES} decimal places")
    return number


def _amount(value: Any, path: str) -> Decimal:
    return _decimal(value, path, MAX_AMOUNT_CNY, " CNY")


def _area(value: Any, path: str) -> Decimal:
    return _decimal(value, path, MAX_AREA_M2, " m²")


def _rate(value: Any, path: str) -> Decimal:
    return _decimal(value, path, MAX_RATE)


def _count(value: Any, path: str) -> int:
    number = _decimal(value, path, MAX_COUNT)
    if number != number.to_integral_value():
        raise ApplicationInputError(f"{path}: must be a non-negative whole number")
    return int(number)
