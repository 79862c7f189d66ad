"""The approval letter (批复) as PDF: a Django template rendered by WeasyPrint.

The letter is set in Noto CJK (Debian: ``fonts-noto-cjk``), found through fontconfig, so the
Chinese text is real glyphs, not boxes. WeasyPrint is imported here only, when a letter is
asked for. Amounts are written as official letters write them: the approved sum in capitals
(大写, by cn2an's ``rmb`` mode) beside its figures, every figure with thousands separators.
"""

from __future__ import annotations

from decimal import Decimal

import cn2an
from django.template.loader import render_to_string
from django.utils import translation

from linli.funding.evaluation import call_pack, mix_rows, mix_total
from linli.funding.models import SubsidyApproval, SupplementaryApproval
from linli.registry.models import Jurisdiction, Level

# The national programme every city's measures rest on.
NATIONAL_PLAN = "《城市社区嵌入式服务设施建设工程实施方案》（国办函〔2023〕121号）"


def yuan(amount: Decimal | str | None) -> str:
    """``1234567.8`` → ``1,234,567.80``."""
    return "—" if amount in (None, "") else f"{Decimal(amount):,.2f}"


def yuan_in_capitals(amount: Decimal | str) -> str:
    """``1050000`` → ``壹佰零伍万元整`` (人民币大写)."""
    return cn2an.an2cn(f"{Decimal(amount):.2f}", "rmb")


def basis(pack, issuer: Jurisdiction | None) -> str:
    """What the letter rests on: the issuing city's own measures when the call's pack is them;
    otherwise the national plan, another city's measures cited only as applied by reference."""
    if pack.city_zh and issuer is not None and pack.city_zh == issuer.name:
        return f"《{pack.title_zh}》"
    by_reference = f"，参照《{pack.title_zh}》" if pack.city_zh else ""
    return f"{NATIONAL_PLAN}{by_reference}和本市有关规定"


def approval_letter_html(approval: SubsidyApproval) -> str:
    application = approval.application
    pack = call_pack(application.call)
    node = application.jurisdiction
    # The district reported the project up (由区发展改革部门上报), so the reply goes to it.
    district = node if node.level == Level.DISTRICT else _ancestor(node, Level.DISTRICT)
    city = _ancestor(node, Level.CITY)
    subsidy = approval.evaluation.get("subsidy", {})
    report = application.fund_report
    with translation.override("zh-hans"):  # the letter is an official document in Chinese
        return render_to_string(
            "funding/letter.html",
            {
                "approval": approval,
                "application": application,
                "functions": [
                    (item.function, yuan(item.estimate_cny))
                    for item in report.items.select_related("function")
                ],
                "estimate_total": yuan(report.total_cny),
                "basis": basis(pack, city),
                "addressee": district or node,
                "issuer": city,
                "total": yuan(approval.total_cny),
                "total_in_capitals": yuan_in_capitals(approval.total_cny),
                "basic_public": yuan(approval.basic_public_cny),
                "inclusive": yuan(approval.inclusive_cny),
                "rate_percent": f"{(approval.inclusive_rate * 100).normalize():f}%",
                "capped": subsidy.get("capped", False),
                "cap": yuan(subsidy.get("cap_cny")),
            },
        )


def _ancestor(node: Jurisdiction, level: str) -> Jurisdiction | None:
    if node.level == level:
        return node
    return Jurisdiction.objects.get_ancestors(node).filter(level=level).first()


def approval_letter_pdf(approval: SubsidyApproval) -> bytes:
    from weasyprint import HTML

    return HTML(string=approval_letter_html(approval)).write_pdf()


def supplementary_letter_html(supplement: SupplementaryApproval) -> str:
    """补充批复: the new subsidy after an approved change, referring to the first letter."""
    application = supplement.application
    original = supplement.original
    pack = call_pack(application.call)
    node = application.jurisdiction
    district = node if node.level == Level.DISTRICT else _ancestor(node, Level.DISTRICT)
    city = _ancestor(node, Level.CITY)
    report = application.fund_report
    with translation.override("zh-hans"):
        return render_to_string(
            "funding/letter_supplement.html",
            {
                "supplement": supplement,
                "original": original,
                "change": supplement.change,
                "application": application,
                "functions": [
                    (item.function, yuan(item.estimate_cny))
                    for item in report.items.select_related("function")
                ],
                "estimate_total": yuan(report.total_cny),
                "basis": basis(pack, city),
                "addressee": district or node,
                "issuer": city,
                "previous": yuan(supplement.previous_total_cny),
                "total": yuan(supplement.total_cny),
                "total_in_capitals": yuan_in_capitals(supplement.total_cny),
                "basic_public": yuan(supplement.basic_public_cny),
                "inclusive": yuan(supplement.inclusive_cny),
                "rate_percent": f"{(original.inclusive_rate * 100).normalize():f}%",
                "released": yuan(application.ledger.released_cny),
                **_mixes(supplement),
            },
        )


def _mixes(supplement: SupplementaryApproval) -> dict:
    """The funding mix before → after (121号 三(八)); the 概算's own only where it differs.
    A letter issued before changes carried a mix reads as it did."""
    change, call = supplement.change, supplement.application.call
    if not change.funding_mix:
        return {"mix": None, "report_mix": None}
    project = (supplement.previous_funding_mix, change.funding_mix)
    report = (supplement.previous_report_funding_mix, change.report_funding_mix)
    return {
        "mix": _mix_table(call, *project),
        "report_mix": _mix_table(call, *report) if report != project else None,
    }


def _mix_table(call, before: dict, after: dict) -> dict:
    return {
        "rows": [
            (
                row["channel"].name_zh if row["channel"] else row["code"],
                yuan(row["before"]),
                yuan(row["after"]),
            )
            for row in mix_rows(call, before, after)
        ],
        "before": yuan(mix_total(before)),
        "after": yuan(mix_total(after)),
    }


def supplementary_letter_pdf(supplement: SupplementaryApproval) -> bytes:
    from weasyprint import HTML

    return HTML(string=supplementary_letter_html(supplement)).write_pdf()
