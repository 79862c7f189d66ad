"""Per-community coverage and the two-step floating catchment area (2SFCA)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from linli.planning.access import NearestFacilities, catchments, snap_index, snap_points
from linli.planning.diagnose import community_coverage, community_two_step_fca, two_step_fca
from linli.planning.network import NetworkReport, graph_from_edges, read_walk_graph

POA = Path(__file__).resolve().parents[1] / "fixtures" / "porto-alegre"


def _line(n: int = 5, segment: float = 100.0):
    """Nodes 0-1-…-(n-1) in a line, ``segment`` metres apart."""
    return graph_from_edges(
        np.arange(n),
        np.linspace(0.0, 0.01, n),
        np.zeros(n),
        np.arange(n - 1),
        np.arange(1, n),
        np.full(n - 1, segment),
        NetworkReport(highway_ways=1, walkable_ways=1),
    )


def test_community_coverage_weights_population_per_life_circle() -> None:
    nearest = NearestFacilities(
        scenarios=("elderly_care", "health"),
        distance_m=np.array([[100.0, 600.0, 250.0, np.inf], [900.0, 100.0, 100.0, 100.0]]),
        facility=np.array([[0, 0, 1, -1], [2, 2, 2, 2]]),
    )
    table = community_coverage(
        ["c2", "c1", "c2", "c1"], np.array([10.0, 30.0, 30.0, 0.0]), nearest, [300, 1000]
    )
    assert list(table.columns) == [
        "community_id",
        "scenario",
        "life_circle_m",
        "covered_weight",
        "total_weight",
        "share",
    ]
    assert len(table) == 2 * 2 * 2
    assert table["community_id"].tolist()[:4] == ["c2"] * 4  # order of first appearance
    share = table.set_index(["community_id", "scenario", "life_circle_m"])["share"]
    assert share[("c2", "elderly_care", 300.0)] == pytest.approx(1.0)
    assert share[("c1", "elderly_care", 300.0)] == pytest.approx(0.0)
    assert share[("c1", "elderly_care", 1000.0)] == pytest.approx(1.0)
    assert share[("c2", "health", 300.0)] == pytest.approx(0.75)
    assert share[("c2", "health", 1000.0)] == pytest.approx(1.0)


def test_two_step_fca_by_hand() -> None:
    graph = _line()
    origin, demand = np.array([0, 2, 4]), np.array([10.0, 20.0, 30.0])
    facility, supply = np.array([1, 4]), np.array([6.0, 3.0])
    # Facility at 1 reaches the demand at 0 and 2 (exactly 100 m: inside): 6 / 30 = 0.2;
    # facility at 4 reaches only the demand at 4: 3 / 30 = 0.1.
    ratio = two_step_fca(graph, origin, demand, facility, supply, radius_m=100.0)
    np.testing.assert_allclose(ratio, [0.2, 0.2, 0.1])
    by_community = community_two_step_fca(["c1", "c1", "c2"], demand, ratio)
    assert by_community.to_dict() == pytest.approx({"c1": 0.2, "c2": 0.1})
    # Just short of 100 m, the first facility reaches no demand and serves nobody.
    np.testing.assert_allclose(
        two_step_fca(graph, origin, demand, facility, supply, 99.0), [0, 0, 0.1]
    )


def test_two_step_fca_conserves_supply_on_real_data() -> None:
    # Every unit of supply that reaches some demand is handed out exactly once:
    # sum_i A_i P_i = sum_j S_j over facilities with demand in their catchment.
    graph = read_walk_graph(POA / "poa_osm.pbf")
    hexagons = pd.read_csv(POA / "poa_hexgrid.csv")
    node = snap_points(snap_index(graph), hexagons["lon"], hexagons["lat"]).node
    demand = hexagons["population"].fillna(0).to_numpy(dtype=float)
    chosen = hexagons["healthcare"].fillna(0).to_numpy() > 0
    supply = hexagons["healthcare"].fillna(0).to_numpy(dtype=float)[chosen] * 10
    ratio = two_step_fca(graph, node, demand, node[chosen], supply, radius_m=1000.0)
    reach = catchments(graph, node[chosen], 1000.0)
    node_demand = np.bincount(node, weights=demand, minlength=graph.n_nodes)
    served = np.bincount(
        reach.source_of_entry(), weights=node_demand[reach.node], minlength=supply.size
    )
    assert (ratio >= 0).all() and (ratio > 0).sum() > 100
    assert float((ratio * demand).sum()) == pytest.approx(float(supply[served > 0].sum()))
