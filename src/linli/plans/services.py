"""From a site plan to a funding application: the recommended site becomes a draft,
pre-filled with its services, areas, cost and the planning evidence."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from linli.core.permissions import get_restricted_or_404
from linli.funding import services as funding
from linli.funding.evaluation import call_pack
from linli.funding.models import Application, Call
from linli.jobs.models import Job
from linli.registry.models import CandidateSite


def plan_site(job: Job, rank: int) -> dict:
    """The site ranked ``rank`` in the site plan ``job``."""
    recommended = next((s for s in job.result["sites"] if s["rank"] == rank), None)
    if recommended is None:
        raise ValidationError(_("The plan has no site ranked %(rank)s.") % {"rank": rank})
    return recommended


def application_from_plan(*, actor, job: Job, rank: int, call: Call) -> Application:
    """A draft application to ``call`` for the site ranked ``rank`` in the site plan ``job``
    (the call service checks it is open and invites the office)."""
    recommended = plan_site(job, rank)
    site = get_restricted_or_404(CandidateSite.objects.all(), actor, pk=recommended["site_pk"])
    categories = call_pack(call).scenarios  # the version the call opened with
    area = Decimal(str(job.result["request"]["min_floor_area_m2"])).quantize(Decimal("0.01"))
    functions = [
        {"scenario": code, "category": categories[code][0], "floor_area_m2": area}
        for code in recommended["scenarios"]
    ]
    return funding.application_create(
        actor=actor,
        call=call,
        functions=functions,
        name=_("%(site)s community embedded service facility") % {"site": site.name},
        site=site,
        community=site.jurisdiction,
        kind="complex" if len(functions) >= 3 else "scattered",
        construction="stock_conversion",
        space_source=site.space_source,
        # The usual model for a converted public building; the office changes it in the form.
        operating_model="public_built_private_run",
        gross_floor_area_m2=site.floor_area_m2,
        total_investment_cny=Decimal(str(recommended["cost"])).quantize(Decimal("0.01")),
        planning_evidence={
            "site_plan": job.pk,
            "rank": rank,
            "residents_gaining": round(recommended["gain"]),
            "gain_by_scenario": recommended["gain_by_scenario"],
            "communities_gaining": recommended["communities"],
            "walking_distance_m": job.result["request"]["radius_m"],
            "plan_optimal": job.result["optimal"],
            "policy": job.result["policy"],
        },
    )
