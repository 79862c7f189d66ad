"""Key figures of the user's jurisdiction on the home page (社区、设施、项目、资金).

Apps add providers with :func:`register`, as for the to-do list; a provider returns the
figures a user may see, counted through ``restrict`` (a role without the view permission gets
none, a street officer its street's). The registry and the funding workflow add theirs.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.functional import Promise

from linli.web.providers import Providers


@dataclass(frozen=True)
class Figure:
    label: str | Promise
    value: str
    url: str
    detail: str | Promise = ""


_figures: Providers[Figure] = Providers()
register = _figures.register
overview_for = _figures.collect


def count(value: int | float | Decimal | None) -> str:
    """A whole number with thousands separators (a missing sum is 0)."""
    return f"{round(value or 0):,}"


def ten_thousand_yuan(amount: Decimal | None) -> str:
    """元 as 万元 with two places, as Chinese budget tables show money."""
    return f"{(amount or Decimal(0)) / 10_000:,.2f}"
