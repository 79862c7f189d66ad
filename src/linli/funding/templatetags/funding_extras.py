"""Small template filters of the funding pages."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from linli.funding.evaluation import funding_channels

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``mapping|get_item:key`` (a dict looked up by a variable key)."""
    return mapping.get(key) if mapping else None


@register.filter
def channel_name(code: str, application) -> str:
    """A funding channel's name (121号 三(八)) as the application's pack gives it."""
    channel = funding_channels(application.call).get(code)
    if channel is None:
        return code
    return channel.name_zh if (get_language() or "zh").startswith("zh") else channel.name_en
