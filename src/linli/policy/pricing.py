"""The inclusive-price check: a price built on its cost plus a reasonable profit.

国办函〔2023〕121号 二（六）: 服务运营主体要根据服务成本、合理利润等提供价格普惠的社区服务;
Beijing's measures (政策解读 三（三）) say 以保本微利为原则进行运营. Neither text gives a
number, so the margin and any city reference prices are pack values; while their confidence is
``RECALLED`` a price above them only warns (RULES.md §0: unconfirmed numbers never block).

A pack's ``[pricing]`` table::

    [pricing]
    reasonable_margin = 0.10            # price ≤ cost × (1 + margin)
    source = "国办函〔2023〕121号 二（六）…"
    confidence = "RECALLED"
    [pricing.references.community_meals]   # city reference prices, per scenario and unit
    per_meal = 15.00
    [pricing.references_meta]
    source = "…"; confidence = "…"
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from linli.policy.findings import Finding

PRICE_UNITS = ("per_visit", "per_meal", "per_hour", "per_day", "per_month", "per_session")
_FEN = Decimal("0.01")
# How binding a price rule is, by how sure we are of its number.
_SEVERITY = {"SEED": "error", "FOUND-OFFICIAL": "error", "FOUND-2ND": "warning"}


@dataclass(frozen=True)
class PriceReference:
    """A city's reference price for one scenario and unit (e.g. 社区助餐, per meal)."""

    amount: Decimal
    source: str
    confidence: str


@dataclass(frozen=True)
class PricingTerms:
    """A pack's pricing numbers: the reasonable margin on cost and the reference prices."""

    reasonable_margin: Decimal
    source: str
    confidence: str
    references: Mapping[tuple[str, str], PriceReference]

    def reference(self, scenario: str, unit: str) -> PriceReference | None:
        return self.references.get((scenario, unit))


def severity_of(confidence: str) -> str:
    """``error`` for a number found in the texts, ``warning`` for one not confirmed."""
    return _SEVERITY.get(confidence, "warning")


def price_check(
    terms: PricingTerms, *, scenario: str, unit: str, amount: Decimal, cost: Decimal
) -> list[Finding]:
    """Findings of the inclusive-price check for ``amount`` per ``unit`` built on ``cost``.

    The ceiling is ``cost × (1 + margin)``, rounded to the fen; a reference price, where the
    pack sets one for the scenario and unit, is a second ceiling.
    """
    ceiling = (cost * (1 + terms.reasonable_margin)).quantize(_FEN, rounding=ROUND_HALF_UP)
    margin_pct = (terms.reasonable_margin * 100).normalize()
    passed = amount <= ceiling
    findings = [
        Finding(
            rule="pricing.cost_plus_margin",
            severity=severity_of(terms.confidence),
            passed=passed,
            message_zh=(
                f"价格 {amount} 元不高于成本 {cost} 元加合理利润 {margin_pct}%（{ceiling} 元）"
                if passed
                else f"价格 {amount} 元高于成本 {cost} 元加合理利润 {margin_pct}%（{ceiling} 元）"
            ),
            message_en=(
                f"The price {amount} CNY is within cost {cost} CNY plus a reasonable margin of "
                f"{margin_pct}% ({ceiling} CNY)"
                if passed
                else f"The price {amount} CNY exceeds cost {cost} CNY plus a reasonable margin "
                f"of {margin_pct}% ({ceiling} CNY)"
            ),
            source=terms.source,
        )
    ]
    reference = terms.reference(scenario, unit)
    if reference is not None:
        within = amount <= reference.amount
        findings.append(
            Finding(
                rule="pricing.city_reference",
                severity=severity_of(reference.confidence),
                passed=within,
                message_zh=(
                    f"价格 {amount} 元{'不高于' if within else '高于'}本市参考价 "
                    f"{reference.amount} 元"
                ),
                message_en=(
                    f"The price {amount} CNY is {'within' if within else 'above'} the city's "
                    f"reference price of {reference.amount} CNY"
                ),
                source=reference.source,
            )
        )
    return findings


def parse_pricing(data: Mapping, where: str, number, text, choice, confidences) -> PricingTerms:
    """Build :class:`PricingTerms` from a pack's ``[pricing]`` table (helpers from the loader)."""
    margin = number(data.get("reasonable_margin"), f"{where}.reasonable_margin")
    references: dict[tuple[str, str], PriceReference] = {}
    meta = data.get("references_meta", {})
    for scenario, prices in data.get("references", {}).items():
        for unit, value in prices.items():
            choice(unit, PRICE_UNITS, f"{where}.references.{scenario}.{unit}")
            references[(scenario, unit)] = PriceReference(
                amount=number(value, f"{where}.references.{scenario}.{unit}").quantize(_FEN),
                source=text(meta, "source", f"{where}.references_meta"),
                confidence=choice(
                    meta.get("confidence"), confidences, f"{where}.references_meta.confidence"
                ),
            )
    return PricingTerms(
        reasonable_margin=margin,
        source=text(data, "source", where),
        confidence=choice(data.get("confidence"), confidences, f"{where}.confidence"),
        references=references,
    )
