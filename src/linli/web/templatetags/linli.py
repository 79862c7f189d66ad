"""Template filters that turn the programme's code names into the reader's words: every label
comes from the one vocabulary (:mod:`linli.policy.vocabulary`) or the policy pack itself."""

from __future__ import annotations

import re

from django import template

from linli.core.vocabulary import label
from linli.policy import vocabulary

register = template.Library()


@register.filter
def severity_label(code: str) -> str:
    """``override`` → 原则上: how strongly a rule binds, in words."""
    return label(vocabulary.SEVERITIES, code)


@register.filter
def pack_title(pack_id: str) -> str:
    """A policy pack's title in the active language; its id if it cannot be read."""
    from linli.core.vocabulary import get_language
    from linli.policy import PolicyPackError, load_pack

    try:
        pack = load_pack(pack_id)
    except (PolicyPackError, OSError):
        return pack_id
    return pack.title_zh if (get_language() or "zh").startswith("zh") else pack.title_en


@register.filter
def failures_first(findings):
    """Findings with the failed ones first (each group in the pack's order)."""
    return sorted(findings or (), key=lambda finding: bool(finding.get("passed")))


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= character <= "\u9fff" for character in text)


@register.filter
def in_language(text: str) -> str:
    """A pack's bilingual text (“中文 / English”) in the active language; other text as is."""
    from linli.core.vocabulary import get_language

    chinese, separator, english = (text or "").rpartition("/")
    chinese, english = chinese.strip(), english.strip()
    if not separator or not _has_chinese(chinese) or _has_chinese(english):
        return text
    return chinese if (get_language() or "zh").startswith("zh") else english


_DAYS_ZH = {
    "Mo": "周一",
    "Tu": "周二",
    "We": "周三",
    "Th": "周四",
    "Fr": "周五",
    "Sa": "周六",
    "Su": "周日",
    "PH": "节假日",
}
_DAY_RANGE = re.compile(r"\b(Mo|Tu|We|Th|Fr|Sa|Su|PH)(?:-(Mo|Tu|We|Th|Fr|Sa|Su))?\b")


@register.filter
def opening_hours(text: str) -> str:
    """OpenStreetMap's opening hours (``Mo-Fr 08:00-18:00; Sa off``) read in Chinese on a
    Chinese page: 周一至周五 08:00-18:00；周六 休息. The stored value stays OSM's syntax, which
    importers and other systems read."""
    from linli.core.vocabulary import get_language

    if not text or not (get_language() or "zh").startswith("zh"):
        return text

    def days(match: re.Match) -> str:
        first, last = match.group(1), match.group(2)
        return _DAYS_ZH[first] + (f"至{_DAYS_ZH[last]}" if last else "")

    text = _DAY_RANGE.sub(days, text)
    return re.sub(r"\boff\b", "休息", text).replace("; ", "；").replace(",", "、")
