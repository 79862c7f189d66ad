"""The inclusive-price check: cost plus the pack's margin, and the city's reference price."""

from decimal import Decimal

from linli.policy import load_pack
from linli.policy.pricing import PriceReference, PricingTerms, price_check

TERMS = PricingTerms(
    reasonable_margin=Decimal("0.10"),
    source="国办函〔2023〕121号 二（六）",
    confidence="SEED",
    references={
        ("community_meals", "per_meal"): PriceReference(Decimal("15.00"), "参考价", "SEED")
    },
)


def check(amount, cost, scenario="community_meals", unit="per_meal", terms=TERMS):
    return price_check(
        terms, scenario=scenario, unit=unit, amount=Decimal(amount), cost=Decimal(cost)
    )


def test_a_price_at_cost_plus_margin_passes_and_cites_the_clause():
    [margin, reference] = check("14.30", "13.00")  # ceiling 13 × 1.1 = 14.30
    assert margin.passed and reference.passed
    assert margin.source == "国办函〔2023〕121号 二（六）"
    assert "14.30" in margin.message_zh


def test_a_fen_above_the_ceiling_fails():
    [margin, _reference] = check("14.31", "13.00")
    assert not margin.passed and margin.severity == "error"


def test_the_reference_price_is_a_second_ceiling():
    [margin, reference] = check("16.00", "15.00")
    assert margin.passed and not reference.passed


def test_no_reference_for_other_units():
    assert len(check("100", "95", scenario="elderly_care", unit="per_day")) == 1


def test_recalled_numbers_only_warn():
    terms = load_pack("beijing-2024").pricing
    assert terms.reasonable_margin == Decimal("0.05") and terms.confidence == "RECALLED"
    assert "保本微利" in terms.source
    [margin] = price_check(
        terms, scenario="elderly_care", unit="per_day", amount=Decimal("200"), cost=Decimal("100")
    )
    assert not margin.passed and margin.severity == "warning"


def test_the_national_pack_sets_the_default_and_children_inherit_it():
    assert load_pack("national-2023").pricing.reasonable_margin == Decimal("0.10")
    assert load_pack("shanghai").pricing.reasonable_margin == Decimal("0.10")
