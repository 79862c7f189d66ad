"""Planning pages: gap diagnoses and site plans, each run as a background job."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from linli.core.exports import xlsx_response
from linli.core.permissions import get_restricted_or_404, has_permission, restrict
from linli.core.views import requires
from linli.core.vocabulary import label
from linli.funding import services as funding_services
from linli.funding.models import Application
from linli.jobs.models import Job, JobStatus
from linli.jobs.services import job_submit
from linli.planning.gaps import SCENARIOS, standards_from_pack
from linli.plans import services
from linli.plans.forms import DiagnosisForm, PlanApplicationForm, SitePlanForm
from linli.plans.handlers import DIAGNOSE, SITE_PLAN
from linli.policy import load_pack, vocabulary
from linli.registry.models import Community


def _runs_page(request, *, kind: str, form_class, template: str, title, detail: str):
    """A planning page: the form that starts a run (for those who may) and the past runs."""
    form = form_class(request.POST or None, user=request.user)
    if request.method == "POST":
        if not has_permission(request.user, Job, "add"):
            raise PermissionDenied
        if form.is_valid():
            job = job_submit(
                actor=request.user,
                kind=kind,
                jurisdiction=form.cleaned_data["area"],
                params=form.job_params(),
            )
            return redirect(detail, pk=job.pk)
    runs = restrict(Job.objects.filter(kind=kind), request.user).select_related(
        "jurisdiction", "created_by"
    )[:50]
    can_run = has_permission(request.user, Job, "add")
    return render(
        request, template, {"title": title, "form": form, "runs": runs, "can_run": can_run}
    )


@requires(Job, "view")
def diagnosis_list(request):
    return _runs_page(
        request,
        kind=DIAGNOSE,
        form_class=DiagnosisForm,
        template="plans/diagnosis_list.html",
        title=_("Gap diagnosis"),
        detail="plans:diagnosis_detail",
    )


def _run(request, kind: str, pk: int) -> Job:
    """A run of ``kind`` the user may see; 404 otherwise."""
    return get_restricted_or_404(Job.objects.filter(kind=kind), request.user, pk=pk)


def _running(request, job: Job, title: str):
    """A run still going: its progress, polled until it is done, then its own result page."""
    return render(
        request,
        "plans/job_running.html",
        {"title": title, "job": job, "result_url": request.path},
    )


def _result(request, kind: str, pk: int) -> Job:
    """A finished run whose result the page reads; a run still going (or failed) is 404."""
    return get_restricted_or_404(
        Job.objects.filter(kind=kind, status=JobStatus.SUCCEEDED), request.user, pk=pk
    )


@requires(Job, "view")
def diagnosis_detail(request, pk: int):
    job = _run(request, DIAGNOSE, pk)
    if job.status != JobStatus.SUCCEEDED:
        return _running(request, job, _("Gap diagnosis of %(area)s") % {"area": job.jurisdiction})
    pack = load_pack(job.result["policy"])
    return render(
        request,
        "plans/diagnosis_detail.html",
        {
            "title": _("Gap diagnosis of %(area)s") % {"area": job.jurisdiction},
            "job": job,
            "rows": job.result["communities"],
            "standards": standards_from_pack(pack),
            "pack": pack,
            "scenarios": [(code, _scenario_label(code)) for code in SCENARIOS],
            "chart": _coverage_chart(job.result["coverage"], job.result["communities"]),
            "use": [
                row | {"scenario_label": _scenario_label(row["scenario"])}
                for row in job.result.get("use", [])
            ],
        },
    )


def _scenario_label(code: str) -> str:
    return label(vocabulary.SCENARIOS, code)


def _coverage_chart(coverage: list[dict], communities: list[dict]) -> dict:
    """Population share within each life circle, per scenario, over the whole area."""
    population = {row["code"]: row["population"] or 0 for row in communities}
    circles = sorted({row["life_circle_m"] for row in coverage})
    series = []
    for circle in circles:
        shares = []
        for scenario in SCENARIOS:
            rows = [
                r for r in coverage if r["scenario"] == scenario and r["life_circle_m"] == circle
            ]
            covered = sum(r["covered_weight"] for r in rows)
            total = sum(r["total_weight"] for r in rows) or sum(population.values())
            shares.append(round(100 * covered / total, 1) if total else 0)
        series.append({"name": f"{int(circle)} m", "data": shares})
    return {"scenarios": [_scenario_label(s) for s in SCENARIOS], "series": series}


@requires(Job, "view")
def diagnosis_map(request, pk: int):
    """Community boundaries with the run's measures, for the choropleth."""
    job = _result(request, DIAGNOSE, pk)
    measures = {row["code"]: row for row in job.result["communities"]}
    communities = restrict(
        Community.objects.filter(jurisdiction__code__in=measures), request.user
    ).select_related("jurisdiction")
    features = [
        {
            "type": "Feature",
            "geometry": c.boundary,
            "properties": {**measures[c.jurisdiction.code], "url": c.get_absolute_url()},
        }
        for c in communities
        if c.boundary
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})


def _export_columns() -> list[tuple[str, str, bool]]:
    """(result key, header in the reader's language, whether a share shown in per cent)."""
    return [
        ("priority_rank", _("Rank"), False),
        ("code", _("administrative code"), False),
        ("name", _("community"), False),
        ("population", _("population"), False),
        ("aged_60_plus", _("aged 60+"), False),
        ("priority_score", _("Priority score"), False),
        ("area_per_100_households", _("m² per 100 households"), False),
        ("beds_per_1000_aged_60_plus", _("beds per 1 000 aged 60+"), False),
        ("infant_slots_per_1000_people", _("infant slots per 1 000"), False),
        ("nursing_bed_share", _("nursing bed share (%)"), True),
        *(
            (
                f"covered_{code}",
                _("%(scenario)s within the 10-minute walk (%%)")
                % {"scenario": _scenario_label(code)},
                True,
            )
            for code in SCENARIOS
        ),
    ]


def _export_cell(value, percent: bool):
    return round(100 * value, 1) if percent and value is not None else value


@requires(Job, "view")
def diagnosis_export(request, pk: int):
    job = _result(request, DIAGNOSE, pk)
    columns = _export_columns()
    rows = (
        [_export_cell(row.get(key), percent) for key, _h, percent in columns]
        for row in job.result["communities"]
    )
    return xlsx_response(
        f"diagnosis-{job.pk}.xlsx", _("Gap diagnosis"), [h for _k, h, _p in columns], rows
    )


# --- Site plans ---------------------------------------------------------------------------


@requires(Job, "view")
def site_plan_list(request):
    return _runs_page(
        request,
        kind=SITE_PLAN,
        form_class=SitePlanForm,
        template="plans/site_plan_list.html",
        title=_("Site plans"),
        detail="plans:site_plan_detail",
    )


def _plan_context(job: Job) -> dict:
    labels = {code: _scenario_label(code) for code in SCENARIOS}
    sites = [
        {**site, "scenario_labels": [labels[s] for s in site["scenarios"]]}
        for site in job.result["sites"]
    ]
    radius = job.result["request"]["radius_m"]
    legend = {
        "title": _("Site plan"),
        "sites": _("Recommended site, by rank"),
        "reach": _("Reached on foot within %(radius)s m") % {"radius": f"{radius:.0f}"},
        "residents": _("Where the residents who gain live"),
        "others": _("Other candidate sites"),
    }
    return {
        "job": job,
        "plan": {**job.result, "gap_percent": 100 * job.result["gap"]},
        "sites": sites,
        "budget_wan": job.result["request"]["budget_cny"] / 10_000,
        "gains": [(labels[k], v) for k, v in job.result["gain_by_scenario"].items()],
        "map_data": {
            "legend": legend,
            "sites": [
                {
                    "rank": s["rank"],
                    "name": s["name"],
                    "lon": s["lon"],
                    "lat": s["lat"],
                    "services": "、".join(s["scenario_labels"]),
                    "points": s.get("gaining_points", []),
                    "reach": s.get("reach"),  # absent from plans made before it was drawn
                }
                for s in sites
            ],
        },
    }


@requires(Job, "view")
def site_plan_detail(request, pk: int):
    job = _run(request, SITE_PLAN, pk)
    title = _("Site plan for %(area)s") % {"area": job.jurisdiction}
    if job.status != JobStatus.SUCCEEDED:
        return _running(request, job, title)
    others = restrict(
        Job.objects.filter(kind=SITE_PLAN, status=JobStatus.SUCCEEDED), request.user
    ).exclude(pk=job.pk)[:20]
    return render(
        request,
        "plans/site_plan_detail.html",
        {
            "title": title,
            "others": others,
            "can_apply": has_permission(request.user, Application, "add"),
            **_plan_context(job),
        },
    )


@requires(Job, "view")
def site_plan_compare(request, pk: int, other: int):
    """Two plans side by side: what each buys, covers and costs."""
    plans = [_result(request, SITE_PLAN, pk), _result(request, SITE_PLAN, other)]
    return render(
        request,
        "plans/site_plan_compare.html",
        {
            "title": _("Compare site plans"),
            "plans": [_plan_context(job) for job in plans],
        },
    )


@requires(Application, "add")
def site_plan_apply(request, pk: int, rank: int):
    """生成申报: a draft application for one site of the plan, to the call the office picks."""
    job = _result(request, SITE_PLAN, pk)
    try:
        site = services.plan_site(job, rank)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("plans:site_plan_detail", pk=job.pk)
    open_now, upcoming = funding_services.calls_open_to(request.user)
    form = PlanApplicationForm(request.POST or None, calls=open_now)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_from_plan(
                actor=request.user, job=job, rank=rank, call=form.cleaned_data["call"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("Draft application created from the plan; complete it and save.")
            )
            return redirect("funding:application_edit", pk=application.pk)
    labels = {code: _scenario_label(code) for code in SCENARIOS}
    return render(
        request,
        "plans/site_plan_apply.html",
        {
            "title": _("Create an application: %(site)s") % {"site": site["name"]},
            "job": job,
            "site": {**site, "scenario_labels": [labels[s] for s in site["scenarios"]]},
            "form": form,
            "upcoming": upcoming,
        },
    )
