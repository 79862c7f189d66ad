"""A district's site plan: which candidate buildings to convert and which services each hosts.

Plain tables in, plain data out (no Django). Demand per scenario follows who uses it:
residents aged 60+ for elderly care and community meals, 0–2 for infant care, 6–12 for
after-school care, everyone for the rest. Demand already within reach of an existing facility
of the scenario gains nothing (existing facilities count as open). Residents' ranked needs, when
a survey is chosen, weigh each community's demand per scenario (:mod:`linli.planning.needs`).
The fundable-complex rule (e.g. Beijing: ≥ 3 scenarios, ≥ 2 priority ones) comes from the
policy pack.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from linli.planning.access import nearest_facilities, snap_index, snap_points
from linli.planning.needs import weight_for
from linli.planning.network import WalkGraph
from linli.planning.siting import (
    ComplexRule,
    FunctionMixPlan,
    Scenario,
    function_mix,
    walking_distances,
)
from linli.policy.pack import PolicyPack

# Which residents each scenario serves (columns of the communities table); None: everyone.
SERVED_GROUP = {
    "elderly_care": "aged_60_plus",
    "community_meals": "aged_60_plus",
    "infant_care": "aged_0_2",
    "child_afterschool": "aged_6_12",
}


@dataclass(frozen=True)
class PlanRequest:
    scenarios: tuple[str, ...]
    budget_cny: float
    max_sites: int | None
    radius_m: float
    min_floor_area_m2: float
    fundable_complexes: bool
    time_limit_s: float = 30.0
    # Residents' ranked needs (linli.planning.needs.need_weights): community × service.
    need_weights: pd.DataFrame | None = None


def complex_rule(pack: PolicyPack) -> tuple[ComplexRule, frozenset[str]]:
    """The pack's fundable-project rule and its priority scenarios."""
    rules = {rule.id: rule for rule in pack.rules}
    minimum = rules["functions.min_scenarios"].params["minimum"]
    priority = rules["functions.min_priority_scenarios"].params
    return ComplexRule(int(minimum), int(priority["minimum"])), frozenset(priority["scenarios"])


def scenario_demand(communities: pd.DataFrame, demand: pd.DataFrame, scenario: str) -> np.ndarray:
    """Residents at each demand point who use ``scenario``."""
    group = SERVED_GROUP.get(scenario)
    if group is None:
        return demand["population"].to_numpy(dtype=float)
    table = communities.set_index("code")
    share = (table[group] / table["population"].where(table["population"] > 0)).fillna(0)
    return (
        demand["population"].to_numpy(dtype=float)
        * share.reindex(demand["community"]).fillna(0).to_numpy()
    )


def weighted_demand(
    communities: pd.DataFrame,
    demand: pd.DataFrame,
    scenario: str,
    need_weights: pd.DataFrame | None = None,
) -> np.ndarray:
    """Residents at each demand point who use ``scenario``, weighed by their community's
    ranked need for it when a survey's weights are given (:mod:`linli.planning.needs`)."""
    codes = demand["community"].astype(str).tolist()
    return scenario_demand(communities, demand, scenario) * weight_for(
        need_weights, codes, scenario
    )


def site_plan(
    graph: WalkGraph,
    communities: pd.DataFrame,
    demand: pd.DataFrame,
    functions: pd.DataFrame,
    sites: pd.DataFrame,
    request: PlanRequest,
    pack: PolicyPack,
) -> FunctionMixPlan:
    """Plan conversions among ``sites`` (``lon, lat, floor_area_m2, cost_cny``)."""
    distances, _demand_off, _sites_off = walking_distances(
        graph, (demand["lon"], demand["lat"]), (sites["lon"], sites["lat"]), request.radius_m
    )
    # Stored entries are the pairs within reach, zero distances included (not .nonzero()).
    pairs = distances.tocoo()
    dense = np.full(distances.shape, np.inf)
    dense[pairs.row, pairs.col] = pairs.data
    served = _served(graph, demand, functions, request)
    rule, priority = complex_rule(pack)
    scenarios = [
        Scenario(
            code=code,
            weights=weighted_demand(communities, demand, code, request.need_weights),
            radius=request.radius_m,
            min_floor_area_m2=request.min_floor_area_m2,
            priority=code in priority,
            served=served.get(code),
        )
        for code in request.scenarios
    ]
    return function_mix(
        dense,
        scenarios,
        sites["floor_area_m2"].to_numpy(float),
        sites["cost_cny"].to_numpy(float),
        request.budget_cny,
        max_sites=request.max_sites,
        complex_rule=rule if request.fundable_complexes else None,
        time_limit=request.time_limit_s,
    )


def _served(graph, demand, functions, request) -> dict[str, np.ndarray]:
    """Demand points an existing facility of each scenario already reaches."""
    if functions.empty:
        return {}
    index = snap_index(graph)
    origins = snap_points(index, demand["lon"].to_numpy(), demand["lat"].to_numpy())
    places = snap_points(index, functions["lon"].to_numpy(), functions["lat"].to_numpy())
    keep = ~places.too_far
    nearest = nearest_facilities(
        graph,
        origins.node,
        places.node[keep],
        functions["scenario"].to_numpy()[keep],
        max_distance_m=request.radius_m,
        scenarios=request.scenarios,
    )
    return {
        code: (nearest.distance_m[i] <= request.radius_m) & ~origins.too_far
        for i, code in enumerate(nearest.scenarios)
    }


def _points(gains: dict[str, Sequence[tuple[int, float]]], demand: pd.DataFrame) -> list:
    """``[lon, lat]`` of the demand points that gain from a site: its catchment on the map."""
    indices = sorted({index for pairs in gains.values() for index, _weight in pairs})
    return demand[["lon", "lat"]].iloc[indices].round(6).to_numpy().tolist()


def plan_summary(plan: FunctionMixPlan, sites: pd.DataFrame, demand: pd.DataFrame) -> dict:
    """JSON-safe plan: sites in rank order with the communities that gain."""

    def communities_gaining(gains: dict[str, Sequence[tuple[int, float]]]) -> dict[str, float]:
        totals: dict[str, float] = {}
        for pairs in gains.values():
            for index, weight in pairs:
                code = str(demand["community"].iloc[index])
                totals[code] = totals.get(code, 0.0) + float(weight)
        return dict(sorted(totals.items(), key=lambda item: -item[1]))

    return {
        "gain": plan.gain,
        "cost": plan.cost,
        "optimal": plan.optimal,
        "cost_optimal": plan.cost_optimal,
        "bound": plan.bound,
        "gap": plan.gap,
        "solve_time": plan.solve_time,
        "gain_by_scenario": {k: float(v) for k, v in plan.gain_by_scenario.items()},
        "sites": [
            {
                "rank": rank,
                "code": str(sites["code"].iloc[s.site]),
                "name": str(sites["name"].iloc[s.site]),
                "lon": float(sites["lon"].iloc[s.site]),
                "lat": float(sites["lat"].iloc[s.site]),
                "scenarios": list(s.scenarios),
                "cost": s.cost,
                "floor_area_m2": s.floor_area_m2,
                "gain": s.gain,
                "gain_by_scenario": {k: float(v) for k, v in s.gain_by_scenario.items()},
                "communities": communities_gaining(s.gain_by_demand),
                "gaining_points": _points(s.gain_by_demand, demand),
            }
            for rank, s in enumerate(plan.sites, start=1)
        ],
    }
