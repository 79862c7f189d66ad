"""The district's pipeline (统筹全区项目申报、储备情况, 四.2 四): every project of its area by
stage — in preparation or review, in reserve, funded — beside the priority the latest gap
diagnosis of the area gives the community it serves. Reads only, through ``restrict``."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core.permissions import restrict
from linli.funding.choices import ApplicationState
from linli.funding.models import Application
from linli.jobs.models import Job, JobStatus

S = ApplicationState

STAGES = (
    ("applying", _("Applying and in review"), (
        S.DRAFT, S.DISTRICT_REVIEW, S.RETURNED, S.DISTRICT_SUBMITTED, S.JOINT_REVIEW, S.SELECTED,
        S.FS_APPROVED, S.FUND_APP_SUBMITTED,
    )),
    ("reserve", _("Reserve"), (S.RESERVE,)),
    ("funded", _("Funded"), (S.FUND_APPROVED, S.IN_CONSTRUCTION, S.OPERATING)),
    ("closed", _("Not selected or carried on"), (S.REJECTED, S.CARRIED)),
)  # fmt: skip


@dataclass
class CommunityRow:
    name: str
    rank: int | None
    score: float | None
    stages: dict[str, list[Application]] = field(default_factory=dict)


def _latest_diagnosis(user):
    """The newest finished diagnosis about the user's area or an area above it in the tree."""
    node = user.jurisdiction
    paths = [node.path[:i] for i in range(len(node.path), 0, -node.steplen)]
    jobs = restrict(Job.objects.filter(kind="diagnose", status=JobStatus.SUCCEEDED), user)
    covering = jobs.filter(
        Q(jurisdiction__path__in=paths) | Q(jurisdiction__path__startswith=node.path)
    )
    return covering.order_by("-finished_at", "-pk").first()


def pipeline(user) -> dict:
    applications = (
        restrict(Application.objects.all(), user)
        .select_related("call", "community", "jurisdiction")
        .order_by("community__name", "call__opens_on", "pk")
    )
    diagnosis = _latest_diagnosis(user)
    ranks = {
        row.get("code"): (row.get("priority_rank"), row.get("priority_score"))
        for row in ((diagnosis.result or {}).get("communities", []) if diagnosis else [])
    }
    rows: dict[str, CommunityRow] = {}
    for application in applications:
        community = application.community
        key = community.code if community else ""
        rank, score = ranks.get(key, (None, None))
        row = rows.setdefault(
            key,
            CommunityRow(
                name=community.name if community else str(_("No community given")),
                rank=rank,
                score=score,
                stages={code: [] for code, _label, _states in STAGES},
            ),
        )
        stage = next(code for code, _label, states in STAGES if application.state in states)
        row.stages[stage].append(application)
    ordered = sorted(rows.values(), key=lambda r: (r.rank is None, r.rank or 0, r.name))
    totals = {code: sum(len(r.stages[code]) for r in ordered) for code, _l, _s in STAGES}
    return {
        "rows": ordered,
        "stages": [(code, label) for code, label, _states in STAGES],
        "totals": totals,
        "diagnosis": diagnosis,
    }
