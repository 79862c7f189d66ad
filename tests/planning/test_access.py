"""Snapping, nearest facility per scenario, coverage, catchments and ``linli plan access``."""

from __future__ import annotations

import csv
import math
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy.sparse.csgraph import dijkstra

from linli.cli import main
from linli.planning.access import (
    DEFAULT_LIFE_CIRCLES_M,
    NearestFacilities,
    catchments,
    coverage,
    life_circles_m,
    nearest_facilities,
    snap_index,
    snap_points,
    write_nearest_csv,
)
from linli.planning.network import (
    NetworkReport,
    WalkGraph,
    graph_from_edges,
    read_walk_graph,
    walk_graph_csr,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
WALK = FIXTURES / "walk"
POA = FIXTURES / "porto-alegre"
STEP_M = math.radians(0.001) * 6_371_008.8


def _graph(n: int, u: list[int] | np.ndarray, v: list[int] | np.ndarray, w) -> WalkGraph:
    """A graph from undirected segments; coordinates are irrelevant to the searches."""
    return graph_from_edges(
        np.arange(n),
        np.linspace(0.0, 0.01, n),
        np.zeros(n),
        np.asarray(u),
        np.asarray(v),
        np.asarray(w, dtype=float),
        NetworkReport(highway_ways=0, walkable_ways=0),
    )


def _random_graph(seed: int, n: int = 400) -> WalkGraph:
    """A sparse random graph: a random tree plus a few cross links, so mostly chains."""
    rng = np.random.default_rng(seed)
    parent = np.array([rng.integers(max(0, i - 5), i) for i in range(1, n)])
    extra = rng.integers(0, n, size=(n // 10, 2))
    u = np.concatenate([np.arange(1, n), extra[:, 0]])
    v = np.concatenate([parent, extra[:, 1]])
    w = rng.integers(1, 200, size=u.size).astype(float)  # integers: sums are exact
    return _graph(n, u, v, w)


def _reference(graph: WalkGraph, origin, facility, limit: float) -> tuple[np.ndarray, np.ndarray]:
    """Nearest distance by scipy on the full graph, and every facility's distance matrix."""
    csr = walk_graph_csr(graph)
    nearest = dijkstra(csr, indices=np.unique(facility), limit=limit, min_only=True)[origin]
    each = dijkstra(csr, indices=facility)[:, origin]
    return nearest, each


@pytest.mark.parametrize("seed", range(8))
def test_nearest_facilities_equal_scipy_on_random_graphs(seed: int) -> None:
    graph = _random_graph(seed)
    rng = np.random.default_rng(100 + seed)
    origin = rng.integers(0, graph.n_nodes, 150)
    facility = rng.integers(0, graph.n_nodes, 12)
    scenario = np.array(["health", "fitness"])[rng.integers(0, 2, facility.size)]
    limit = 600.0
    result = nearest_facilities(graph, origin, facility, scenario, max_distance_m=limit)
    assert result.scenarios == tuple(sorted(set(scenario)))
    for row, code in enumerate(result.scenarios):
        members = np.flatnonzero(scenario == code)
        expected, each = _reference(graph, origin, facility[members], limit)
        np.testing.assert_array_equal(result.distance_m[row], expected)
        found = np.isfinite(expected)
        assert (result.facility[row][~found] == -1).all()
        chosen = result.facility[row][found]
        assert set(chosen) <= set(members)
        # The reported facility is one at the reported distance.
        local = np.searchsorted(members, chosen)
        np.testing.assert_array_equal(each[local, np.flatnonzero(found)], expected[found])


def test_facility_at_exactly_the_limit_is_found_and_beyond_is_not() -> None:
    # A chain 0-1-2-3-4 with 100 m segments; origin at 0, facility at 3 (300 m).
    graph = _graph(5, [0, 1, 2, 3], [1, 2, 3, 4], [100.0] * 4)
    for limit, distance, facility in ((300.0, 300.0, 0), (299.0, np.inf, -1)):
        result = nearest_facilities(graph, [0, 4], [3], ["health"], max_distance_m=limit)
        assert result.distance_m[0, 0] == distance
        assert result.facility[0, 0] == facility
        assert result.distance_m[0, 1] == 100.0


def test_shared_node_reports_the_first_facility_and_empty_scenarios_stay_empty() -> None:
    graph = _graph(3, [0, 1], [1, 2], [10.0, 20.0])
    result = nearest_facilities(
        graph,
        [0, 2],
        [1, 1, 2],
        ["health", "health", "fitness"],
        scenarios=["health", "fitness", "child_play"],
    )
    np.testing.assert_array_equal(result.facility[0], [0, 0])
    np.testing.assert_array_equal(result.distance_m[0], [10.0, 20.0])
    np.testing.assert_array_equal(result.distance_m[1], [30.0, 0.0])
    assert np.isinf(result.distance_m[2]).all() and (result.facility[2] == -1).all()


def test_a_ring_without_junctions_is_searched_correctly() -> None:
    # Every node has degree 2: the chain contraction must still find a node to keep.
    n = 9
    graph = _graph(n, np.arange(n), (np.arange(n) + 1) % n, np.arange(1, n + 1, dtype=float))
    origin = np.arange(n)
    result = nearest_facilities(graph, origin, [4], ["health"], max_distance_m=1e9)
    expected = dijkstra(walk_graph_csr(graph), indices=4)[origin]
    np.testing.assert_array_equal(result.distance_m[0], expected)


def test_parallel_routes_between_junctions_use_the_shorter() -> None:
    # Junctions 0 and 3 are joined by a 2-node chain (0-1-3: 50 + 50) and by a 1-node chain
    # (0-2-3: 200 + 200); contracting both gives parallel edges, of which 100 m must win.
    graph = _graph(5, [0, 1, 0, 2, 3, 0], [1, 3, 2, 3, 4, 4], [50, 50, 200, 200, 5, 1000])
    result = nearest_facilities(graph, [0, 2], [4], ["health"])
    np.testing.assert_array_equal(result.distance_m[0], [105.0, 205.0])


def test_non_walkable_shortcut_on_real_tags() -> None:
    graph = read_walk_graph(WALK / "shortcut.osm")
    node = {int(osm): i for i, osm in enumerate(graph.osm_id)}
    result = nearest_facilities(graph, [node[1]], [node[2]], ["health"])
    assert result.distance_m[0, 0] == pytest.approx(5 * STEP_M, abs=1e-6)


def test_snap_reports_distance_and_flags_far_points() -> None:
    graph = read_walk_graph(WALK / "shortcut.osm")
    index = snap_index(graph)
    # 10 m south of A, 0.4 step north of node 12, and 1 km south of everything.
    lon = np.array([0.0, 0.001, 0.0015])
    lat = np.array([-10.0 / 111_320, 0.0014, -0.009])
    snapped = snap_points(index, lon, lat, max_snap_m=500.0)
    node = {int(osm): i for i, osm in enumerate(graph.osm_id)}
    assert snapped.node[0] == node[1]
    assert snapped.node[1] == node[12]
    assert snapped.distance_m[0] == pytest.approx(10.0, abs=0.1)
    assert snapped.distance_m[1] == pytest.approx(0.4 * STEP_M, rel=0.01)
    np.testing.assert_array_equal(snapped.too_far, [False, False, True])
    assert not snap_points(index, lon, lat, max_snap_m=5000.0).too_far.any()


def test_coverage_weights_origins_per_life_circle() -> None:
    nearest = NearestFacilities(
        scenarios=("health", "fitness"),
        distance_m=np.array([[100.0, 400.0, np.inf], [300.0, 300.0, 900.0]]),
        facility=np.array([[0, 0, -1], [1, 1, 1]]),
    )
    table = coverage(nearest, np.array([1.0, 2.0, 7.0]), [300, 500, 1000])
    share = table.set_index(["scenario", "life_circle_m"])["share"]
    assert share[("health", 300.0)] == pytest.approx(0.1)
    assert share[("health", 500.0)] == pytest.approx(0.3)
    assert share[("health", 1000.0)] == pytest.approx(0.3)
    assert share[("fitness", 300.0)] == pytest.approx(0.3)
    assert share[("fitness", 1000.0)] == pytest.approx(1.0)
    assert list(table.columns) == [
        "scenario",
        "life_circle_m",
        "covered_weight",
        "total_weight",
        "share",
    ]
    assert coverage(nearest)["total_weight"].eq(3).all()


def test_life_circles_come_from_the_pack() -> None:
    def standard(value: float, unit: str = "m") -> SimpleNamespace:
        return SimpleNamespace(value=value, unit=unit, source="GB 50180-2018")

    pack = SimpleNamespace(
        life_circles={
            "walk_15min_m": standard(800),
            "walk_5min_m": standard(300),
            "walk_10min_m": standard(500),
            "walking_speed_m_per_min": standard(60, "m/min"),
            "elderly_child_facility_walk_m": standard(450),
        }
    )
    assert life_circles_m(pack) == (300.0, 500.0, 800.0)
    assert life_circles_m(SimpleNamespace(life_circles={})) == DEFAULT_LIFE_CIRCLES_M


def test_shipped_packs_give_the_gb_50180_life_circles() -> None:
    from linli.policy import DEFAULT_POLICY, list_packs, load_pack

    assert life_circles_m(load_pack(DEFAULT_POLICY)) == (300.0, 500.0, 1000.0)
    for pack in list_packs():
        assert 3 <= len(life_circles_m(pack)) and life_circles_m(pack)[0] == 300.0


@pytest.mark.parametrize("seed", range(4))
def test_catchments_equal_scipy_on_random_graphs(seed: int) -> None:
    graph = _random_graph(seed, n=300)
    sources = np.random.default_rng(seed).integers(0, graph.n_nodes, 20)
    _assert_catchments_equal_scipy(graph, sources, 350.0)


def test_catchments_equal_scipy_on_real_data() -> None:
    graph = read_walk_graph(POA / "poa_osm.pbf")
    sources = np.random.default_rng(7).integers(0, graph.n_nodes, 40)
    _assert_catchments_equal_scipy(graph, sources, 800.0)


def _assert_catchments_equal_scipy(graph: WalkGraph, sources: np.ndarray, radius: float) -> None:
    result = catchments(graph, sources, radius)
    expected = dijkstra(walk_graph_csr(graph), indices=sources, limit=radius)
    assert result.offsets.size == sources.size + 1
    for i, source in enumerate(sources):
        part = slice(result.offsets[i], result.offsets[i + 1])
        nodes, distance = result.node[part], result.distance_m[part]
        assert nodes[0] == source and distance[0] == 0.0
        assert (np.diff(distance) >= 0).all()
        reached = np.flatnonzero(np.isfinite(expected[i]))
        np.testing.assert_array_equal(np.sort(nodes), reached)
        np.testing.assert_allclose(distance, expected[i][nodes], rtol=0, atol=1e-9)
    np.testing.assert_array_equal(
        result.source_of_entry()[result.offsets[:-1]], np.arange(sources.size)
    )


def _independent_graph(path: Path):
    """The walking graph built separately: a plain pyosmium handler into networkx."""
    nx = pytest.importorskip("networkx")
    import osmium

    from linli.planning.network import haversine_m, unwalkable_reason

    class Ways(osmium.SimpleHandler):
        def __init__(self) -> None:
            super().__init__()
            self.graph = nx.Graph()

        def way(self, way) -> None:
            tags = {tag.k: tag.v for tag in way.tags}
            if "highway" not in tags or unwalkable_reason(tags) is not None:
                return
            nodes = [(n.ref, n.lon, n.lat) for n in way.nodes if n.location.valid()]
            for (a, alon, alat), (b, blon, blat) in zip(nodes, nodes[1:], strict=False):
                if a == b:
                    continue
                length = float(haversine_m(alon, alat, blon, blat))
                if not self.graph.has_edge(a, b) or self.graph[a][b]["length"] > length:
                    self.graph.add_edge(a, b, length=length)

    handler = Ways()
    handler.apply_file(str(path), locations=True)
    return handler.graph


def test_real_data_matches_an_independent_networkx_computation() -> None:
    nx = pytest.importorskip("networkx")
    graph = read_walk_graph(POA / "poa_osm.pbf")
    reference = _independent_graph(POA / "poa_osm.pbf")
    largest = max(nx.connected_components(reference), key=len)
    assert set(graph.osm_id.tolist()) == largest

    hexagons = pd.read_csv(POA / "poa_hexgrid.csv")
    index = snap_index(graph)
    origin = snap_points(index, hexagons["lon"], hexagons["lat"]).node
    scenario = np.where(hexagons["healthcare"] > 0, "health", "")
    scenario = np.where(hexagons["schools"] > 0, "child_afterschool", scenario)
    chosen = scenario != ""
    facility = origin[chosen]
    result = nearest_facilities(graph, origin, facility, scenario[chosen], max_distance_m=1500.0)
    for row, code in enumerate(result.scenarios):
        sources = {int(graph.osm_id[f]) for f in facility[scenario[chosen] == code]}
        lengths = nx.multi_source_dijkstra_path_length(
            reference, sources, cutoff=1500.0, weight="length"
        )
        expected = np.array([lengths.get(int(graph.osm_id[o]), np.inf) for o in origin])
        assert np.isfinite(expected).sum() > 1000
        np.testing.assert_array_equal(np.isfinite(result.distance_m[row]), np.isfinite(expected))
        found = np.isfinite(expected)
        np.testing.assert_allclose(result.distance_m[row][found], expected[found], atol=1e-6)


def test_few_origins_are_searched_from_with_the_same_answers() -> None:
    """Fewer origins than facility nodes: one search per origin instead of one per scenario."""
    graph = read_walk_graph(POA / "poa_osm.pbf")
    hexagons = pd.read_csv(POA / "poa_hexgrid.csv")
    origin = snap_points(snap_index(graph), hexagons["lon"], hexagons["lat"]).node
    scenario = np.where(hexagons["healthcare"] > 0, "health", "")
    scenario = np.where(hexagons["schools"] > 0, "child_afterschool", scenario)
    chosen = scenario != ""
    facility, codes = origin[chosen], scenario[chosen]
    # Facilities far from each other on a dead end and on a chain are in these graphs too.
    everyone = nearest_facilities(graph, origin, facility, codes, max_distance_m=1500.0)
    picked = np.random.default_rng(5).choice(origin.size, 60, replace=False)
    picked = np.concatenate([picked, picked[:3]])  # origins sharing a node
    assert np.unique(origin[picked]).size < np.unique(facility).size
    few = nearest_facilities(graph, origin[picked], facility, codes, max_distance_m=1500.0)
    assert few.scenarios == everyone.scenarios
    expected = everyone.distance_m[:, picked]
    np.testing.assert_array_equal(np.isfinite(few.distance_m), np.isfinite(expected))
    assert np.isfinite(expected).sum() > 60
    found = np.isfinite(expected)
    np.testing.assert_allclose(few.distance_m[found], expected[found], rtol=0, atol=1e-9)
    np.testing.assert_array_equal(few.facility, everyone.facility[:, picked])


def test_write_nearest_csv_quotes_and_leaves_misses_empty(tmp_path: Path) -> None:
    nearest = NearestFacilities(
        scenarios=("health", "fitness"),
        distance_m=np.array([[12.345, np.inf], [0.0, 1999.996]]),
        facility=np.array([[1, -1], [0, 0]]),
    )
    out = tmp_path / "out.csv"
    write_nearest_csv(out, nearest, ["o,1", "居委会2"], ["F0", 'F"1'])
    assert out.read_text(encoding="utf-8").splitlines() == [
        "origin_id,scenario,distance_m,facility_id",
        '"o,1",health,12.35,"F""1"',
        '"o,1",fitness,0.00,F0',
        "居委会2,health,,",
        "居委会2,fitness,2000.00,F0",
    ]
    assert list(tmp_path.iterdir()) == [out]


# --- linli plan access ------------------------------------------------------------------


def _write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def shortcut_inputs(tmp_path: Path) -> dict[str, Path]:
    # Origins at A (node 1) and near node 32; facilities at B (node 2) and at node 12.
    origins = _write_csv(
        tmp_path / "origins.csv",
        ["id", "lon", "lat", "weight"],
        [["A", 0.0, 0.0, 3], ["E", 0.006, 0.00001, 1], ["far", 0.0, -0.02, 5]],
    )
    facilities = _write_csv(
        tmp_path / "facilities.csv",
        ["id", "lon", "lat", "scenario"],
        [["B", 0.003, 0.0, "health"], ["N", 0.001, 0.001, "elderly_care"]],
    )
    return {"origins": origins, "facilities": facilities, "out": tmp_path / "out.csv"}


def _run(inputs: dict[str, Path], *extra: str, network: Path = WALK / "shortcut.osm") -> int:
    return main(
        [
            "plan",
            "access",
            "--network",
            str(network),
            "--origins",
            str(inputs["origins"]),
            "--facilities",
            str(inputs["facilities"]),
            "--out",
            str(inputs["out"]),
            "--no-cache",
            *extra,
        ]
    )


def test_cli_writes_the_design_contract(shortcut_inputs: dict[str, Path], capsys) -> None:
    assert _run(shortcut_inputs) == 0
    with shortcut_inputs["out"].open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["origin_id", "scenario", "distance_m", "facility_id"]
    # Origin by origin; scenarios in DESIGN order (elderly_care before health).
    assert [row[:2] for row in rows[1:]] == [
        ["A", "elderly_care"],
        ["A", "health"],
        ["E", "elderly_care"],
        ["E", "health"],
        ["far", "elderly_care"],
        ["far", "health"],
    ]
    table = {(row[0], row[1]): row[2:] for row in rows[1:]}
    assert float(table[("A", "health")][0]) == pytest.approx(5 * STEP_M, abs=0.01)
    assert table[("A", "health")][1] == "B"
    assert float(table[("A", "elderly_care")][0]) == pytest.approx(2 * STEP_M, abs=0.01)
    assert float(table[("E", "health")][0]) == pytest.approx(3 * STEP_M, abs=0.01)
    assert table[("far", "health")] == ["", ""]
    captured = capsys.readouterr()
    assert "far" in captured.err and "farther than 500 m" in captured.err
    assert "share of origin weight" in captured.out


def test_cli_max_distance_leaves_far_facilities_empty(shortcut_inputs: dict[str, Path]) -> None:
    assert _run(shortcut_inputs, "--max-distance", "400") == 0
    frame = pd.read_csv(shortcut_inputs["out"], dtype=str, keep_default_na=False)
    row = frame[(frame.origin_id == "A") & (frame.scenario == "health")].iloc[0]
    assert row.distance_m == "" and row.facility_id == ""
    row = frame[(frame.origin_id == "E") & (frame.scenario == "health")].iloc[0]
    assert float(row.distance_m) == pytest.approx(3 * STEP_M, abs=0.01)


def test_cli_on_real_data_matches_the_library(tmp_path: Path) -> None:
    hexagons = pd.read_csv(POA / "poa_hexgrid.csv")
    origins = tmp_path / "o.csv"
    hexagons[["id", "lon", "lat"]].assign(weight=hexagons["population"]).to_csv(
        origins, index=False
    )
    facilities = tmp_path / "f.csv"
    health = hexagons[hexagons["healthcare"] > 0]
    health[["id", "lon", "lat"]].assign(scenario="health").to_csv(facilities, index=False)
    inputs = {"origins": origins, "facilities": facilities, "out": tmp_path / "out.csv"}
    assert _run(inputs, "--cache-dir", str(tmp_path / "cache"), network=POA / "poa_osm.pbf") == 0
    out = pd.read_csv(inputs["out"], dtype={"origin_id": str, "facility_id": str})
    assert len(out) == len(hexagons)
    graph = read_walk_graph(POA / "poa_osm.pbf")
    index = snap_index(graph)
    origin = snap_points(index, hexagons["lon"], hexagons["lat"])
    facility = snap_points(index, health["lon"], health["lat"])
    expected = dijkstra(
        walk_graph_csr(graph),
        indices=np.unique(facility.node[~facility.too_far]),
        limit=2000.0,
        min_only=True,
    )[origin.node]
    expected[origin.too_far] = np.inf
    np.testing.assert_allclose(out["distance_m"].fillna(np.inf), expected, atol=0.005)


@pytest.mark.parametrize(
    ("which", "content", "message"),
    [
        ("origins", "id,lon\n1,0\n", "missing column 'lat'"),
        ("facilities", "id,lon,lat\nF,0,0\n", "missing column 'scenario'"),
        ("origins", "id,lon,lat\n1,0,0\n2,east,0\n", "row 2 (line 3), column 'lon': 'east'"),
        ("origins", "id,lon,lat\n1,0,95\n", "row 1 (line 2), column 'lat'"),
        ("origins", "id,lon,lat\n1,0,\n", "column 'lat'"),
        ("origins", "id,lon,lat,weight\n1,0,0,-3\n", "column 'weight'"),
        ("facilities", "id,lon,lat,scenario\nF,0,0,eldercare\n", "'eldercare' is not a scenario"),
        ("origins", "", "not a readable CSV"),
    ],
)
def test_cli_bad_csv_exits_2_naming_the_problem(
    shortcut_inputs: dict[str, Path], capsys, which: str, content: str, message: str
) -> None:
    shortcut_inputs[which].write_text(content, encoding="utf-8")
    assert _run(shortcut_inputs) == 2
    err = capsys.readouterr().err
    assert message in err
    assert str(shortcut_inputs[which]) in err
    assert not shortcut_inputs["out"].exists()


def test_cli_bad_network_exits_2(shortcut_inputs: dict[str, Path], tmp_path: Path, capsys) -> None:
    bad = tmp_path / "broken.osm.pbf"
    bad.write_bytes(b"\x00\x01garbage")
    assert _run(shortcut_inputs, network=bad) == 2
    err = capsys.readouterr().err
    assert "broken.osm.pbf" in err and "not a readable OpenStreetMap file" in err
    assert _run(shortcut_inputs, network=tmp_path / "absent.osm") == 2
    assert "no such file" in capsys.readouterr().err
    assert not shortcut_inputs["out"].exists()


def test_cli_unknown_policy_exits_2(shortcut_inputs: dict[str, Path], capsys) -> None:
    assert _run(shortcut_inputs, "--policy", "atlantis-2099") == 2
    assert "atlantis-2099" in capsys.readouterr().err


def test_cli_rejects_a_non_positive_max_distance(shortcut_inputs: dict[str, Path], capsys) -> None:
    assert _run(shortcut_inputs, "--max-distance", "0") == 2
    assert "--max-distance" in capsys.readouterr().err
