"""Small template filters of the funding pages."""

from __future__ import annotations

from collections.abc import Mapping

from django import template

from linli.core.vocabulary import zh_or_en
from linli.funding import letters
from linli.funding.evaluation import funding_channels, mix_rows, mix_total

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``mapping|get_item:key`` (a dict looked up by a variable key)."""
    return mapping.get(key) if mapping else None


@register.filter
def yuan(amount) -> str:
    """An amount as the letters write it: 1,050,000.00 (:func:`linli.funding.letters.yuan`)."""
    return letters.yuan(amount)


@register.filter
def channel_name(code: str, application) -> str:
    """A funding channel's name (121号 三(八)) as the application's pack gives it."""
    channel = funding_channels(application.call).get(code)
    if channel is None:
        return code
    return zh_or_en(channel.name_zh, channel.name_en)


@register.inclusion_tag("funding/_mix_change.html")
def mix_change(application, before, after, title=""):
    """A funding mix before → after (121号 三(八)), with the totals; ``before`` is not a mix
    for a refused change (only what it asked for is known)."""
    known = isinstance(before, Mapping)
    return {
        "application": application,
        "title": title,
        "rows": mix_rows(application.call, before if known else {}, after),
        "known": known,
        "total_before": mix_total(before if known else {}),
        "total_after": mix_total(after),
    }
