"""Django choices from the programme's fixed vocabulary (:mod:`linli.policy.vocabulary`).

The compute core keeps each code's Chinese and English label in one place; here they become
model choices whose label follows the active language.
"""

from __future__ import annotations

from django.utils.functional import lazy
from django.utils.translation import get_language

from linli.policy.vocabulary import Labels


def zh_or_en(zh: str, en: str) -> str:
    """``zh`` unless English is the active language."""
    return zh if (get_language() or "zh-hans").startswith("zh") else en


def label(labels: Labels, code: str) -> str:
    """The label of ``code`` in the active language (Chinese unless English is active)."""
    return zh_or_en(*labels.get(code, (code, code)))


_lazy_label = lazy(label, str)


def choices(labels: Labels) -> list[tuple[str, str]]:
    return [(code, _lazy_label(labels, code)) for code in labels]
