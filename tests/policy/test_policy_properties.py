"""Properties of the Beijing subsidy that must hold for any application."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from linli.policy import Application, evaluate, load_pack
from linli.policy.application import Function
from linli.policy.subsidy import compute_subsidy, function_investments

PACK = load_pack("beijing-2024")
CAP = PACK.subsidy.cap_cny
MAX_RATE = PACK.subsidy.inclusive_rate_max
PAIRS = [(scenario, category) for scenario, cats in PACK.scenarios.items() for category in cats]

money = st.integers(min_value=0, max_value=50_000_000_000).map(lambda fen: Decimal(fen) / 100)
area = st.integers(min_value=1, max_value=100_000).map(Decimal)
rate = st.integers(min_value=0, max_value=3000).map(lambda bp: Decimal(bp) / 10_000)


@st.composite
def applications(draw: st.DrawFn) -> Application:
    itemised = draw(st.booleans())
    functions = tuple(
        Function(
            scenario=scenario,
            category=category,
            floor_area_m2=draw(area),
            investment_cny=draw(money) if itemised else None,
        )
        for scenario, category in draw(st.lists(st.sampled_from(PAIRS), min_size=1, max_size=6))
    )
    return Application(
        name="p",
        city="北京",
        kind=draw(st.sampled_from(["complex", "scattered"])),
        construction="new",
        gross_floor_area_m2=Decimal(10**7),
        total_investment_cny=draw(money),
        functions=functions,
        inclusive_subsidy_rate=draw(st.none() | rate),
    )


def eligible_investment(application: Application) -> Decimal:
    invested = zip(application.functions, function_investments(application), strict=True)
    return sum(
        (amount for f, amount in invested if f.category in ("basic_public", "inclusive")),
        Decimal(0),
    )


@settings(max_examples=150, deadline=None)
@given(applications())
def test_subsidy_is_never_negative_nor_above_the_cap(application):
    subsidy = evaluate(application, PACK).subsidy

    assert Decimal(0) <= subsidy.total_cny <= CAP
    assert subsidy.capped == (subsidy.basic_public_cny + subsidy.inclusive_cny > CAP)


@settings(max_examples=150, deadline=None)
@given(applications())
def test_subsidy_is_never_above_30_percent_of_eligible_investment(application):
    subsidy = compute_subsidy(application, PACK)

    # Each of the two category amounts is rounded half up to the fen: at most 0.005 each.
    assert subsidy.total_cny <= MAX_RATE * eligible_investment(application) + Decimal("0.01")


@settings(max_examples=150, deadline=None)
@given(applications(), money, st.data())
def test_subsidy_never_decreases_when_investment_grows(application, extra, data):
    before = compute_subsidy(application, PACK).total_cny
    if application.itemised:
        index = data.draw(st.integers(0, len(application.functions) - 1))
        grown = list(application.functions)
        old = grown[index]
        grown[index] = dataclasses.replace(old, investment_cny=old.investment_cny + extra)
        bigger = dataclasses.replace(
            application,
            functions=tuple(grown),
            total_investment_cny=application.total_investment_cny + extra,
        )
    else:
        bigger = dataclasses.replace(
            application, total_investment_cny=application.total_investment_cny + extra
        )

    assert compute_subsidy(bigger, PACK).total_cny >= before
