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


def approval_letter_html(approval: SubsidyApproval) -> str:
    application = approval.application
    pack = load_pack(application.call.policy_id)
    with translation.override("zh-hans"):  # the letter is an official document in Chinese
        return render_to_string(
            "funding/letter.html",
            {
                "approval": approval,
                "application": application,
                "functions": application.fund_report.items.select_related("function"),
                "pack": pack,
            },
        )


def approval_letter_pdf(approval: SubsidyApproval) -> bytes:
    from weasyprint import HTML

    return HTML(string=approval_letter_html(approval)).write_pdf()
