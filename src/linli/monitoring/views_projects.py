"""Officials' monitoring page of a project: plan and promise, the public flag, documents."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core.permissions import get_restricted_or_404, has_permission, restrict
from linli.core.views import requires
from linli.funding.models import Application
from linli.monitoring import services
from linli.monitoring.dashboard import FUNDED, delay_days, project_delays
from linli.monitoring.forms import PlanForm
from linli.monitoring.models import Document, ProjectPlan
from linli.monitoring.views_documents import kinds_for


def _project(request, pk: int) -> Application:
    return get_restricted_or_404(Application.objects.all(), request.user, pk=pk)


@requires(ProjectPlan, "view")
def project_list(request):
    delays = dict(project_delays(request.user, request.user.jurisdiction))
    projects = (
        restrict(Application.objects.all(), request.user)
        .filter(state__in=FUNDED)
        .select_related("monitoring_plan", "jurisdiction")
        .order_by("name")
    )
    rows = [(p, getattr(p, "monitoring_plan", None), delays.get(p)) for p in projects]
    return render(
        request,
        "monitoring/project_list.html",
        {"title": _("Funded projects: plans, promises and documents"), "rows": rows},
    )


@requires(ProjectPlan, "view")
def project_detail(request, pk: int):
    project = _project(request, pk)
    plan = ProjectPlan.objects.filter(application=project).first()
    scenarios = list(dict.fromkeys(project.functions.values_list("scenario", flat=True)))
    initial = {}
    if plan:
        initial = {
            "planned_start": plan.planned_start,
            "planned_completion": plan.planned_completion,
            "planned_opening": plan.planned_opening,
            **{f"cover_{s}": n for s, n in plan.promised_coverage.items()},
        }
    form = PlanForm(request.POST or None, initial=initial, scenarios=scenarios)
    if request.method == "POST":
        if not has_permission(request.user, ProjectPlan, "change"):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.plan_save(
                    actor=request.user,
                    application=project,
                    planned_start=form.cleaned_data["planned_start"],
                    planned_completion=form.cleaned_data["planned_completion"],
                    planned_opening=form.cleaned_data["planned_opening"],
                    promised_coverage=form.promised_coverage(),
                )
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("The plan and promise were saved."))
                return redirect("monitoring:project_detail", pk=project.pk)
    achieved = dict(project.milestones.values_list("kind", "achieved_on"))
    from datetime import date

    return render(
        request,
        "monitoring/project_detail.html",
        {
            "title": project.name,
            "crumbs": [
                (reverse("monitoring:project_list"), _("Project monitoring")),
                (None, project.name),
            ],
            "project": project,
            "plan": plan,
            "form": form,
            "delay": delay_days(plan, achieved, date.today()),
            "may_change": has_permission(request.user, ProjectPlan, "change"),
            "may_publish": has_permission(request.user, ProjectPlan, "publish"),
            "documents": restrict(Document.objects.filter(application=project), request.user),
            "draftable": kinds_for(request.user, project),
        },
    )


@require_POST
@requires(ProjectPlan, "publish")
def project_publish(request, pk: int):
    project = _project(request, pk)
    public = request.POST.get("public") == "1"
    services.project_publish(actor=request.user, application=project, public=public)
    messages.success(
        request,
        _("The project is shown on the public pages.")
        if public
        else _("The project is no longer shown on the public pages."),
    )
    return redirect("monitoring:project_detail", pk=project.pk)
