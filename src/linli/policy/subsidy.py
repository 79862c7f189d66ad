"""Capital subsidy by service category, rounded to the fen, with the cap on the total.

Beijing (政策解读 三(二)): 30 % of the investment in basic public functions, up to 30 % of the
investment in inclusive functions, nothing for commercial ones, the two together capped. The
rates and the cap come from the pack's ``[subsidy]`` table.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from linli.policy.application import Application, ApplicationInputError
from linli.policy.pack import PolicyPack, SubsidyScheme

FEN = Decimal("0.01")
ITEMISED = "itemised"
PRO_RATA = "pro_rata_floor_area"


@dataclass(frozen=True)
class Subsidy:
    """Subsidy per category before the cap, the capped total, and how investment was allocated.

    ``cap_cny`` is ``None`` when the pack has no subsidy scheme (all amounts are then zero).
    """

    basic_public_cny: Decimal
    inclusive_cny: Decimal
    commercial_cny: Decimal
    total_cny: Decimal
    cap_cny: Decimal | None
    capped: bool
    allocation: str

    def to_dict(self) -> dict[str, Any]:
        """The DESIGN §6 ``subsidy`` object: amounts as decimal strings with two places."""
        return {
            "basic_public_cny": str(self.basic_public_cny),
            "inclusive_cny": str(self.inclusive_cny),
            "commercial_cny": str(self.commercial_cny),
            "total_cny": str(self.total_cny),
            "cap_cny": None if self.cap_cny is None else str(to_fen(self.cap_cny)),
            "capped": self.capped,
            "allocation": self.allocation,
        }


def to_fen(amount: Decimal) -> Decimal:
    """Round an amount in 元 to the fen, halves up."""
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def function_investments(application: Application) -> tuple[Decimal, ...]:
    """Each function's investment: its own ``investment_cny`` when every function states one,
    otherwise ``total_investment_cny`` shared pro rata by floor area (unrounded)."""
    if application.itemised:
        return tuple(function.investment_cny for function in application.functions)
    area = sum(function.floor_area_m2 for function in application.functions)
    return tuple(
        application.total_investment_cny * function.floor_area_m2 / area
        for function in application.functions
    )


def inclusive_rate(application: Application, pack: PolicyPack) -> Decimal:
    """The rate for inclusive functions: the application's, else the pack default.

    Raises
    ------
    ApplicationInputError
        When the application's rate lies outside the pack's range.
    """
    scheme = pack.subsidy
    rate = application.inclusive_subsidy_rate
    if scheme is None:
        return Decimal(0)
    if rate is None:
        return scheme.inclusive_rate_default
    if rate > scheme.inclusive_rate_max:
        raise ApplicationInputError(
            f"inclusive_subsidy_rate: {rate} is above the maximum {scheme.inclusive_rate_max} "
            f"of policy {pack.id}"
        )
    if rate < scheme.inclusive_rate_min:
        raise ApplicationInputError(
            f"inclusive_subsidy_rate: {rate} is below the minimum {scheme.inclusive_rate_min} "
            f"of policy {pack.id}"
        )
    return rate


def compute_subsidy(application: Application, pack: PolicyPack) -> Subsidy:
    """The subsidy the declared functions would receive under ``pack``.

    Functions whose scenario the pack does not know, or whose declared category it does not
    allow for that scenario, earn nothing. Whether the project may be paid at all is the
    evaluation's ``eligible``.
    """
    rate = inclusive_rate(application, pack)
    allocation = ITEMISED if application.itemised else PRO_RATA
    scheme = pack.subsidy
    if scheme is None:
        zero = Decimal("0.00")
        return Subsidy(zero, zero, zero, zero, None, False, allocation)
    invested = _investment_by_category(application, pack)
    basic = to_fen(scheme.basic_public_rate * invested["basic_public"])
    inclusive = to_fen(rate * invested["inclusive"])
    return _capped(basic, inclusive, scheme, allocation)


def _investment_by_category(application: Application, pack: PolicyPack) -> dict[str, Decimal]:
    invested = {"basic_public": Decimal(0), "inclusive": Decimal(0), "commercial": Decimal(0)}
    for function, amount in zip(
        application.functions, function_investments(application), strict=True
    ):
        if function.category in pack.scenarios.get(function.scenario, ()):
            invested[function.category] += amount
    return invested


def _capped(basic: Decimal, inclusive: Decimal, scheme: SubsidyScheme, allocation: str) -> Subsidy:
    uncapped = basic + inclusive
    return Subsidy(
        basic_public_cny=basic,
        inclusive_cny=inclusive,
        commercial_cny=Decimal("0.00"),
        total_cny=min(uncapped, to_fen(scheme.cap_cny)),
        cap_cny=scheme.cap_cny,
        capped=uncapped > scheme.cap_cny,
        allocation=allocation,
    )
