"""Input validation: a bad application is rejected with a message that names the field."""

from __future__ import annotations

from decimal import Decimal

import pytest

from linli.policy import ApplicationInputError, parse_application

REMOVE = object()


def _set(data: dict, path: str, value: object) -> None:
    """Set (or with ``REMOVE`` delete) the value at a dotted path, e.g. ``functions.2.scenario``."""
    *parents, last = path.split(".")
    for key in parents:
        data = data[int(key)] if key.isdigit() else data[key]
    if value is REMOVE:
        del data[last]
    else:
        data[last] = value


NON_NEGATIVE = "must be a non-negative number"


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("name", REMOVE, "name: is required"),
        ("total_investment_cny", REMOVE, "total_investment_cny: is required"),
        ("gross_floor_area_m2", -1, f"gross_floor_area_m2: {NON_NEGATIVE}"),
        ("gross_floor_area_m2", "1000", f"gross_floor_area_m2: {NON_NEGATIVE}"),
        ("gross_floor_area_m2", True, f"gross_floor_area_m2: {NON_NEGATIVE}"),
        ("gross_floor_area_m2", float("nan"), f"gross_floor_area_m2: {NON_NEGATIVE}"),
        ("kind", "tower", r"kind: must be one of complex \(综合体\), scattered \(插花式\)"),
        ("construction", "rebuild", "construction: must be one of"),
        ("functions", {}, "functions: must be a list"),
        ("functions.2.floor_area_m2", -5, rf"functions\[2\]\.floor_area_m2: {NON_NEGATIVE}"),
        ("functions.1.category", "premium", r"functions\[1\]\.category: must be one of"),
        ("functions.0.scenario", REMOVE, r"functions\[0\]\.scenario: is required"),
        ("functions.0.capacity", {"beds": 2.5}, r"functions\[0\]\.capacity\.beds: must be"),
        ("community", {"households": 1, "population": 3}, "community.service_area_m2: is required"),
        ("overrides", [{"rule": "x"}], r"overrides\[0\]\.reason: is required"),
        ("inclusive_subsidy_rate", -0.1, f"inclusive_subsidy_rate: {NON_NEGATIVE}"),
        ("government_built", "yes", "government_built: must be true or false"),
    ],
)
def test_invalid_input_names_the_field(make, path, value, message):
    data = make()
    _set(data, path, value)

    with pytest.raises(ApplicationInputError, match=f"^{message}"):
        parse_application(data)


def test_pro_rata_sharing_needs_every_function_area(make):
    data = make()
    data["functions"][1].pop("floor_area_m2")

    with pytest.raises(ApplicationInputError, match=r"^functions\[1\]\.floor_area_m2: required"):
        parse_application(data)


def test_itemised_investments_do_not_need_areas(make, fn):
    data = make(functions=[fn("elderly_care", investment_cny=100), fn("fitness", investment_cny=5)])

    assert parse_application(data).itemised


def test_pro_rata_sharing_needs_some_area(make, fn):
    data = make(functions=[fn("elderly_care", floor_area_m2=0), fn("fitness", floor_area_m2=0)])

    with pytest.raises(ApplicationInputError, match="^functions: floor_area_m2 must not all be 0"):
        parse_application(data)


def test_numbers_become_decimals(make):
    data = make(total_investment_cny=0.1, inclusive_subsidy_rate=0.25)

    application = parse_application(data)

    assert application.total_investment_cny == Decimal("0.1")
    assert application.inclusive_subsidy_rate == Decimal("0.25")


def test_unknown_scenario_is_accepted_for_the_evaluator_to_judge(make, fn):
    application = parse_application(make(functions=[fn("laundry", "commercial", floor_area_m2=1)]))

    assert application.functions[0].scenario == "laundry"
