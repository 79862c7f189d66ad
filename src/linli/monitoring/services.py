"""Monitoring's writes: each checks permission and scope, runs in a transaction and is audited."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from linli.audit.models import AuditAction
from linli.audit.services import audit_record, snapshot
from linli.core.permissions import require_model_permission, require_permission
from linli.funding.models import Application
from linli.monitoring.models import ProjectPlan
from linli.policy import vocabulary


def _plan_for(application: Application) -> tuple[ProjectPlan, dict | None]:
    plan = ProjectPlan.objects.select_for_update().filter(application=application).first()
    if plan is None:
        return ProjectPlan(application=application), None
    return plan, snapshot(plan)


def _check_coverage(promised: dict) -> dict:
    cleaned = {}
    for scenario, residents in (promised or {}).items():
        if scenario not in vocabulary.SCENARIOS:
            raise ValidationError(
                _("Promised coverage: %(code)s is not a service scenario; choose one of the nine.")
                % {"code": scenario}
            )
        if not isinstance(residents, int) or residents < 0:
            raise ValidationError(
                _("Promised coverage: enter a whole number of residents (0 or more) for %(s)s.")
                % {"s": vocabulary.SCENARIOS[scenario][0]}
            )
        cleaned[scenario] = residents
    return cleaned


def plan_save(
    *,
    actor,
    application: Application,
    planned_start: date | None,
    planned_completion: date | None,
    planned_opening: date | None,
    promised_coverage: dict | None = None,
) -> ProjectPlan:
    """Record a project's planned dates and promise (the preparing office, or the city)."""
    require_model_permission(actor, "change", ProjectPlan)
    require_permission(actor, "view", application)
    if planned_start and planned_completion and planned_completion < planned_start:
        raise ValidationError(
            _("Planned completion: the date must not be before the planned construction start.")
        )
    coverage = _check_coverage(promised_coverage)
    with transaction.atomic():
        plan, before = _plan_for(application)
        plan.planned_start = planned_start
        plan.planned_completion = planned_completion
        plan.planned_opening = planned_opening
        plan.promised_coverage = coverage
        plan.updated_by = actor
        plan.full_clean()
        plan.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
            obj=plan,
            before=before,
            after=snapshot(plan),
        )
    return plan


def project_publish(*, actor, application: Application, public: bool) -> ProjectPlan:
    """The city marks a project public (or withdraws it) for the public pages; audited."""
    require_model_permission(actor, "publish", ProjectPlan)
    require_permission(actor, "view", application)
    with transaction.atomic():
        plan, before = _plan_for(application)
        plan.public = public
        plan.updated_by = actor
        plan.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
            obj=plan,
            before=before,
            after=snapshot(plan),
        )
    return plan
