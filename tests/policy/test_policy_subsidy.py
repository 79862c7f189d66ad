"""Subsidy examples for the Beijing interpretation 三(二): 30 % basic, up to 30 % inclusive,
nothing for commercial, the two together capped at 50 000 000 元."""

from __future__ import annotations

from decimal import Decimal

import pytest

from linli.policy import ApplicationInputError

FUNCTIONS = ("elderly_care", "infant_care", "community_meals")


def itemised(make, fn, *investments: tuple[str, str, int]):
    """An eligible application with one function per (scenario, category, investment_cny)."""
    functions = [fn(s, c, floor_area_m2=100, investment_cny=i) for s, c, i in investments]
    total = sum(i for _, _, i in investments)
    return make(functions=functions, total_investment_cny=total)


def amounts(evaluation) -> dict[str, str]:
    subsidy = evaluation.to_dict()["subsidy"]
    keys = ("basic_public_cny", "inclusive_cny", "commercial_cny", "total_cny")
    return {key: subsidy[key] for key in keys}


def test_basic_public_only_gets_30_percent(make, fn, run):
    data = itemised(
        make, fn,
        ("elderly_care", "basic_public", 4_000_000),
        ("health", "basic_public", 1_000_000),
        ("culture_leisure", "basic_public", 1_000_000),
    )  # fmt: skip
    meals = fn("community_meals", "commercial", floor_area_m2=10, investment_cny=0)
    data["functions"].append(meals)

    assert amounts(run(data)) == {
        "basic_public_cny": "1800000.00",
        "inclusive_cny": "0.00",
        "commercial_cny": "0.00",
        "total_cny": "1800000.00",
    }


def test_inclusive_only_gets_the_maximum_by_default(make, fn, run):
    data = itemised(
        make, fn,
        ("elderly_care", "inclusive", 2_000_000),
        ("infant_care", "inclusive", 3_000_000),
        ("community_meals", "commercial", 0),
    )  # fmt: skip

    assert amounts(run(data))["inclusive_cny"] == "1500000.00"
    assert amounts(run(data))["total_cny"] == "1500000.00"


def test_inclusive_rate_decided_at_review_is_applied(make, fn, run):
    data = itemised(
        make, fn,
        ("elderly_care", "inclusive", 2_000_000),
        ("infant_care", "inclusive", 3_000_000),
        ("community_meals", "commercial", 0),
    )  # fmt: skip
    data["inclusive_subsidy_rate"] = 0.2

    assert amounts(run(data))["inclusive_cny"] == "1000000.00"


def test_mixed_project_adds_basic_and_inclusive_but_not_commercial(make, fn, run):
    data = itemised(
        make, fn,
        ("elderly_care", "basic_public", 4_000_000),
        ("infant_care", "inclusive", 3_000_000),
        ("community_meals", "commercial", 2_000_000),
    )  # fmt: skip

    assert amounts(run(data)) == {
        "basic_public_cny": "1200000.00",
        "inclusive_cny": "900000.00",
        "commercial_cny": "0.00",
        "total_cny": "2100000.00",
    }


def test_commercial_only_gets_nothing(make, fn, run):
    data = itemised(
        make, fn,
        ("elderly_care", "commercial", 4_000_000),
        ("infant_care", "commercial", 3_000_000),
        ("community_meals", "commercial", 2_000_000),
    )  # fmt: skip

    subsidy = run(data).to_dict()["subsidy"]

    assert subsidy["total_cny"] == "0.00"
    assert subsidy["capped"] is False


def test_exactly_at_the_cap_is_not_capped(make, fn, run):
    # 0.30 × (100 000 000 + 66 666 666.67) = 50 000 000.00 after rounding each half up
    data = itemised(
        make, fn,
        ("elderly_care", "basic_public", 100_000_000),
        ("infant_care", "inclusive", 66_666_666),
        ("community_meals", "commercial", 0),
    )  # fmt: skip
    data["functions"][1]["investment_cny"] = Decimal("66666666.67")
    data["total_investment_cny"] = Decimal("166666666.67")

    subsidy = run(data).to_dict()["subsidy"]

    assert subsidy["total_cny"] == "50000000.00"
    assert subsidy["cap_cny"] == "50000000.00"
    assert subsidy["capped"] is False


def test_above_the_cap_is_capped_at_50_million(make, fn, run):
    data = itemised(
        make, fn,
        ("elderly_care", "basic_public", 120_000_000),
        ("infant_care", "inclusive", 80_000_000),
        ("community_meals", "commercial", 0),
    )  # fmt: skip

    subsidy = run(data).to_dict()["subsidy"]

    assert (subsidy["basic_public_cny"], subsidy["inclusive_cny"]) == ("36000000.00", "24000000.00")
    assert subsidy["total_cny"] == "50000000.00"
    assert subsidy["capped"] is True


def test_pro_rata_allocation_shares_total_investment_by_floor_area(make, run):
    # base: 400 m² basic, 300 m² inclusive, 200 m² commercial; 9 000 000 元 in all
    data = make(total_investment_cny=9_000_000)

    subsidy = run(data).to_dict()["subsidy"]

    assert subsidy["allocation"] == "pro_rata_floor_area"
    assert subsidy["basic_public_cny"] == "1200000.00"  # 0.3 × 9e6 × 400/900
    assert subsidy["inclusive_cny"] == "900000.00"  # 0.3 × 9e6 × 300/900
    assert subsidy["total_cny"] == "2100000.00"


def test_itemised_allocation_wins_when_every_function_has_an_investment(make, fn, run):
    data = itemised(
        make, fn,
        ("elderly_care", "basic_public", 1_000_000),
        ("infant_care", "inclusive", 5_000_000),
        ("community_meals", "commercial", 3_000_000),
    )  # fmt: skip

    subsidy = run(data).to_dict()["subsidy"]

    assert subsidy["allocation"] == "itemised"
    assert (subsidy["basic_public_cny"], subsidy["inclusive_cny"]) == ("300000.00", "1500000.00")


def test_one_missing_investment_falls_back_to_pro_rata(make, run):
    data = make(total_investment_cny=9_000_000)
    data["functions"][0]["investment_cny"] = 8_000_000

    assert run(data).to_dict()["subsidy"]["allocation"] == "pro_rata_floor_area"


def test_amounts_are_rounded_half_up_to_the_fen(make, fn, run):
    # 0.30 × 0.05 = 0.015 → 0.02 (half up, not half even)
    data = itemised(
        make, fn,
        ("elderly_care", "basic_public", 0),
        ("infant_care", "inclusive", 0),
        ("community_meals", "commercial", 0),
    )  # fmt: skip
    data["functions"][0]["investment_cny"] = Decimal("0.05")
    data["total_investment_cny"] = Decimal("0.05")

    assert amounts(run(data))["basic_public_cny"] == "0.02"


def test_float_input_is_read_through_its_decimal_text(make, fn, run):
    data = itemised(
        make, fn,
        ("elderly_care", "basic_public", 0),
        ("infant_care", "inclusive", 0),
        ("community_meals", "commercial", 0),
    )  # fmt: skip
    data["functions"][0]["investment_cny"] = 1234567.89
    data["total_investment_cny"] = 1234567.89

    assert amounts(run(data))["basic_public_cny"] == "370370.37"  # 370 370.367 → .37


def test_rate_above_30_percent_is_an_input_error_naming_the_field(make, run):
    with pytest.raises(ApplicationInputError, match=r"^inclusive_subsidy_rate: 0\.31 is above"):
        run(make(inclusive_subsidy_rate=0.31))


def test_draft_inclusive_rate_is_a_flat_30_percent(make, run):
    data = make(total_investment_cny=9_000_000)

    assert run(data, "beijing-2024-draft").subsidy.inclusive_cny == Decimal("900000.00")
    with pytest.raises(ApplicationInputError, match="inclusive_subsidy_rate: 0.2 is below"):
        run(make(inclusive_subsidy_rate=0.2), "beijing-2024-draft")


def test_misdeclared_function_earns_no_subsidy(make, fn, run):
    data = itemised(
        make, fn,
        ("elderly_care", "basic_public", 1_000_000),
        ("infant_care", "inclusive", 1_000_000),
        ("community_meals", "inclusive", 1_000_000),
    )  # fmt: skip

    assert run(data).subsidy.inclusive_cny == Decimal("300000.00")


def test_pack_without_subsidy_rates_reports_no_cap(make, run):
    subsidy = run(make(), "national-2023").to_dict()["subsidy"]

    assert subsidy["total_cny"] == "0.00"
    assert subsidy["cap_cny"] is None
