"""Per-community gap diagnosis on plain arrays and DataFrames (no Django, no registry).

Two measures, both on the walking network:

- coverage: the share of a community's population whose nearest facility of a scenario is
  within each life-circle distance (from :func:`linli.planning.access.nearest_facilities`);
- the two-step floating catchment area (2SFCA, Luo & Wang 2003): every facility's supply is
  shared among the demand within its catchment, ``R_j = S_j / sum(P_k, d_kj <= d0)``, and every
  origin sums the ratios of the facilities whose catchment holds it,
  ``A_i = sum(R_j, d_ij <= d0)``: supply per unit of demand that the origin can reach.

The registry-backed diagnosis (standards per 100 households, beds per 1 000 aged 60+, priority
score) builds on these.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from linli.planning.access import (
    DEFAULT_LIFE_CIRCLES_M,
    Catchments,
    NearestFacilities,
    catchments,
)
from linli.planning.network import WalkGraph

__all__ = ["community_coverage", "community_two_step_fca", "two_step_fca"]


def community_coverage(
    community_id: Sequence[object] | np.ndarray,
    weight: np.ndarray,
    nearest: NearestFacilities,
    life_circles: Sequence[float] = DEFAULT_LIFE_CIRCLES_M,
) -> pd.DataFrame:
    """Population-weighted coverage per community, scenario and life circle.

    Parameters
    ----------
    community_id : sequence
        The community of each origin (same order as ``nearest``'s origins).
    weight : numpy.ndarray
        Population (or other demand) of each origin.
    nearest : NearestFacilities
        Nearest facility per scenario and origin.
    life_circles : sequence of float, default (300, 500, 1000)
        Walking distances in metres, e.g. :func:`linli.planning.access.life_circles_m`.

    Returns
    -------
    pandas.DataFrame
        ``community_id, scenario, life_circle_m, covered_weight, total_weight, share``, one row
        per community, scenario and life circle, communities in order of first appearance.
        ``share`` is NaN for a community of zero weight.
    """
    weight = np.asarray(weight, dtype=np.float64)
    codes, communities = pd.factorize(pd.Series(np.asarray(community_id, dtype=object)))
    circles = np.asarray(life_circles, dtype=np.float64)
    n_communities, n_scenarios = communities.size, len(nearest.scenarios)
    total = np.bincount(codes, weights=weight, minlength=n_communities)
    covered = np.zeros((n_communities, n_scenarios, circles.size))
    for row in range(n_scenarios):
        for column, radius in enumerate(circles):
            inside = nearest.distance_m[row] <= radius
            covered[:, row, column] = np.bincount(
                codes[inside], weights=weight[inside], minlength=n_communities
            )
    per_community = n_scenarios * circles.size
    total_column = np.repeat(total, per_community)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total_column > 0, covered.ravel() / total_column, np.nan)
    return pd.DataFrame(
        {
            "community_id": np.repeat(np.asarray(communities, dtype=object), per_community),
            "scenario": np.tile(
                np.repeat(np.asarray(nearest.scenarios, dtype=object), circles.size), n_communities
            ),
            "life_circle_m": np.tile(circles, n_communities * n_scenarios),
            "covered_weight": covered.ravel(),
            "total_weight": total_column,
            "share": share,
        }
    )


def two_step_fca(
    graph: WalkGraph,
    origin_node: np.ndarray,
    demand: np.ndarray,
    facility_node: np.ndarray,
    supply: np.ndarray,
    radius_m: float,
    reach: Catchments | None = None,
) -> np.ndarray:
    """Two-step floating catchment area ratio of every origin, for one scenario.

    Parameters
    ----------
    graph : WalkGraph
    origin_node : numpy.ndarray
        Graph node of each origin (demand point).
    demand : numpy.ndarray
        Demand of each origin (e.g. people aged 60+ for elderly care).
    facility_node : numpy.ndarray
        Graph node of each facility of the scenario.
    supply : numpy.ndarray
        Capacity of each facility (e.g. beds, slots, m²).
    radius_m : float
        Catchment radius on the walking network (a node at exactly this distance is inside).
    reach : Catchments, optional
        ``catchments(graph, facility_node, radius_m)`` when the caller already has it (several
        supplies or demands of one scenario share the same searches).

    Returns
    -------
    numpy.ndarray
        ``A_i``, supply per unit of demand reachable from each origin (multiply by 1 000 for
        "per 1 000 people"); 0 where no facility reaches the origin. A facility with no demand
        in its catchment contributes to nobody.
    """
    origin_node = np.asarray(origin_node, dtype=np.int64)
    demand = np.asarray(demand, dtype=np.float64)
    supply = np.asarray(supply, dtype=np.float64)
    if reach is None:
        reach = catchments(graph, np.asarray(facility_node, dtype=np.int64), radius_m)
    facility_of_entry = reach.source_of_entry()
    node_demand = np.bincount(origin_node, weights=demand, minlength=graph.n_nodes)
    catchment_demand = np.bincount(
        facility_of_entry, weights=node_demand[reach.node], minlength=supply.size
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(catchment_demand > 0, supply / catchment_demand, 0.0)
    node_access = np.bincount(reach.node, weights=ratio[facility_of_entry], minlength=graph.n_nodes)
    return node_access[origin_node]


def community_two_step_fca(
    community_id: Sequence[object] | np.ndarray, demand: np.ndarray, access_ratio: np.ndarray
) -> pd.Series:
    """Demand-weighted mean of the origins' 2SFCA ratios per community.

    Returns
    -------
    pandas.Series
        Indexed by community id in order of first appearance; NaN for a community of zero
        demand.
    """
    demand = np.asarray(demand, dtype=np.float64)
    codes, communities = pd.factorize(pd.Series(np.asarray(community_id, dtype=object)))
    total = np.bincount(codes, weights=demand, minlength=communities.size)
    weighted = np.bincount(codes, weights=demand * np.asarray(access_ratio), minlength=total.size)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(total > 0, weighted / total, np.nan)
    return pd.Series(mean, index=pd.Index(communities, name="community_id"), name="two_step_fca")
