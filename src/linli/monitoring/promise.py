"""Promise against reality. Each application states what it promises: the residents newly
within the walking circle per scenario (its plan), its capacity (its functions) and its opening
date (its plan). Once it opens, the platform measures the same from the registry (the facility
the project became, Application.facility), the network (gap diagnoses before and after the
opening) and the operators' monthly use records, and flags what falls short of the policy
pack's ``[monitoring]`` thresholds after the pack's number of months.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from linli.audit.models import AuditAction
from linli.audit.services import audit_record, snapshot
from linli.core.permissions import (
    require_model_permission,
    require_permission,
    restrict,
)
from linli.funding.choices import ApplicationState, MilestoneKind
from linli.funding.models import Application
from linli.monitoring.dashboard import latest_coverage
from linli.monitoring.models import Flag, FlagState, Measure
from linli.planning.gaps import standards_from_pack
from linli.policy import load_pack
from linli.registry.models import Jurisdiction, Level

# Capacity column of a facility function → what a use record says is used of it.
USE_OF = {"beds": "beds_occupied", "infant_slots": "infant_places_filled"}
# Application function capacity → facility function capacity.
CAPACITY = {"beds": "beds", "nursing_beds": "nursing_beds", "infant_slots": "infant_slots",
            "seats": "canteen_seats"}  # fmt: skip
TWO = Decimal("0.01")


@dataclass(frozen=True)
class Finding:
    measure: str
    scenario: str
    promised: Decimal
    measured: Decimal | None  # None: not measurable yet
    threshold: Decimal
    short: bool
    detail: str


def thresholds():
    return load_pack(settings.POLICY_PACK).monitoring


def _months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)


def _district(node: Jurisdiction) -> Jurisdiction:
    if node.level in (Level.CITY, Level.DISTRICT):
        return node
    return Jurisdiction.objects.get_ancestors(node).filter(level=Level.DISTRICT).first() or node


def measure_project(actor, project: Application, today: date | None = None) -> list[Finding]:
    """What the project promised and what the platform measures, measure by measure (the
    findings' text is the record's, in Chinese)."""
    with translation.override("zh-hans"):
        return _measure_project(actor, project, today)


def _measure_project(actor, project: Application, today: date | None) -> list[Finding]:
    from linli.operations.models import UseRecord

    today = today or timezone.localdate()
    limits = thresholds()
    opened = project.milestones.filter(kind=MilestoneKind.OPERATION).first()
    if limits is None or opened is None:
        return []
    plan = getattr(project, "monitoring_plan", None)
    facility = project.facility
    findings: list[Finding] = []
    # Opening date against the promised date.
    if plan and plan.planned_opening:
        late = (opened.achieved_on - plan.planned_opening).days
        findings.append(
            Finding(
                Measure.OPENING,
                "",
                Decimal(0),
                Decimal(late),
                Decimal(limits.max_opening_delay_days),
                late > limits.max_opening_delay_days,
                f"投入运营 {opened.achieved_on:%Y-%m-%d}，承诺 {plan.planned_opening:%Y-%m-%d}",
            )
        )
    # Capacity delivered (the registry facility) against capacity promised (the functions).
    delivered = {}
    if facility is not None:
        for function in facility.functions.all():
            delivered[function.scenario] = function
    for function in project.functions.all():
        there = delivered.get(function.scenario)
        for promised_field, facility_field in CAPACITY.items():
            promised = getattr(function, promised_field) or 0
            if not promised:
                continue
            measured = getattr(there, facility_field, 0) if there else 0
            findings.append(
                Finding(
                    Measure.CAPACITY,
                    function.scenario,
                    Decimal(promised),
                    Decimal(measured),
                    Decimal(promised),
                    measured < promised,
                    f"{function.get_scenario_display()}：承诺{promised}，登记{measured}"
                    f"（{promised_field}）",
                )
            )
    # Use of capacity after N months, from the operators' monthly records.
    if facility is not None and _months_between(opened.achieved_on, today) >= (
        limits.months_after_opening
    ):
        since = (opened.achieved_on.replace(day=1) + timedelta(days=32)).replace(day=1)
        for scenario, function in delivered.items():
            for capacity_field, use_field in USE_OF.items():
                capacity = getattr(function, capacity_field) or 0
                if not capacity:
                    continue
                records = list(
                    UseRecord.objects.filter(
                        facility=facility, scenario=scenario, month__gte=since, month__lt=today
                    ).values_list(use_field, flat=True)
                )
                used = (
                    (Decimal(sum(records)) / len(records) / capacity).quantize(TWO)
                    if records
                    else Decimal(0)
                )
                findings.append(
                    Finding(
                        Measure.USE,
                        scenario,
                        Decimal(capacity),
                        used,
                        limits.min_use_share,
                        used < limits.min_use_share,
                        f"{function.get_scenario_display()}：开业后 {len(records)} 个月平均使用率"
                        f" {used:.0%}",
                    )
                )
    if facility is not None and limits.min_mean_stars is not None:
        findings += _satisfaction(facility, opened.achieved_on, today, limits)
    # Residents newly within the walking circle: diagnoses before and since the opening.
    if plan and plan.promised_coverage:
        circle = standards_from_pack(load_pack(settings.POLICY_PACK)).gap_circle_m
        area = _district(project.community or project.jurisdiction)
        for scenario, promised in plan.promised_coverage.items():
            before = latest_coverage(actor, area, scenario, circle, before=opened.achieved_on)
            after = latest_coverage(actor, area, scenario, circle, since=opened.achieved_on)
            if not before or not after:
                findings.append(
                    Finding(
                        Measure.COVERAGE,
                        scenario,
                        Decimal(promised),
                        None,
                        Decimal(promised) * limits.min_coverage_share,
                        False,
                        "尚无开业前后的缺口诊断，暂不能测算",
                    )  # fmt: skip
                )
                continue
            common = {r.community for r in before} & {r.community for r in after}
            gained = sum((r.covered for r in after if r.community in common), Decimal(0)) - sum(
                (r.covered for r in before if r.community in common), Decimal(0)
            )
            floor = (Decimal(promised) * limits.min_coverage_share).quantize(TWO)
            findings.append(
                Finding(
                    Measure.COVERAGE,
                    scenario,
                    Decimal(promised),
                    gained.quantize(TWO),
                    floor,
                    gained < floor,
                    f"承诺新增覆盖 {promised} 人，实测新增 {gained:.0f} 人",
                )
            )
    return findings


def _satisfaction(facility, opened: date, today: date, limits) -> list[Finding]:
    """The residents' mean rating (1–5 stars) of their visits since the opening, per scenario,
    once the pack's months have passed; a scenario nobody has rated yet is not measurable."""
    from django.db.models import Avg, Count

    from linli.residents.models import Rating

    if _months_between(opened, today) < limits.months_after_opening:
        return []
    rated = (
        Rating.objects.filter(
            booking__session__service__facility=facility, booking__session__date__gte=opened
        )
        .values("booking__session__service__scenario")
        .annotate(mean=Avg("stars"), count=Count("pk"))
    )
    findings = []
    for row in rated.order_by("booking__session__service__scenario"):
        mean = Decimal(str(row["mean"])).quantize(TWO)
        findings.append(
            Finding(
                Measure.SATISFACTION,
                row["booking__session__service__scenario"],
                limits.min_mean_stars,
                mean,
                limits.min_mean_stars,
                mean < limits.min_mean_stars,
                f"居民对 {row['count']} 次到场服务的平均评分 {mean} 星",
            )
        )
    return findings


def operating_projects(actor):
    return (
        restrict(Application.objects.all(), actor)
        .filter(state=ApplicationState.OPERATING)
        .select_related("facility", "monitoring_plan", "community", "jurisdiction")
    )


def flags_raise(*, actor, today: date | None = None) -> list[Flag]:
    """Measure every operating project the actor may see and flag each new shortfall."""
    require_model_permission(actor, "add", Flag)
    today = today or timezone.localdate()
    raised = []
    for project in operating_projects(actor):
        for finding in measure_project(actor, project, today):
            if not finding.short or finding.measured is None:
                continue
            if Flag.objects.filter(
                application=project,
                measure=finding.measure,
                scenario=finding.scenario,
                state=FlagState.OPEN,
            ).exists():
                continue
            try:
                with transaction.atomic():
                    flag = Flag.objects.create(
                        application=project,
                        facility=project.facility,
                        measure=finding.measure,
                        scenario=finding.scenario,
                        promised=finding.promised,
                        measured=finding.measured,
                        threshold=finding.threshold,
                        detail=finding.detail[:300],
                        raised_on=today,
                    )
                    audit_record(
                        actor=actor, action=AuditAction.CREATE, obj=flag, after=snapshot(flag)
                    )
            except IntegrityError:  # raised meanwhile by another run
                continue
            raised.append(flag)
    return raised


def flag_answer(*, actor, flag: Flag, answer: str) -> Flag:
    """The district answers a flag on the record (audited); the answer names what it will do."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    require_model_permission(actor, "answer", Flag)
    require_permission(actor, "view", flag)
    if not answer.strip():
        raise ValidationError({"answer": _("Answer: say why and what the district will do.")})
    with transaction.atomic():
        flag = Flag.objects.select_for_update().get(pk=flag.pk)
        if flag.state != FlagState.OPEN:
            raise ValidationError(_("This flag has already been answered."))
        before = snapshot(flag)
        flag.state = FlagState.ANSWERED
        flag.answer = answer.strip()
        flag.answered_by = actor
        flag.answered_at = timezone.now()
        flag.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=flag,
            before=before,
            after=snapshot(flag),
        )
    return flag
