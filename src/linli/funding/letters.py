"""The approval letter (批复) as PDF: a Django template rendered by WeasyPrint.

The letter is set in Noto CJK (Debian: ``fonts-noto-cjk``), found through fontconfig, so the
Chinese text is real glyphs, not boxes. WeasyPrint is imported here only, when a letter is
asked for.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from linli.funding.models import SubsidyApproval
from linli.policy import load_pack
from linli.registry.models import Jurisdiction, Level


def approval_letter_html(approval: SubsidyApproval) -> str:
    application = approval.application
    pack = load_pack(application.call.policy_id)
    node = application.jurisdiction
    # The district reported the project up (由区发展改革部门上报), so the reply goes to it.
    district = node if node.level == Level.DISTRICT else _ancestor(node, Level.DISTRICT)
    city = _ancestor(node, Level.CITY)
    subsidy = approval.evaluation.get("subsidy", {})
    with translation.override("zh-hans"):  # the letter is an official document in Chinese
        return render_to_string(
            "funding/letter.html",
            {
                "approval": approval,
                "application": application,
                "functions": application.fund_report.items.select_related("function"),
                "pack": pack,
                "addressee": district or node,
                "issuer": city,
                "rate_percent": f"{(approval.inclusive_rate * 100).normalize():f}%",
                "capped": subsidy.get("capped", False),
                "cap_cny": subsidy.get("cap_cny"),
            },
        )


def _ancestor(node: Jurisdiction, level: str) -> Jurisdiction | None:
    return Jurisdiction.objects.get_ancestors(node).filter(level=level).first()


def approval_letter_pdf(approval: SubsidyApproval) -> bytes:
    from weasyprint import HTML

    return HTML(string=approval_letter_html(approval)).write_pdf()
