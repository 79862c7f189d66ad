"""The checks a pack rule can name in its ``check`` key, and the params each one needs.

A check looks at an application under one rule and says whether it passed, with the facts behind
the answer in Chinese and English. The requirement itself (the rule's title, severity and
citation) comes from the pack.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import TYPE_CHECKING

from linli.policy.vocabulary import CATEGORIES, CONSTRUCTIONS, SCENARIOS, en, normalise, zh

if TYPE_CHECKING:
    from linli.policy.application import Application
    from linli.policy.pack import PolicyPack, Rule


@dataclass(frozen=True)
class Outcome:
    """Whether a rule passed, and why (zh and en)."""

    passed: bool
    detail_zh: str
    detail_en: str


def not_applicable(reason_zh: str, reason_en: str) -> Outcome:
    """A rule that does not bite on this application passes, saying why."""
    return Outcome(True, f"不适用（{reason_zh}）", f"not applicable ({reason_en})")


RunCheck = Callable[["Application", "Rule", "PolicyPack"], Outcome]


@dataclass(frozen=True)
class Check:
    """A check function and the rule params it reads."""

    run: RunCheck
    params: tuple[str, ...] = ()


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _percent(share: Decimal) -> str:
    """A share as a percentage, rounded down so that 59.96 % never reads as 60 %."""
    return f"{(share * 100).quantize(Decimal('0.1'), rounding=ROUND_DOWN).normalize():f}%"


def _threshold(rule: Rule, pack: PolicyPack) -> Decimal:
    return Decimal(str(pack.standard(rule.params["standard"]).value))


def _names(codes: list[str]) -> tuple[str, str]:
    names_zh = "、".join(zh(SCENARIOS, code) for code in codes) or "无"
    names_en = ", ".join(en(SCENARIOS, code) for code in codes) or "none"
    return names_zh, names_en


def scenario_known(application: Application, rule: Rule, pack: PolicyPack) -> Outcome:
    """Every function's scenario is one the pack knows. Where the list is open (等), an unlisted
    service is a function all the same, but no category of the pack covers it: it earns no
    subsidy until a reviewer classes it."""
    unknown = [
        f"functions[{i}] {function.scenario!r}"
        for i, function in enumerate(application.functions)
        if not pack.listed(function.scenario)
    ]
    if unknown:
        listed = ", ".join(unknown)
        if pack.open_scenarios:
            return Outcome(
                False,
                f"未列明的服务：{listed}（列举以“等”结尾，计入功能数量；不计入补助测算）",
                f"services not listed: {listed} (the list is open, so they count as functions; "
                "no subsidy is computed for them)",
            )
        return Outcome(
            False, f"不在本政策服务场景内：{listed}", f"outside the policy's scenarios: {listed}"
        )
    return Outcome(True, "全部功能均在服务场景内", "every function is within the scenarios")


def category_allowed(application: Application, rule: Rule, pack: PolicyPack) -> Outcome:
    """Every function's declared category is one the pack allows for its scenario."""
    wrong_zh, wrong_en = [], []
    for i, function in enumerate(application.functions):
        allowed = pack.scenarios.get(function.scenario)
        if allowed is None or function.category in allowed:
            continue
        wrong_zh.append(
            f"functions[{i}] {zh(SCENARIOS, function.scenario)}"
            f"申报为{zh(CATEGORIES, function.category)}，"
            f"本政策归入{'或'.join(zh(CATEGORIES, c) for c in allowed)}"
        )
        wrong_en.append(
            f"functions[{i}] {en(SCENARIOS, function.scenario)} declared "
            f"{en(CATEGORIES, function.category)}, the policy classes it as "
            f"{' or '.join(en(CATEGORIES, c) for c in allowed)}"
        )
    if wrong_zh:
        return Outcome(False, "；".join(wrong_zh), "; ".join(wrong_en))
    return Outcome(True, "申报类别均符合本政策", "every declared category matches the policy")


def scenario_count(application: Application, rule: Rule, pack: PolicyPack) -> Outcome:
    """At least ``minimum`` distinct functions. With ``scenarios`` (a closed list such as the
    four “一老一小” services) only those count; otherwise every known scenario counts, and where
    the pack's list is open (等) so does every distinct unlisted service, as the scenario check
    accepts them: the same function list is judged the same way by both rules."""
    names = dict.fromkeys(f.scenario for f in application.functions)
    if rule.params.get("scenarios"):
        among = set(rule.params["scenarios"]) & set(pack.scenarios)
        declared = [s for s in names if s in among]
        others: list[str] = []
    else:
        declared = [s for s in names if s in pack.scenarios]
        # Listed by another name (养老托育), or unlisted where the list is open: distinct
        # services after normalisation.
        counted = [
            s for s in names
            if s not in pack.scenarios and (pack.listed(s) or pack.open_scenarios)
        ]  # fmt: skip
        shown = {normalise(s): s for s in counted}
        others = list(shown.values())
    names_zh, names_en = _names(declared)
    if others:
        names_zh = "、".join([*([names_zh] if declared else []), *others])
        names_en = ", ".join([*([names_en] if declared else []), *others])
    count = len(declared) + len(others)
    return Outcome(
        count >= rule.params["minimum"],
        f"申报{count}项（{names_zh}）",
        f"{count} declared ({names_en})",
    )


def floor_area_within_gross(application: Application, rule: Rule, pack: PolicyPack) -> Outcome:
    """The functions' declared floor areas add up to no more than the gross floor area."""
    total = sum(
        (f.floor_area_m2 for f in application.functions if f.floor_area_m2 is not None), Decimal(0)
    )
    gross = application.gross_floor_area_m2
    return Outcome(
        total <= gross,
        f"功能面积合计{_number(total)}平方米，总建筑面积{_number(gross)}平方米",
        f"functions total {_number(total)} m², gross floor area {_number(gross)} m²",
    )


def investment_within_total(application: Application, rule: Rule, pack: PolicyPack) -> Outcome:
    """Itemised function investments add up to no more than the total investment."""
    if not application.itemised or not application.functions:
        return not_applicable("投资按面积分摊", "investment is shared by floor area")
    total = sum((f.investment_cny for f in application.functions), Decimal(0))
    overall = application.total_investment_cny
    return Outcome(
        total <= overall,
        f"功能投资合计{_number(total)}元，工程总投资{_number(overall)}元",
        f"functions total {_number(total)} CNY, total investment {_number(overall)} CNY",
    )


def gross_floor_area_at_least(application: Application, rule: Rule, pack: PolicyPack) -> Outcome:
    """The gross floor area reaches the standard's threshold (m²)."""
    gross = application.gross_floor_area_m2
    return Outcome(
        gross >= _threshold(rule, pack),
        f"总建筑面积{_number(gross)}平方米",
        f"gross floor area {_number(gross)} m²",
    )


def community_area_per_households(
    application: Application, rule: Rule, pack: PolicyPack
) -> Outcome:
    """Community service area per 100 households reaches the threshold.

    A complex's own floor area counts towards its community (121号 二(一)).
    """
    community = application.community
    if community is None or community.households == 0:
        return not_applicable("未提供社区户数", "no community household figures given")
    area = community.service_area_m2 + (
        application.gross_floor_area_m2 if application.kind == "complex" else Decimal(0)
    )
    per_100 = area * 100 / community.households
    shown = _number(per_100.quantize(Decimal("0.1"), rounding=ROUND_DOWN))  # 29.96 is not 30
    return Outcome(
        per_100 >= _threshold(rule, pack),
        f"每百户{shown}平方米（{community.households}户，{_number(area)}平方米）",
        f"{shown} m² per 100 households ({community.households} households, {_number(area)} m²)",
    )


def resident_activity_share(application: Application, rule: Rule, pack: PolicyPack) -> Outcome:
    """Residents' activity area is at least the threshold share of the gross floor area."""
    activity = application.resident_activity_area_m2
    if activity is None or application.gross_floor_area_m2 == 0:
        return not_applicable("未提供居民活动面积", "no resident activity area given")
    share = activity / application.gross_floor_area_m2
    return Outcome(
        share >= _threshold(rule, pack),
        f"居民活动面积占{_percent(share)}",
        f"resident activity area is {_percent(share)}",
    )


def nursing_bed_share(application: Application, rule: Rule, pack: PolicyPack) -> Outcome:
    """Nursing beds are at least the threshold share of all declared beds."""
    beds = sum(f.capacity.beds or 0 for f in application.functions)
    if beds == 0:
        return not_applicable("未申报床位", "no beds declared")
    nursing = sum(f.capacity.nursing_beds or 0 for f in application.functions)
    share = Decimal(nursing) / beds
    return Outcome(
        share >= _threshold(rule, pack),
        f"护理型床位{nursing}张，占{_percent(share)}",
        f"{nursing} nursing beds, {_percent(share)} of {beds}",
    )


def priority_care_capacity(application: Application, rule: Rule, pack: PolicyPack) -> Outcome:
    """The project declares infant places or nursing beds (121号 二(四))."""
    slots = sum(f.capacity.infant_slots or 0 for f in application.functions)
    nursing = sum(f.capacity.nursing_beds or 0 for f in application.functions)
    return Outcome(
        slots > 0 or nursing > 0,
        f"婴幼儿托位{slots}个，护理型床位{nursing}张",
        f"{slots} infant places, {nursing} nursing beds",
    )


def construction_allowed(application: Application, rule: Rule, pack: PolicyPack) -> Outcome:
    """The construction type is one the rule lists."""
    construction = application.construction
    return Outcome(
        construction in rule.params["constructions"],
        f"本项目为{zh(CONSTRUCTIONS, construction)}",
        f"this is a {en(CONSTRUCTIONS, construction)} project",
    )


def notice(application: Application, rule: Rule, pack: PolicyPack) -> Outcome:
    """Always passes: tells the applicant about a provision that applies to the project."""
    return Outcome(True, "适用于本项目", "applies to this project")


def government_built_notice(application: Application, rule: Rule, pack: PolicyPack) -> Outcome:
    """A notice for facilities the government builds (``government_built`` in the input)."""
    if not application.government_built:
        return not_applicable("未申明为政府建设", "not declared government-built")
    return notice(application, rule, pack)


CHECKS: dict[str, Check] = {
    "scenario_known": Check(scenario_known),
    "category_allowed": Check(category_allowed),
    "scenario_count": Check(scenario_count, ("minimum",)),
    "floor_area_within_gross": Check(floor_area_within_gross),
    "investment_within_total": Check(investment_within_total),
    "gross_floor_area_at_least": Check(gross_floor_area_at_least, ("standard",)),
    "community_area_per_households": Check(community_area_per_households, ("standard",)),
    "resident_activity_share": Check(resident_activity_share, ("standard",)),
    "nursing_bed_share": Check(nursing_bed_share, ("standard",)),
    "priority_care_capacity": Check(priority_care_capacity),
    "construction_allowed": Check(construction_allowed, ("constructions",)),
    "notice": Check(notice),
    "government_built_notice": Check(government_built_notice),
}
