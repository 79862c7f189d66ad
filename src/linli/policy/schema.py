"""The pack format as pydantic models: what each key of a pack file may hold.

Every pack file is validated on its own against :class:`PackFile` before inheritance is
resolved, so that an unknown key (a typo), a wrong type (``minimum = "4"``) or a number out of
range is refused at load, naming the file, the key and the reason. Every model forbids unknown
keys and coerces nothing: a string is never read as a number, a float never as a whole number.

A child pack states only what differs from its parent, so every key is optional here; which keys
the resolved pack must have is checked after the merge (:mod:`linli.policy.pack`). The params of
a rule are checked against the model of its ``check`` (:data:`PARAMS`) once the merge has told
which check that is.

``linli policy schema`` prints the JSON Schema of :class:`PackFile` for editors and other tools.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from linli.policy.vocabulary import CATEGORIES, CONFIDENCES, CONSTRUCTIONS, KINDS, SCENARIOS

__all__ = ["PARAMS", "PackFile", "ValidationError", "describe_errors"]

# The largest amount a pack may set (元): far above any cap a city sets, within Decimal's digits.
MAX_PACK_AMOUNT_CNY = Decimal(10) ** 12


def _number(value: Any) -> Any:
    """Whole numbers and TOML floats (read as ``Decimal``) are numbers; bool and text are not."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError("must be a number (not text, not true/false)")
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        raise ValueError("must be a finite number")
    return number


def _whole(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("must be a whole number (not text, not a decimal)")
    return value


Number = Annotated[Decimal, BeforeValidator(_number)]
Share = Annotated[Decimal, BeforeValidator(_number), Field(ge=0, le=1)]
Whole = Annotated[int, BeforeValidator(_whole)]
Text = Annotated[str, StringConstraints(strip_whitespace=False, min_length=1, pattern=r"\S")]
Confidence = Literal[tuple(CONFIDENCES)]  # type: ignore[valid-type]
Scenario = Literal[tuple(SCENARIOS)]  # type: ignore[valid-type]
Category = Literal[tuple(CATEGORIES)]  # type: ignore[valid-type]
Kind = Literal[tuple(KINDS)]  # type: ignore[valid-type]
Construction = Literal[tuple(CONSTRUCTIONS)]  # type: ignore[valid-type]
Severity = Literal["error", "override", "warning", "info"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class _Cited(_Model):
    source: Text | None = None
    confidence: Confidence | None = None


class SourceDocument(_Model):
    title: Text
    number: Text | None = None
    issued: date | None = None
    confidence: Confidence
    note: Text | None = None


class Standard(_Cited):
    value: Annotated[Decimal, BeforeValidator(_number), Field(ge=0, le=10**9)] | None = None
    unit: Text | None = None


class ScenarioEntry(_Model):
    categories: list[Category] | None = Field(default=None, min_length=1)


class RuleEntry(_Cited):
    check: Text | None = None
    severity: Severity | None = None
    title_zh: Text | None = None
    title_en: Text | None = None
    quote: Text | None = None
    params: dict[str, Any] | None = None
    kinds: list[Kind] | None = Field(default=None, min_length=1)
    constructions: list[Construction] | None = Field(default=None, min_length=1)


class Subsidy(_Cited):
    basic_public_rate: Share | None = None
    inclusive_rate_min: Share | None = None
    inclusive_rate_max: Share | None = None
    inclusive_rate_default: Share | None = None
    cap_cny: (
        Annotated[Decimal, BeforeValidator(_number), Field(ge=0, le=MAX_PACK_AMOUNT_CNY)] | None
    ) = None


class FundingStep(_Model):
    code: Text
    name_zh: Text
    name_en: Text
    source: Text


PriceUnit = Literal[
    "per_visit", "per_meal", "per_hour", "per_day", "per_month", "per_session"
]  # fmt: skip
PackAmount = Annotated[Decimal, BeforeValidator(_number), Field(ge=0, le=MAX_PACK_AMOUNT_CNY)]


class Pricing(_Cited):
    """The inclusive-price check (linli.policy.pricing): the margin on cost, reference prices."""

    reasonable_margin: Annotated[Decimal, BeforeValidator(_number), Field(ge=0, le=10)] | None = (
        None
    )
    references: dict[Scenario, dict[PriceUnit, PackAmount]] | None = None
    references_meta: _Cited | None = None


class Monitoring(_Cited):
    """``[monitoring]``: when an opened facility is held to its application's promise."""

    months_after_opening: Annotated[Whole, Field(ge=1, le=120)] | None = None
    min_use_share: Share | None = None
    min_coverage_share: Share | None = None
    max_opening_delay_days: Annotated[Whole, Field(ge=0, le=3650)] | None = None
    min_mean_stars: Annotated[Number, Field(ge=1, le=5)] | None = None


class Pilots(_Cited):
    designated_by: Literal["city", "district"] | None = None


class Milestone(_Model):
    """A construction milestone and the cumulative share of the approved subsidy that may be
    released once it is reached and verified (资金下达 by 工程进度)."""

    code: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
    name_zh: Text
    name_en: Text
    cumulative_share: Share


class Release(_Cited):
    """``[release]``: release of the subsidy by construction progress, milestones in order."""

    milestones: list[Milestone] | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> Release:
        if not self.milestones:
            return self
        codes = [m.code for m in self.milestones]
        if len(set(codes)) != len(codes):
            raise ValueError("milestone codes must be unique")
        shares = [m.cumulative_share for m in self.milestones]
        if any(later < earlier for earlier, later in zip(shares, shares[1:], strict=False)):
            raise ValueError("cumulative_share must not decrease from one milestone to the next")
        if shares[-1] != 1:
            raise ValueError(
                "the last milestone must release the whole subsidy (cumulative_share = 1)"
            )
        return self


class Review(_Cited):
    """``[review]``: numbers the funding flow's reviewers work with."""

    # 原则上 exceptions: the shortest reason, in characters other than blanks and punctuation.
    exception_reason_min_chars: Annotated[Whole, Field(ge=1, le=2000)] | None = None
    # 可研批复 plausibility: an approved investment further than this share from the applied one
    # (|approved − applied| / applied) needs a written reason.
    approved_investment_deviation_max: (
        Annotated[Decimal, BeforeValidator(_number), Field(ge=0, le=10)] | None
    ) = None


class FundingChannel(_Cited):
    """``[funding_channels.<code>]``: a source of money an application may draw on
    (121号 三(八))."""

    name_zh: Text | None = None
    name_en: Text | None = None


class PackFile(_Model):
    """One pack file as written (a child states only what differs from its parent)."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]
    extends: Text | None = None
    title_zh: Text | None = None
    title_en: Text | None = None
    jurisdiction: Text | None = None
    city_zh: Text | None = None
    status: Literal["final", "draft"] | None = None
    effective_from: date | None = None
    sources: list[SourceDocument] | None = None
    scenarios: dict[Scenario, ScenarioEntry] | None = None
    # Services the pack's text lists by a name that is none of the 9 scenarios (121号's 养老托育,
    # which covers two of them): such a function is listed, and counts, but earns no subsidy.
    listed_services: list[Text] | None = None
    rules: dict[Annotated[str, StringConstraints(pattern=r"^[a-z0-9_.]+$")], RuleEntry] | None = (
        None
    )
    subsidy: Subsidy | None = None
    funding_steps: list[FundingStep] | None = None
    pilots: Pilots | None = None
    release: Release | None = None
    review: Review | None = None
    funding_channels: (
        dict[Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")], FundingChannel] | None
    ) = None
    pricing: Pricing | None = None
    monitoring: Monitoring | None = None
    life_circles: dict[str, Standard] | None = None
    area_standards: dict[str, Standard] | None = None
    capacity_ratios: dict[str, Standard] | None = None
    priority_weights: dict[str, Standard] | None = None
    # Residents' participation (linli.participation): public_notice_days, the 公示 period.
    participation: dict[Literal["public_notice_days"], Standard] | None = None


# --- rule params, per check --------------------------------------------------------------------


class NoParams(_Model):
    pass


class ScenarioCountParams(_Model):
    minimum: Annotated[Whole, Field(ge=0, le=9)]
    scenarios: list[Scenario] | None = Field(default=None, min_length=1)


class StandardParams(_Model):
    standard: Annotated[str, StringConstraints(pattern=r"^[a-z_]+\.[A-Za-z0-9_]+$")]


class ConstructionsParams(_Model):
    constructions: list[Construction] = Field(min_length=1)


class YearsParams(_Model):
    years: Annotated[Whole, Field(ge=1, le=100)] | None = None


PARAMS: dict[str, type[_Model]] = {
    "scenario_known": NoParams,
    "category_allowed": NoParams,
    "scenario_count": ScenarioCountParams,
    "floor_area_within_gross": NoParams,
    "investment_within_total": NoParams,
    "gross_floor_area_at_least": StandardParams,
    "community_area_per_households": StandardParams,
    "resident_activity_share": StandardParams,
    "nursing_bed_share": StandardParams,
    "priority_care_capacity": NoParams,
    "construction_allowed": ConstructionsParams,
    "notice": YearsParams,
    "government_built_notice": YearsParams,
}


def _location(loc: tuple[Any, ...], prefix: str) -> str:
    parts = [prefix] if prefix else []
    for part in loc:
        if isinstance(part, int):
            parts[-1 if parts else 0 :] = [f"{parts[-1] if parts else ''}[{part}]"]
        else:
            text = str(part)
            parts.append(f'"{text}"' if "." in text else text)
    return ".".join(parts)


def describe_errors(error: ValidationError, prefix: str = "") -> list[str]:
    """Each validation error as ``key.path: reason`` (the key as it is written in the pack)."""
    lines = []
    for item in error.errors(include_url=False):
        loc = tuple(p for p in item["loc"] if not str(p).startswith("function-") and p != "[key]")
        reason = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            reason = "unknown key (a typo? see docs/policy-packs.md for the keys a pack may have)"
        elif item["type"] == "literal_error":
            expected = item.get("ctx", {}).get("expected", "")
            reason = f"{item['input']!r} is not one of {expected}"
        elif item["type"] == "missing":
            reason = "is required"
        lines.append(f"{_location(loc, prefix) or '(pack)'}: {reason}")
    return lines
