"""Registry → plain tables for the compute core (``linli.planning``), read through ``restrict``.

Demand sits where people live: each compound's centroid carries its community's residents in
proportion to its households; a community without compounds counts at its own centroid.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import pandas as pd
from django.db.models import Q

from linli.core.permissions import restrict
from linli.planning.gaps import SUPPLY_FIELD
from linli.registry.models import (
    CandidateSite,
    Community,
    Compound,
    Facility,
    FacilityFunction,
    Jurisdiction,
    parent_path,
)
from linli.residents.utilisation import facility_use

# Metres in one degree of latitude, rounded down so that the boxes below err on the wide side.
METRES_PER_DEGREE = 110_000.0


@dataclass(frozen=True)
class AreaTables:
    communities: pd.DataFrame  # code, name, households, population, aged_*, …, in_area
    demand: pd.DataFrame  # community, lon, lat, population
    functions: pd.DataFrame  # facility, scenario, lon, lat, community, supply, beds, nursing_beds…
    sites: pd.DataFrame  # community, floor_area_m2 (available candidate sites)

    def own_demand(self) -> pd.DataFrame:
        """Demand points of the area's own communities (not of its surroundings)."""
        own = self.communities.loc[self.communities["in_area"], "code"]
        return self.demand[self.demand["community"].isin(own)].reset_index(drop=True)


def area_tables(user, area: Jurisdiction, reach_m: float = 0.0) -> AreaTables:
    """What ``user`` may see of ``area``, as the compute core's tables.

    Walking does not stop at an administrative boundary. With ``reach_m`` > 0 the tables also
    hold the surroundings: operating facilities within ``reach_m`` (straight line, so every
    facility a walk of ``reach_m`` can reach) of the area's residents, which serve them too,
    and the neighbouring communities within twice that, whose residents share those
    facilities (2SFCA); neighbours are marked ``in_area=False``. Only what the user may see
    counts: a city account sees across every boundary, a street officer only inside its street.
    Candidate sites are the area's own: a plan spends the area's budget.
    """
    own = _community_rows(_communities(user).filter(jurisdiction__path__startswith=area.path))
    own_demand = _demand(user, own)
    communities, demand = own, own_demand
    functions = _functions(user, Facility.objects.filter(jurisdiction__path__startswith=area.path))
    if reach_m > 0 and not own_demand.empty:
        outside = ~Q(jurisdiction__path__startswith=area.path)
        near = _around(own_demand, reach_m)
        functions = pd.concat(
            [functions, _functions(user, Facility.objects.filter(outside, **near("lon", "lat")))],
            ignore_index=True,
        )
        neighbours = _community_rows(_neighbours(user, outside, _around(own_demand, 2 * reach_m)))
        neighbours["in_area"] = False
        communities = pd.concat([own, neighbours], ignore_index=True)
        demand = pd.concat([own_demand, _demand(user, neighbours)], ignore_index=True)
    return AreaTables(
        communities=communities.drop(columns=["node"]),
        demand=demand,
        functions=functions,
        sites=_sites(user, area),
    )


def _around(points: pd.DataFrame, distance_m: float):
    """Lookups for the bounding box of ``points`` widened by ``distance_m``."""
    lat_margin = distance_m / METRES_PER_DEGREE
    lat_max = float(points["lat"].abs().max())
    lon_margin = distance_m / (METRES_PER_DEGREE * max(math.cos(math.radians(lat_max)), 0.01))
    lon_range = (float(points["lon"].min()) - lon_margin, float(points["lon"].max()) + lon_margin)
    lat_range = (float(points["lat"].min()) - lat_margin, float(points["lat"].max()) + lat_margin)

    def lookup(lon_field: str, lat_field: str) -> dict:
        return {f"{lon_field}__range": lon_range, f"{lat_field}__range": lat_range}

    return lookup


def _communities(user):
    return restrict(Community.objects.all(), user).select_related("jurisdiction")


def _neighbours(user, outside: Q, near) -> list[Community]:
    """Communities outside the area with a resident (compound or centroid) in the box.

    Compounds in the box are found first and their communities looked up by path, rather
    than by a correlated subquery per community (a prefix match the database cannot index).
    """
    steplen = Jurisdiction.steplen
    compound_paths = restrict(
        Compound.objects.filter(outside, **near("centroid_lon", "centroid_lat")), user
    ).values_list("jurisdiction__path", flat=True)
    parents = sorted({path[:-steplen] for path in compound_paths})
    candidates = _communities(user).filter(outside)
    found = {c.pk: c for c in candidates.filter(**near("centroid_lon", "centroid_lat"))}
    found.update((c.pk, c) for c in _in_chunks(candidates, "jurisdiction__path__in", parents))
    return list(found.values())


def _community_rows(communities) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "code": c.jurisdiction.code,
                "name": c.jurisdiction.name,
                "node": c.jurisdiction.path,
                **{figure: getattr(c, figure) for figure in Community.RESIDENT_FIGURES},
                "service_area_m2": float(c.service_area_m2),
                "lon": c.centroid_lon,
                "lat": c.centroid_lat,
                "in_area": True,
            }
            for c in communities
        ],
        columns=[
            "code",
            "name",
            "node",
            *Community.RESIDENT_FIGURES,
            "service_area_m2",
            "lon",
            "lat",
            "in_area",
        ],
    )


def _demand(user, communities: pd.DataFrame) -> pd.DataFrame:
    """Residents at the compounds of ``communities`` (a community's people shared by household
    count), or at the community centroid when it has no located compound."""
    rows = pd.DataFrame(
        [
            {
                "node": c.parent,
                "households": c.households,
                "lon": c.centroid_lon,
                "lat": c.centroid_lat,
            }
            for c in _compounds_of(user, list(communities["node"]))
            if c.centroid_lon is not None
        ],
        columns=["node", "households", "lon", "lat"],
    )
    by_node = communities.set_index("node")
    rows = rows[rows["node"].isin(by_node.index)]
    share = rows["households"] / rows.groupby("node")["households"].transform("sum")
    rows = rows.assign(
        community=by_node.loc[rows["node"], "code"].to_numpy(),
        population=share.fillna(0).to_numpy() * by_node.loc[rows["node"], "population"].to_numpy(),
    )
    # Communities with no located compound stand at their centroid.
    alone = communities[~communities["node"].isin(rows["node"]) & communities["lon"].notna()]
    centroids = alone.rename(columns={"code": "community"})[
        ["community", "lon", "lat", "population"]
    ]
    return pd.concat(
        [rows[["community", "lon", "lat", "population"]], centroids], ignore_index=True
    )


def _compounds_of(user, community_nodes: list[str]):
    """The compounds under the given community nodes."""
    steplen = Jurisdiction.steplen
    common = os.path.commonprefix(community_nodes) if community_nodes else ""
    compounds = restrict(
        Compound.objects.filter(
            jurisdiction__path__startswith=common[: len(common) // steplen * steplen]
        ),
        user,
    ).annotate(parent=parent_path("jurisdiction__path"))
    return _in_chunks(compounds, "parent__in", community_nodes)


def _in_chunks(queryset, lookup: str, values: list):
    """``queryset.filter(**{lookup: values})`` in chunks that stay within the database's
    limit on query parameters."""
    for start in range(0, len(values), 500):
        yield from queryset.filter(**{lookup: values[start : start + 500]})


def _functions(user, facilities) -> pd.DataFrame:
    """One row per service of the operating ``facilities`` the user may see."""
    operating = restrict(facilities.filter(status="operating"), user)
    functions = FacilityFunction.objects.filter(facility__in=operating).select_related(
        "facility__jurisdiction"
    )
    functions = list(functions)
    # Use and satisfaction from operations (linli.residents.utilisation): a facility full
    # every day counts as less supply; the method is documented there.
    use = facility_use({f.facility_id for f in functions})
    rows = []
    for f in functions:
        supply_field = SUPPLY_FIELD.get(f.scenario)
        used = use.get((f.facility_id, f.scenario))
        rows.append(
            {
                "facility": f.facility.code,
                "scenario": f.scenario,
                "lon": f.facility.lon,
                "lat": f.facility.lat,
                "community": f.facility.jurisdiction.code,
                "supply": (float(getattr(f, supply_field)) if supply_field else 1.0)
                * (used.factor if used else 1.0),
                "beds": f.beds,
                "nursing_beds": f.nursing_beds,
                "infant_slots": f.infant_slots,
                "name": f.facility.name,
                "utilisation": used.utilisation if used else None,
                "supply_factor": used.factor if used else 1.0,
                "satisfaction": used.satisfaction if used else None,
                "ratings": used.ratings if used else 0,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "facility",
            "scenario",
            "lon",
            "lat",
            "community",
            "supply",
            "beds",
            "nursing_beds",
            "infant_slots",
            "name",
            "utilisation",
            "supply_factor",
            "satisfaction",
            "ratings",
        ],
    )


def _sites(user, area: Jurisdiction) -> pd.DataFrame:
    """Available candidate sites; a site without a cost estimate counts as free to convert."""
    available = restrict(
        CandidateSite.objects.filter(jurisdiction__path__startswith=area.path, status="available"),
        user,
    ).select_related("jurisdiction")
    return pd.DataFrame(
        [
            {
                "code": s.code,
                "name": s.name,
                "community": s.jurisdiction.code,
                "lon": s.lon,
                "lat": s.lat,
                "floor_area_m2": float(s.floor_area_m2),
                "cost_cny": float(s.renovation_cost_cny or 0),
                "pk": s.pk,
            }
            for s in available
        ],
        columns=["code", "name", "community", "lon", "lat", "floor_area_m2", "cost_cny", "pk"],
    )
