"""Registry → plain tables for the compute core (``linli.planning``), read through ``restrict``.

Demand sits where people live: each compound's centroid carries its community's residents in
proportion to its households; a community without compounds counts at its own centroid.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from linli.core.permissions import restrict
from linli.planning.gaps import SUPPLY_FIELD
from linli.registry.models import (
    CandidateSite,
    Community,
    Compound,
    Facility,
    FacilityFunction,
    Jurisdiction,
)


@dataclass(frozen=True)
class AreaTables:
    communities: pd.DataFrame  # code, name, households, population, aged_*, service_area_m2
    demand: pd.DataFrame  # community, lon, lat, population
    functions: pd.DataFrame  # facility, scenario, lon, lat, community, supply, beds, nursing_beds…
    sites: pd.DataFrame  # community, floor_area_m2 (available candidate sites)


def area_tables(user, area: Jurisdiction) -> AreaTables:
    """What ``user`` may see of ``area``, as the compute core's tables."""
    communities = restrict(
        Community.objects.filter(jurisdiction__path__startswith=area.path), user
    ).select_related("jurisdiction")
    community_rows = pd.DataFrame(
        [
            {
                "code": c.jurisdiction.code,
                "name": c.jurisdiction.name,
                "node": c.jurisdiction.path,
                **{figure: getattr(c, figure) for figure in Community.RESIDENT_FIGURES},
                "service_area_m2": float(c.service_area_m2),
                "lon": c.centroid_lon,
                "lat": c.centroid_lat,
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
        ],
    )
    return AreaTables(
        communities=community_rows.drop(columns=["node"]),
        demand=_demand(user, area, community_rows),
        functions=_functions(user, area),
        sites=_sites(user, area),
    )


def _demand(user, area: Jurisdiction, communities: pd.DataFrame) -> pd.DataFrame:
    compounds = restrict(
        Compound.objects.filter(jurisdiction__path__startswith=area.path), user
    ).select_related("jurisdiction")
    steplen = Jurisdiction.steplen
    rows = pd.DataFrame(
        [
            {
                "node": c.jurisdiction.path[:-steplen],
                "households": c.households,
                "lon": c.centroid_lon,
                "lat": c.centroid_lat,
            }
            for c in compounds
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


def _functions(user, area: Jurisdiction) -> pd.DataFrame:
    operating = restrict(
        Facility.objects.filter(jurisdiction__path__startswith=area.path, status="operating"), user
    )
    functions = FacilityFunction.objects.filter(facility__in=operating).select_related(
        "facility__jurisdiction"
    )
    rows = []
    for f in functions:
        supply_field = SUPPLY_FIELD.get(f.scenario)
        rows.append(
            {
                "facility": f.facility.code,
                "scenario": f.scenario,
                "lon": f.facility.lon,
                "lat": f.facility.lat,
                "community": f.facility.jurisdiction.code,
                "supply": float(getattr(f, supply_field)) if supply_field else 1.0,
                "beds": f.beds,
                "nursing_beds": f.nursing_beds,
                "infant_slots": f.infant_slots,
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
