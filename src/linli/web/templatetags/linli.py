"""Template filters that turn the programme's code names into the reader's words: every label
comes from the one vocabulary (:mod:`linli.policy.vocabulary`) or the policy pack itself."""

from __future__ import annotations

import re

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.core.tables import render_rows
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
def rule_title(rule_id: str, application) -> str:
    """A rule of the application's call pack by its title in the reader's language (a rule id
    such as ``functions.elderly_or_infant`` is a code name)."""
    from linli.core.vocabulary import get_language
    from linli.funding.evaluation import call_pack
    from linli.policy import PolicyPackError
    from linli.policy.pack import rule_titles

    try:
        pack = call_pack(application.call)
    except (PolicyPackError, OSError):
        return ""
    rule = next((rule for rule in pack.rules if rule.id == rule_id), None)
    if rule is None:
        return ""
    title_zh, title_en = rule_titles(rule, pack)
    return title_zh if (get_language() or "zh").startswith("zh") else title_en


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


_INPUT_ERROR = re.compile(r"^(?P<path>[\w\[\]\.]+): (?P<problem>.*)$", re.DOTALL)
_PATH_PART = re.compile(r"(?P<key>\w+)(?:\[(?P<index>\d+)\])?")


def _field_label(key: str) -> str:
    """A key of the policy engine's application (``total_investment_cny``) by the name the
    application form gives it."""
    from django.core.exceptions import FieldDoesNotExist

    from linli.funding.models import Application, ApplicationFunction

    for model in (Application, ApplicationFunction):
        try:
            return str(model._meta.get_field(key).verbose_name)
        except FieldDoesNotExist:
            continue
    return str(_INPUT_KEYS.get(key, _("this figure")))


_INPUT_KEYS = {
    "functions": gettext_lazy("functions"),
    "inclusive_subsidy_rate": gettext_lazy("inclusive subsidy rate"),
    "investment_cny": gettext_lazy("investment (CNY)"),
    "floor_area_m2": gettext_lazy("floor area (m²)"),
    "capacity": gettext_lazy("capacity"),
    "community": gettext_lazy("community"),
}


@register.filter
def policy_input_error(message: str) -> str:
    """The policy engine's input error (``functions[0].floor_area_m2: is required``, the CLI's
    contract) as a sentence for the application form: which field, and what to do."""
    match = _INPUT_ERROR.match(message or "")
    if not match:
        return _("Some figures of the application are missing or not numbers; check the form.")
    parts = [_PATH_PART.fullmatch(part) for part in match["path"].split(".")]
    field = _field_label(parts[-1]["key"]) if parts[-1] else _("this figure")
    index = next((int(p["index"]) for p in parts if p and p["index"] is not None), None)
    where = (
        _("function %(number)d, %(field)s") % {"number": index + 1, "field": field}
        if index is not None
        else field
    )
    problem = match["problem"]
    if problem.startswith("is required") or problem.startswith("required when"):
        what = (
            _(
                "fill it in (each function needs its floor area when not every function "
                "has its own investment)"
            )
            if "floor area" in problem or "shared" in problem
            else _("fill it in")
        )
    elif "above the maximum" in problem or "below the minimum" in problem:
        bound = re.search(r"(maximum|minimum) ([\d.]+)", problem)
        what = _(
            "enter a rate between the policy's minimum and maximum, as a decimal "
            "(0.30 for 30 %%); the limit is %(bound)s"
        ) % {"bound": bound[2] if bound else ""}
    elif "decimal places" in problem:
        what = _("enter at most two decimal places")
    elif "whole number" in problem:
        what = _("enter a whole number of zero or more")
    elif "must not all be 0" in problem:
        what = _("enter the floor area of at least one function")
    else:
        what = _("enter a number of zero or more, in 元 or m² as the label says")
    return _("%(field)s: %(what)s.") % {"field": where, "what": what}


@register.filter
def percent(rate) -> str:
    """A rate stored as a fraction (0.2500) as people write it: 25%."""
    from decimal import Decimal, InvalidOperation

    try:
        value = (Decimal(str(rate)) * 100).normalize()
    except (InvalidOperation, TypeError, ValueError):
        return rate
    return f"{value:f}%"


@register.simple_tag(takes_context=True)
def table_rows(context, table):
    """The rows of a django-tables2 table's current page, rendered in one pass."""
    return render_rows(table, context)
