"""Job handlers: read the registry (as the job's creator may see it), run the compute core."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from linli.core.permissions import restrict
from linli.jobs.runner import JobRefused, register
from linli.planning.gaps import gap_report, standards_from_pack
from linli.planning.network import read_walk_graph
from linli.plans.inputs import area_tables
from linli.policy import load_pack

DIAGNOSE = "diagnose"
# The stages the compute core (no Django) reports in English: marked here so that the
# catalog holds them and the job's page shows them in the reader's language.
CORE_STAGES = (
    gettext_noop("nearest facilities"),
    gettext_noop("catchments (2SFCA)"),
    gettext_noop("priority score"),
)


def network_path() -> Path:
    """The city's walking network (OpenStreetMap); the demo city's own by default."""
    return Path(settings.PLANNING_NETWORK_FILE or settings.DATA_DIR / "demo" / "network.osm.pbf")


def need_weights_of(job) -> tuple:
    """The need weights of the survey the job asks for, read as its creator may see it:
    (weights for the core, what the result shows), or (None, None)."""
    from linli.participation.models import Survey
    from linli.participation.selectors import survey_need_weights

    pk = job.params.get("survey")
    if not pk:
        return None, None
    survey = restrict(Survey.objects.all(), job.created_by).filter(pk=pk).first()
    if survey is None:
        raise JobRefused(
            gettext_noop("The needs survey chosen is not visible to the plan's author.")
        )
    return survey_need_weights(survey, job.created_by)


@register(DIAGNOSE, _("gap diagnosis"))
def diagnose(job, report) -> dict:
    pack = load_pack(job.params["policy"])
    standards = standards_from_pack(pack)
    report(5, gettext_noop("reading the registry"))
    tables = area_tables(job.created_by, job.jurisdiction, reach_m=max(standards.life_circles_m))
    weights, shown = need_weights_of(job)
    report(10, gettext_noop("reading the walking network"))
    graph = read_walk_graph(network_path(), cache_dir=settings.DATA_DIR / "cache" / "networks")
    result = gap_report(
        graph,
        tables.communities,
        tables.demand,
        tables.functions,
        tables.sites,
        standards,
        progress=report,
        need_weights=weights,
    )
    # NaN is not JSON: pandas writes it as null.
    used = tables.functions[
        tables.functions["utilisation"].notna() | (tables.functions["ratings"] > 0)
    ]
    return {
        "use": json.loads(
            used[
                [
                    "facility",
                    "name",
                    "scenario",
                    "utilisation",
                    "supply_factor",
                    "satisfaction",
                    "ratings",
                ]
            ].to_json(orient="records")
        ),
        "policy": pack.id,
        "communities": json.loads(result.communities.to_json(orient="records")),
        "coverage": json.loads(result.coverage.to_json(orient="records")),
        "off_network": result.off_network,
        "need_weights": shown,
    }


SITE_PLAN = "site_plan"


@register(SITE_PLAN, _("site plan"))
def plan_sites(job, report) -> dict:
    from linli.planning.reach import reach_areas
    from linli.planning.site_plan import PlanRequest, plan_summary, site_plan

    params = job.params
    pack = load_pack(params["policy"])
    report(5, gettext_noop("reading the registry"))
    # Facilities across the boundary already serve residents near it; the plan spends the
    # area's budget on the area's own residents.
    tables = area_tables(job.created_by, job.jurisdiction, reach_m=float(params["radius_m"]))
    demand = tables.own_demand()
    if tables.sites.empty:
        raise JobRefused(gettext_noop("The area has no available candidate site."))
    weights, shown = need_weights_of(job)
    graph = read_walk_graph(network_path(), cache_dir=settings.DATA_DIR / "cache" / "networks")
    report(20, gettext_noop("walking distances and optimisation"))
    request = PlanRequest(
        scenarios=tuple(params["scenarios"]),
        budget_cny=float(params["budget_cny"]),
        max_sites=params.get("max_sites"),
        radius_m=float(params["radius_m"]),
        min_floor_area_m2=float(params["min_floor_area_m2"]),
        fundable_complexes=bool(params["fundable_complexes"]),
        time_limit_s=float(params.get("time_limit_s", 30)),
        need_weights=weights,
    )
    plan = site_plan(
        graph, tables.communities, demand, tables.functions, tables.sites, request, pack
    )
    summary = plan_summary(plan, tables.sites, demand)
    names = dict(zip(tables.communities["code"], tables.communities["name"], strict=True))
    site_pk = dict(zip(tables.sites["code"], tables.sites["pk"], strict=True))
    report(90, gettext_noop("walking reach of the sites"))
    reach = reach_areas(
        graph,
        [site["lon"] for site in summary["sites"]],
        [site["lat"] for site in summary["sites"]],
        request.radius_m,
    )
    for site, area in zip(summary["sites"], reach, strict=True):
        site["reach"] = area  # the streets within the walking distance, for the map
        site["site_pk"] = int(site_pk[site["code"]])
        site["communities"] = {
            names.get(code, code): round(w, 1) for code, w in site["communities"].items()
        }
    return {"policy": pack.id, "request": params, "need_weights": shown, **summary}
