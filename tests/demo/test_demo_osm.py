import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import osmium
import pytest
import scipy.sparse
from scipy.sparse.csgraph import connected_components, dijkstra

import linli
from linli.demo import generate_city
from linli.demo.osm import write_osm
from linli.geo.crs import from_wgs84, utm_crs

NOT_WALKABLE = {"motorway", "motorway_link"}


@pytest.fixture(scope="module")
def city():
    return generate_city()


@pytest.fixture(scope="module")
def osm(city, tmp_path_factory):
    """The written file read back with pyosmium: nodes {id: (lon, lat, tags)}, ways."""
    path = write_osm(city, tmp_path_factory.mktemp("osm") / "demo.osm.pbf")
    nodes, ways = {}, []
    for obj in osmium.FileProcessor(str(path)):
        if obj.is_node():
            nodes[obj.id] = (obj.location.lon, obj.location.lat, dict(obj.tags))
        elif obj.is_way():
            ways.append(([n.ref for n in obj.nodes], dict(obj.tags)))
    return nodes, ways


def _walk_graph(nodes, ways, include=lambda tags: True):
    """Undirected graph in metres over highway ways passing ``include``."""
    ids = np.array(sorted(nodes))
    lon = np.array([nodes[i][0] for i in ids])
    lat = np.array([nodes[i][1] for i in ids])
    x, y = from_wgs84(lon, lat, utm_crs(float(lon.mean()), float(lat.mean())))
    index = {node_id: k for k, node_id in enumerate(ids)}
    rows, cols = [], []
    for refs, tags in ways:
        if "highway" in tags and include(tags):
            rows += [index[r] for r in refs[:-1]]
            cols += [index[r] for r in refs[1:]]
    rows, cols = np.array(rows), np.array(cols)
    lengths = np.hypot(x[rows] - x[cols], y[rows] - y[cols])
    graph = scipy.sparse.coo_matrix((lengths, (rows, cols)), shape=(len(ids), len(ids))).tocsr()
    return graph, index, x, y


def _walkable(tags):
    return tags["highway"] not in NOT_WALKABLE and tags.get("access") != "private"


def test_file_has_the_expected_tags(osm):
    nodes, ways = osm
    highways = Counter(tags.get("highway") for _refs, tags in ways if "highway" in tags)
    for kind in (
        "primary",
        "secondary",
        "residential",
        "service",
        "footway",
        "motorway",
        "motorway_link",
    ):
        assert highways[kind] > 0, kind
    assert highways["service"] > 100 and highways["footway"] > 100  # compound paths
    assert sum(tags.get("waterway") == "river" for _r, tags in ways) == 1
    gates = [n for n in nodes.values() if n[2].get("barrier") == "gate"]
    assert len(gates) > 100
    fences = [tags for _r, tags in ways if tags.get("barrier") == "fence"]
    assert all(tags["landuse"] == "residential" and tags["name"] for tags in fences)
    bridges = [tags["highway"] for _r, tags in ways if tags.get("bridge") == "yes"]
    # Two road bridges and a footbridge for pedestrians, plus the motorway's.
    assert sorted(bridges) == ["footway", "motorway", "primary", "primary"]
    assert any(tags.get("access") == "private" for _r, tags in ways)
    assert all(tags["name"] for _r, tags in ways if tags.get("highway") == "primary")


def test_every_way_node_exists_and_lies_in_the_city(city, osm):
    nodes, ways = osm
    assert all(ref in nodes for refs, _tags in ways for ref in refs)
    lon_min, lat_min, lon_max, lat_max = city.bbox
    lon = np.array([n[0] for n in nodes.values()])
    lat = np.array([n[1] for n in nodes.values()])
    assert ((lon > lon_min) & (lon < lon_max) & (lat > lat_min) & (lat < lat_max)).all()
    assert len(nodes) == len(city.network.nodes) and len(ways) == len(city.network.ways)


def test_walking_network_is_connected(osm):
    nodes, ways = osm
    graph, _index, _x, _y = _walk_graph(nodes, ways, _walkable)
    used = np.unique(np.concatenate([graph.nonzero()[0], graph.nonzero()[1]]))
    _count, labels = connected_components(graph, directed=False)
    assert len(set(labels[used])) == 1


def test_straight_lines_lie(osm):
    nodes, ways = osm
    graph, index, x, y = _walk_graph(nodes, ways, _walkable)
    # Across the river: nodes on the two bank streets, away from the crossings.
    banks = {}
    for refs, tags in ways:
        if tags.get("name") in ("滨河南路", "滨河北路"):
            banks[tags["name"]] = [index[r] for r in refs]
    south, north = banks["滨河南路"], banks["滨河北路"]
    a = south[0]
    b = min(north, key=lambda k: np.hypot(x[k] - x[a], y[k] - y[a]))
    straight = np.hypot(x[a] - x[b], y[a] - y[b])
    walk = dijkstra(graph, directed=False, indices=a)[b]
    assert straight < 120 and walk > 5 * straight


def test_gated_compounds_are_reached_through_their_gates(osm):
    nodes, ways = osm
    graph, index, x, y = _walk_graph(nodes, ways, _walkable)
    public = sorted(
        {
            index[r]
            for refs, tags in ways
            if tags.get("highway") in ("primary", "secondary", "residential")
            for r in refs
        }
    )
    rings = sorted(
        {index[r] for refs, tags in ways if tags.get("service") == "driveway" for r in refs}
    )
    walk = dijkstra(graph, directed=False, indices=public, min_only=True)[rings]
    straight = np.array([np.min(np.hypot(x[public] - x[k], y[public] - y[k])) for k in rings])
    assert np.isfinite(walk).all()
    # The street is 35 m beyond the fence, but the way round to a gate is much longer.
    assert np.median(walk / straight) > 2.0


def test_the_motorway_would_shorten_walks_if_it_were_walked(osm):
    nodes, ways = osm
    walk, index, _x, _y = _walk_graph(nodes, ways, _walkable)
    drive, _index, _x2, _y2 = _walk_graph(nodes, ways)
    links = [
        [index[r] for r in refs] for refs, tags in ways if tags.get("highway") == "motorway_link"
    ]
    south_ramp, north_ramp = links[0][0], links[1][0]
    on_foot = dijkstra(walk, directed=False, indices=south_ramp)[north_ramp]
    by_motorway = dijkstra(drive, directed=False, indices=south_ramp)[north_ramp]
    assert by_motorway < on_foot


def test_same_city_same_bytes(city, tmp_path):
    first = write_osm(city, tmp_path / "a.osm.pbf").read_bytes()
    second = write_osm(generate_city(2026), tmp_path / "b.osm.pbf").read_bytes()
    assert first == second
    assert write_osm(generate_city(3), tmp_path / "c.osm.pbf").read_bytes() != first


def test_same_bytes_in_another_process_with_other_hash_seed(city, tmp_path):
    script = (
        "import sys; from linli.demo import generate_city, write_osm; "
        "write_osm(generate_city(2026), sys.argv[1])"
    )
    env = os.environ | {
        "PYTHONHASHSEED": "12345",
        "PYTHONPATH": str(Path(linli.__file__).parents[1]),
    }
    other = tmp_path / "other.osm.pbf"
    subprocess.run([sys.executable, "-c", script, str(other)], env=env, check=True)
    assert other.read_bytes() == write_osm(city, tmp_path / "here.osm.pbf").read_bytes()


def test_xml_output_by_suffix(city, tmp_path):
    text = write_osm(city, tmp_path / "demo.osm").read_text(encoding="utf-8")
    assert text.startswith("<?xml") and 'k="highway" v="primary"' in text
