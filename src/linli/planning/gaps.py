"""Per-community gap report: coverage, standards, 2SFCA and a transparent priority score.

Plain tables in, plain tables out (no Django). Every figure names the standard it is held
against (:class:`Standards`, read from a policy pack with its citation).

The priority score ranks communities for pilot selection (121号 一: about 100 pilot
communities per city, chosen where 一老一小 needs concentrate). It is a weighted sum of four
factors, each scaled to 0–1 across the communities compared, weights from the pack's
``priority_weights``:

- ``service_gap``: the population share *not* within the 10-minute circle of each priority
  scenario (elderly care, infant care, after-school care, community meals), averaged — or,
  when a needs survey is chosen, weighted by the community's ranked needs
  (:mod:`linli.planning.needs`), so the gaps residents feel most count most;
- ``elderly_and_children_demand``: residents aged 60+ and 0–5 as a share of the population;
- ``site_readiness``: floor area of available candidate sites in the community;
- ``operating_conditions``: operating facilities in the community (services to build on).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from linli.planning.access import (
    Catchments,
    catchments,
    nearest_facilities,
    snap_index,
    snap_points,
)
from linli.planning.diagnose import community_coverage, community_two_step_fca, two_step_fca
from linli.planning.needs import weight_for
from linli.planning.network import WalkGraph
from linli.policy.pack import PolicyPack, Standard

PRIORITY_SCENARIOS = ("elderly_care", "infant_care", "child_afterschool", "community_meals")
SCENARIOS = (
    "elderly_care",
    "infant_care",
    "child_afterschool",
    "community_meals",
    "home_services",
    "health",
    "fitness",
    "culture_leisure",
    "child_play",
)
# The capacity that measures each scenario's supply (2SFCA); others count one per facility.
SUPPLY_FIELD = {
    "elderly_care": "beds",
    "infant_care": "infant_slots",
    "child_afterschool": "afterschool_places",
    "community_meals": "canteen_seats",
}
Progress = Callable[[int, str], None]


@dataclass(frozen=True)
class Standards:
    """The numbers a diagnosis holds communities against, each with its citation."""

    life_circles_m: tuple[float, ...]
    gap_circle_m: float  # coverage below this circle counts as a service gap (10 minutes)
    area_per_100_households: Standard
    area_per_100_households_target: Standard
    beds_per_1000_aged_60_plus: Standard
    infant_slots_per_1000_people: Standard
    nursing_bed_share: Standard
    weights: dict[str, Standard]


def standards_from_pack(pack: PolicyPack) -> Standards:
    circles = sorted(s.value for key, s in pack.life_circles.items() if key.startswith("walk_"))
    return Standards(
        life_circles_m=tuple(circles),
        gap_circle_m=circles[len(circles) // 2],
        area_per_100_households=pack.area_standards["community_service_m2_per_100_households"],
        area_per_100_households_target=pack.area_standards[
            "community_service_m2_per_100_households_target"
        ],
        beds_per_1000_aged_60_plus=pack.capacity_ratios["elderly_beds_per_1000_aged_60_plus"],
        infant_slots_per_1000_people=pack.capacity_ratios["infant_slots_per_1000_people"],
        nursing_bed_share=pack.capacity_ratios["nursing_bed_share"],
        weights=dict(pack.priority_weights),
    )


@dataclass(frozen=True)
class GapReport:
    """``communities``: one row per community with every measure and the priority rank.
    ``coverage``: community × scenario × life circle shares. ``off_network``: demand points
    and facilities too far from any walkable way to be placed on the network."""

    communities: pd.DataFrame
    coverage: pd.DataFrame
    off_network: dict[str, int]


def gap_report(
    graph: WalkGraph,
    communities: pd.DataFrame,
    demand: pd.DataFrame,
    functions: pd.DataFrame,
    sites: pd.DataFrame,
    standards: Standards,
    progress: Progress | None = None,
    need_weights: pd.DataFrame | None = None,
) -> GapReport:
    """Diagnose every community of ``communities``.

    Parameters
    ----------
    communities : DataFrame
        ``code, name, households, population, aged_0_2, aged_3_5, aged_60_plus,
        service_area_m2``, and optionally ``in_area``: ``False`` marks a neighbouring
        community across the boundary, whose residents share the facilities near the boundary
        (2SFCA) but which is not reported or ranked.
    demand : DataFrame
        ``community, lon, lat, population``: where residents live (compound centroids).
    functions : DataFrame
        ``facility, scenario, lon, lat, community, supply, beds, nursing_beds, infant_slots``:
        one row per service of an operating facility, those across the boundary included
        (they serve the area's residents too).
    sites : DataFrame
        ``community, floor_area_m2``: available candidate sites.
    need_weights : DataFrame, optional
        Residents' ranked needs, community × service (:func:`linli.planning.needs.need_weights`):
        each priority service's gap counts by its weight in the service-gap factor.
    """
    report = progress or (lambda _percent, _message: None)
    in_area = communities.get("in_area", pd.Series(True, index=communities.index))
    own = pd.Index(communities.loc[in_area.astype(bool), "code"])
    communities = communities.drop(columns=["in_area"], errors="ignore")
    index = snap_index(graph)
    origins = snap_points(index, demand["lon"].to_numpy(), demand["lat"].to_numpy())
    places = snap_points(index, functions["lon"].to_numpy(), functions["lat"].to_numpy())
    on_net, facility_ok = ~origins.too_far, ~places.too_far
    own_off_network = int((~on_net & demand["community"].isin(own).to_numpy()).sum())
    demand, origin_node = demand[on_net], origins.node[on_net]
    functions, facility_node = functions[facility_ok], places.node[facility_ok]
    report(20, "nearest facilities")

    nearest = nearest_facilities(
        graph,
        origin_node,
        facility_node,
        functions["scenario"].to_numpy(),
        max_distance_m=max(standards.life_circles_m),
        scenarios=SCENARIOS,
    )
    coverage = community_coverage(
        demand["community"].to_numpy(),
        demand["population"].to_numpy(),
        nearest,
        standards.life_circles_m,
    )
    report(50, "catchments (2SFCA)")
    table = communities.set_index("code")
    table = table.join(_standard_measures(table, standards))
    table = table.join(
        _reachable_capacity(graph, table, demand, origin_node, functions, facility_node, standards)
    )
    table = table.join(_gaps(coverage, standards.gap_circle_m))
    table, coverage = table[table.index.isin(own)], coverage[coverage["community_id"].isin(own)]
    report(85, "priority score")
    table = table.join(_priority(table, functions, sites, standards, need_weights))
    table = table.sort_values("priority_score", ascending=False)
    table["priority_rank"] = np.arange(1, len(table) + 1)
    off = {"demand_points": own_off_network, "facilities": int((~facility_ok).sum())}
    return GapReport(table.reset_index(), coverage.reset_index(drop=True), off)


def _standard_measures(table: pd.DataFrame, s: Standards) -> pd.DataFrame:
    per_100 = table["service_area_m2"] / table["households"].where(table["households"] > 0) * 100
    return pd.DataFrame(
        {
            "area_per_100_households": per_100,
            "meets_area_baseline": per_100 >= s.area_per_100_households.value,
            "meets_area_target": per_100 >= s.area_per_100_households_target.value,
        }
    )


def _reachable_capacity(graph, table, demand, origin_node, functions, facility_node, s):
    """Capacity within the 15-minute walk per resident (2SFCA), against the standards."""
    radius = max(s.life_circles_m)
    aged_share = table["aged_60_plus"] / table["population"].where(table["population"] > 0)
    elderly_demand = (
        demand["population"].to_numpy()
        * aged_share.reindex(demand["community"]).fillna(0).to_numpy()
    )

    searches: dict[str, tuple[np.ndarray, Catchments]] = {}

    def ratio(scenario: str, column: str, weights: np.ndarray) -> pd.Series:
        """Community 2SFCA of one supply column; each scenario's catchments searched once."""
        if scenario not in searches:
            rows = (functions["scenario"] == scenario).to_numpy()
            searches[scenario] = (rows, catchments(graph, facility_node[rows], radius))
        rows, reach = searches[scenario]
        access = two_step_fca(
            graph,
            origin_node,
            weights,
            facility_node[rows],
            functions.loc[rows, column].to_numpy(dtype=float),
            radius,
            reach=reach,
        )
        return community_two_step_fca(demand["community"].to_numpy(), weights, access)

    people = demand["population"].to_numpy()
    beds = ratio("elderly_care", "beds", elderly_demand) * 1000
    nursing = ratio("elderly_care", "nursing_beds", elderly_demand) * 1000
    slots = ratio("infant_care", "infant_slots", people) * 1000
    out = pd.DataFrame(
        {
            "beds_per_1000_aged_60_plus": beds,
            "infant_slots_per_1000_people": slots,
            "nursing_bed_share": (nursing / beds.where(beds > 0)),
        }
    ).reindex(table.index)
    out["meets_beds_standard"] = (
        out["beds_per_1000_aged_60_plus"] >= s.beds_per_1000_aged_60_plus.value
    )
    out["meets_infant_standard"] = (
        out["infant_slots_per_1000_people"] >= s.infant_slots_per_1000_people.value
    )
    out["meets_nursing_share"] = out["nursing_bed_share"] >= s.nursing_bed_share.value
    for scenario in SCENARIOS:
        out[f"sfca_{scenario}"] = ratio(scenario, "supply", people).reindex(table.index) * 1000
    return out


def _gaps(coverage: pd.DataFrame, circle: float) -> pd.DataFrame:
    """Coverage share within the gap circle, one column per scenario."""
    at_circle = coverage[np.isclose(coverage["life_circle_m"], circle)]
    wide = at_circle.pivot(index="community_id", columns="scenario", values="share")
    return wide.reindex(columns=list(SCENARIOS)).add_prefix("covered_")


def _scaled(values: pd.Series) -> pd.Series:
    values = values.astype(float).fillna(0)
    span = values.max() - values.min()
    return (values - values.min()) / span if span > 0 else values * 0


def _priority(table, functions, sites, s: Standards, need_weights=None) -> pd.DataFrame:
    gaps = 1 - table[[f"covered_{x}" for x in PRIORITY_SCENARIOS]].fillna(0)
    codes = [str(code) for code in table.index]
    weights = np.column_stack([weight_for(need_weights, codes, x) for x in PRIORITY_SCENARIOS])
    weights[weights.sum(axis=1) == 0] = 1.0  # nobody ranks any of them: plain mean
    service_gap = (gaps.to_numpy() * weights).sum(axis=1) / weights.sum(axis=1)
    service_gap = pd.Series(service_gap, index=table.index)
    population = table["population"].where(table["population"] > 0)
    demand = (table["aged_60_plus"] + table["aged_0_2"] + table["aged_3_5"]) / population
    readiness = sites.groupby("community")["floor_area_m2"].sum().reindex(table.index).fillna(0)
    operating = functions.groupby("community")["facility"].nunique().reindex(table.index).fillna(0)
    factors = pd.DataFrame(
        {
            "service_gap": service_gap,
            "elderly_and_children_demand": demand,
            "site_readiness": readiness,
            "operating_conditions": operating,
        }
    )
    score = sum(s.weights[name].value * _scaled(factors[name]) for name in factors.columns)
    return factors.add_prefix("factor_").assign(priority_score=score)
