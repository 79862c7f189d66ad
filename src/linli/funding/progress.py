"""Release by construction progress (四.2 五: 按照资金申请报告的批复和工程进度适时下达市级资金).

The call's pack declares the milestones in order and, for each, the cumulative share of the
approved subsidy that may be released once it is reached (``[release]``). The ceiling of a
milestone is that share of what is approved now (a change may have moved it).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.db import models
from django.utils.translation import get_language

from linli.funding.choices import MilestoneKind, TrancheState
from linli.funding.evaluation import call_pack
from linli.policy.pack import Milestone as PackMilestone
from linli.policy.pack import ReleaseSchedule

# Tranches that still hold part of the headroom (not refused).
LIVE_TRANCHES = (
    TrancheState.REQUESTED,
    TrancheState.VERIFIED,
    TrancheState.APPROVED,
    TrancheState.RELEASED,
)


def schedule(call) -> ReleaseSchedule:
    """The pack's release schedule; a pack without one releases nothing before the last of
    Beijing's milestones (the cautious reading of 按工程进度 when a city has set no shares)."""
    release = call_pack(call).release
    if release is not None:
        return release
    kinds = list(MilestoneKind)
    return ReleaseSchedule(
        milestones=tuple(
            PackMilestone(
                code=kind.value,
                name_zh=_zh(kind.label),
                name_en=_en(kind.label),
                cumulative_share=Decimal(1 if kind == kinds[-1] else 0),
            )
            for kind in kinds
        ),
        source="",
        confidence="PLACEHOLDER",
    )


def _en(label) -> str:
    return str(label).split(" (")[0]


def _zh(label) -> str:
    text = str(label)
    return text[text.find("(") + 1 : text.rfind(")")] if "(" in text else text


def milestone_name(call, code: str) -> str:
    for milestone in schedule(call).milestones:
        if milestone.code == code:
            return milestone.name_zh if _chinese() else milestone.name_en
    return code


def milestone_choices(call) -> list[tuple[str, str]]:
    return [(m.code, milestone_name(call, m.code)) for m in schedule(call).milestones]


def _chinese() -> bool:
    return (get_language() or "zh-hans").lower().startswith("zh")


def ceiling_cny(approved_cny: Decimal, share: Decimal) -> Decimal:
    """The cumulative amount releasable at ``share`` (rounded down to the fen: never above)."""
    return (approved_cny * share).quantize(Decimal("0.01"), rounding=ROUND_DOWN)


def committed_cny(application) -> Decimal:
    """What the project's live tranches (requested, verified, approved, released) add up to."""
    return application.tranches.filter(state__in=LIVE_TRANCHES).aggregate(
        total=models.Sum("amount_cny")
    )["total"] or Decimal("0.00")


@dataclass(frozen=True)
class MilestoneRow:
    code: str
    name: str
    share: Decimal
    ceiling_cny: Decimal
    reached: bool
    released_cny: Decimal  # released on tranches tied to this milestone


@dataclass(frozen=True)
class Progress:
    approved_cny: Decimal
    released_cny: Decimal
    ceiling_now_cny: Decimal  # the ceiling of the latest milestone reached
    committed_cny: Decimal
    rows: tuple[MilestoneRow, ...]
    placeholder: bool  # the shares are the platform's defaults, not the city's own

    @property
    def headroom_cny(self) -> Decimal:
        return max(self.ceiling_now_cny - self.committed_cny, Decimal("0.00"))


def progress(application) -> Progress | None:
    """Approved, released and the ceiling now, by milestone; ``None`` before any approval."""
    ledger = getattr(application, "ledger", None)
    if ledger is None:
        return None
    release = schedule(application.call)
    reached = set(application.milestones.values_list("kind", flat=True))
    released_by = dict(
        application.tranches.filter(state=TrancheState.RELEASED)
        .values("milestone__kind")
        .annotate(total=models.Sum("amount_cny"))
        .values_list("milestone__kind", "total")
    )
    rows = tuple(
        MilestoneRow(
            code=m.code,
            name=milestone_name(application.call, m.code),
            share=m.cumulative_share,
            ceiling_cny=ceiling_cny(ledger.approved_cny, m.cumulative_share),
            reached=m.code in reached,
            released_cny=released_by.get(m.code) or Decimal("0.00"),
        )
        for m in release.milestones
    )
    now = [row.ceiling_cny for row in rows if row.reached]
    return Progress(
        approved_cny=ledger.approved_cny,
        released_cny=ledger.released_cny,
        ceiling_now_cny=max(now) if now else Decimal("0.00"),
        committed_cny=committed_cny(application),
        rows=rows,
        placeholder=release.confidence == "PLACEHOLDER",
    )


def chart(progress: Progress) -> dict:
    """ECharts data: per milestone, the cumulative ceiling, and the released so far."""
    cumulative, series_released = Decimal("0.00"), []
    for row in progress.rows:
        cumulative += row.released_cny
        series_released.append(float(cumulative) if row.reached else None)
    return {
        "milestones": [row.name for row in progress.rows],
        "ceiling": [float(row.ceiling_cny) for row in progress.rows],
        "released": series_released,
        "approved": float(progress.approved_cny),
    }
