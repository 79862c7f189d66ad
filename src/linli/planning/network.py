"""OpenStreetMap → walking graph.

Reads an ``.osm.pbf`` or ``.osm`` (XML) file, keeps the ways a pedestrian may use, and returns
the largest connected component as compact CSR arrays with edge lengths in metres. Every graph
node is an OSM way node (no simplification), so snapping lands on the street itself and not
on the nearest intersection.

The reader was chosen by measuring (issue 16, a 1.19 M-node city of 610 k short ways, as real
OSM cuts a street at every junction): DuckDB's ``ST_ReadOSM`` (the spatial extension, C++,
shipped as the ``duckdb-extension-spatial`` wheel and loaded from it, never downloaded)
decodes the PBF blocks on all cores and hands over the walkable ways' node references and the
nodes' coordinates as arrays, in about a second of CPU; the earlier per-way Python loop over
pyosmium took 5–6 s. GDAL's OSM driver through pyogrio, measured in the issue at 1.6 s against
DuckDB's 0.67 s on another such file, gives no node ids (ways would be joined by position). OSM
XML, which ``ST_ReadOSM`` does not read, is first converted to PBF by libosmium (pyosmium's
C++ writer, no Python per object). The walkability rule stays :func:`unwalkable_reason`,
applied once per distinct combination of ``highway``, ``foot`` and ``access``.

What real OSM carries besides plain streets, and what the graph does with it:

- ``highway=footway`` + ``footway=crossing`` (a marked crossing) and sidewalks are walkable
  ways like any other footway: they are how pedestrians cross and follow streets.
- A pedestrian area (``highway=pedestrian`` + ``area=yes``, a closed way: a square, a plaza)
  is walked along its outline, where the paths that enter it meet it. Walking straight across
  would be shorter by at most half the outline; the outline keeps the square connected without
  inventing paths through fountains and flower beds (osmnx drops such areas altogether, which
  cuts the paths that end at them).
- Ferries (``route=ferry``) are not walking links: a crossing that depends on a timetable and a
  fare is not within walking distance of a life circle, so they are not read (they carry no
  ``highway`` tag); what lies only beyond one drops out with the small components.

Graph search runs on these arrays with the numba kernels of ``_dijkstra`` and
``scipy.sparse.csgraph``; no graph object is built.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import osmium
import scipy.sparse
from scipy.sparse.csgraph import connected_components

__all__ = [
    "NetworkError",
    "NetworkReport",
    "WalkGraph",
    "graph_csr",
    "graph_from_edges",
    "haversine_m",
    "read_walk_graph",
    "unwalkable_reason",
    "walk_graph_csr",
]

EARTH_RADIUS_M = 6_371_008.8
# Highway values nobody may walk on, or that are not (yet, any more) a way at all.
NOT_WALKABLE_HIGHWAY = frozenset(
    {
        "motorway",
        "motorway_link",
        "construction",
        "proposed",
        "abandoned",
        "disused",
        "razed",
        "bus_guideway",
        "raceway",
    }
)
CLOSED_ACCESS = frozenset({"no", "private"})
# An explicit foot permission reopens a way that is otherwise closed to the public.
FOOT_ALLOWED = frozenset({"yes", "designated", "permissive"})
# Bump when the filter or the graph layout changes, so that old cache files are not reused.
_CACHE_VERSION = "walk-graph-1"


class NetworkError(ValueError):
    """The file cannot be read as an OpenStreetMap walking network."""


@dataclass(frozen=True)
class NetworkReport:
    """What reading kept and what it dropped, and why.

    Attributes
    ----------
    highway_ways : int
        Ways with a ``highway`` tag in the file.
    walkable_ways : int
        Of those, the ways kept as walkable.
    dropped_ways : dict[str, int]
        Dropped ways by reason, e.g. ``{"highway=motorway": 12, "foot=no": 3}``.
    missing_nodes : int
        Node references of walkable ways whose node is not in the file (cut by the extract).
    parallel_edges : int
        Directed edges dropped because a shorter edge joins the same two nodes.
    components : int
        Connected components of the walkable graph before keeping the largest.
    nodes : int
        Nodes of the kept component.
    edges : int
        Directed edges of the kept component (each street segment counts twice).
    dropped_nodes : int
        Nodes outside the largest component.
    """

    highway_ways: int
    walkable_ways: int
    dropped_ways: dict[str, int] = field(default_factory=dict)
    missing_nodes: int = 0
    parallel_edges: int = 0
    components: int = 0
    nodes: int = 0
    edges: int = 0
    dropped_nodes: int = 0


@dataclass(frozen=True)
class WalkGraph:
    """A walking graph as CSR arrays; symmetric (every segment in both directions).

    Attributes
    ----------
    osm_id : numpy.ndarray
        int64 OSM node id of each graph node.
    lon, lat : numpy.ndarray
        float64 WGS 84 coordinates of each node.
    indptr : numpy.ndarray
        int32 CSR row pointer, ``n_nodes + 1`` entries.
    indices : numpy.ndarray
        int32 CSR column index (target node) of each directed edge.
    length_m : numpy.ndarray
        float64 length of each directed edge in metres.
    report : NetworkReport
        What was kept and dropped while reading.
    cache_file : pathlib.Path or None
        The on-disk cache the graph was read from or written to; derived data (the snapping
        index) is cached beside it.
    """

    osm_id: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    length_m: np.ndarray
    report: NetworkReport
    cache_file: Path | None = field(default=None, compare=False)

    @property
    def n_nodes(self) -> int:
        return int(self.osm_id.size)


def haversine_m(
    lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray
) -> np.ndarray:
    """Great-circle distance in metres between WGS 84 points (arrays broadcast)."""
    lon1, lat1, lon2, lat2 = (
        np.radians(np.asarray(a, dtype=np.float64)) for a in (lon1, lat1, lon2, lat2)
    )
    a = (
        np.sin((lat2 - lat1) / 2.0) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2.0) ** 2
    )
    return 2.0 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def unwalkable_reason(tags: dict[str, str]) -> str | None:
    """Why a highway way is not walkable, or ``None`` when a pedestrian may use it.

    Parameters
    ----------
    tags : dict[str, str]
        The way's OSM tags; it must have a ``highway`` tag.

    Returns
    -------
    str or None
        The dropping reason as ``key=value`` (``"highway=motorway"``, ``"foot=no"``,
        ``"access=private"``), or ``None`` for a walkable way.
    """
    highway = tags.get("highway")
    if highway in NOT_WALKABLE_HIGHWAY:
        return f"highway={highway}"
    foot = tags.get("foot")
    if foot == "no":
        return "foot=no"
    access = tags.get("access")
    if access in CLOSED_ACCESS and foot not in FOOT_ALLOWED:
        return f"access={access}"
    return None


def _read_ways(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict]:
    """Node refs of the walkable ways, a way number per ref, and the refs' located nodes.

    Returns ``(refs, way_of_ref, node_id, node_xy, stats)``: ``node_id`` sorted, ``node_xy``
    its ``(n, 2)`` int64 longitude and latitude in 1e-7 degrees (OSM's own resolution), only
    for nodes present in the file.
    """
    try:
        with _osm_pbf(path) as pbf, _duckdb() as db:
            return _query_ways(db, pbf)
    except (RuntimeError, OSError) as error:  # libosmium's and DuckDB's parse errors
        raise NetworkError(f"{path}: not a readable OpenStreetMap file ({error})") from error


def _query_ways(db, pbf: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict]:
    # One scan of the file (ST_ReadOSM decodes the PBF blocks on all cores); only the columns
    # the walkability rule and the graph need are kept.
    db.execute(
        "CREATE TEMP TABLE highway AS SELECT id, refs, tags['highway'] AS highway, "
        "tags['foot'] AS foot, tags['access'] AS access FROM st_readosm(?) "
        "WHERE kind = 'way' AND tags['highway'] IS NOT NULL",
        [str(pbf)],
    )
    # The rule is unwalkable_reason() itself, applied once per distinct tag combination.
    combos = db.execute(
        "SELECT highway, foot, access, count(*) FROM highway GROUP BY ALL"
    ).fetchall()
    dropped: Counter[str] = Counter()
    walkable = []
    for highway, foot, access, count in combos:
        tags = {"highway": highway, "foot": foot, "access": access}
        reason = unwalkable_reason({k: v for k, v in tags.items() if v is not None})
        if reason is None:
            walkable.append((highway, foot, access))
        else:
            dropped[reason] += count
    db.execute("CREATE TEMP TABLE walkable (highway VARCHAR, foot VARCHAR, access VARCHAR)")
    if walkable:
        db.executemany("INSERT INTO walkable VALUES (?, ?, ?)", walkable)
    # Refs in way order; the way id marks where one way ends and the next begins.
    db.execute(
        "CREATE TEMP TABLE ref AS SELECT h.id AS way, unnest(h.refs) AS ref FROM highway h "
        "SEMI JOIN walkable w ON h.highway IS NOT DISTINCT FROM w.highway "
        "AND h.foot IS NOT DISTINCT FROM w.foot AND h.access IS NOT DISTINCT FROM w.access"
    )
    refs = db.execute("SELECT way, ref FROM ref").fetchnumpy()
    nodes = db.execute(
        "SELECT id, lon, lat FROM st_readosm(?) WHERE kind = 'node' "
        "AND id IN (SELECT ref FROM ref)",
        [str(pbf)],
    ).fetchnumpy()
    stats = {
        "highway_ways": sum(row[3] for row in combos),
        "walkable_ways": sum(row[3] for row in combos) - sum(dropped.values()),
        "dropped_ways": dict(dropped),
    }
    way = np.asarray(refs["way"], dtype=np.int64)
    new_way = np.ones(way.size, dtype=bool)
    new_way[1:] = way[1:] != way[:-1]
    node_id = np.asarray(nodes["id"], dtype=np.int64)
    order = np.argsort(node_id)  # cheaper here than an ORDER BY in DuckDB
    # PBF stores coordinates as integers of 1e-7 degrees; rounding recovers them exactly.
    node_xy = np.column_stack(
        [np.rint(np.asarray(nodes[c], dtype=np.float64)[order] * 1e7) for c in ("lon", "lat")]
    ).astype(np.int64)
    return (
        np.asarray(refs["ref"], dtype=np.int64),
        np.cumsum(new_way) - 1,
        node_id[order],
        node_xy,
        stats,
    )


@contextmanager
def _duckdb() -> Iterator[object]:
    """An in-memory DuckDB with the spatial extension loaded from its wheel, never fetched."""
    import duckdb
    import duckdb_extension_spatial

    extension = next(
        Path(duckdb_extension_spatial.__file__).parent.glob("extensions/*/spatial.duckdb_extension")
    )
    db = duckdb.connect(
        config={
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            # A huge extract may spill; never into the working directory (read-only under
            # systemd), as DuckDB's in-memory default would.
            "temp_directory": str(Path(tempfile.gettempdir()) / "linli-duckdb"),
        }
    )
    try:
        db.execute(f"LOAD '{_sql_string(str(extension))}'")
        yield db
    except duckdb.Error as error:
        raise RuntimeError(str(error).splitlines()[0]) from error
    finally:
        db.close()


def _sql_string(text: str) -> str:
    return text.replace("'", "''")


@contextmanager
def _osm_pbf(path: Path) -> Iterator[Path]:
    """The file itself when it is PBF; OSM XML is first converted to PBF by libosmium (C++)."""
    with path.open("rb") as handle:
        head = handle.read(64)
    if b"OSMHeader" in head:
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="linli-osm-") as directory:
        converted = Path(directory) / "network.osm.pbf"
        # libosmium picks the parser from the suffix; anything not PBF is read as XML.
        source = path if path.name.endswith((".osm", ".osm.gz", ".osm.bz2")) else None
        if source is None:
            source = Path(directory) / "network.osm"
            os.symlink(path.resolve(), source)
        writer = osmium.SimpleWriter(str(converted))
        try:
            osmium.apply(str(source), writer)
        finally:
            writer.close()
        yield converted


def graph_from_edges(
    osm_id: np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
    source: np.ndarray,
    target: np.ndarray,
    length_m: np.ndarray,
    report: NetworkReport,
) -> WalkGraph:
    """Build the symmetric CSR walking graph of the largest connected component.

    Parameters
    ----------
    osm_id, lon, lat : numpy.ndarray
        Per-node OSM id and WGS 84 coordinates.
    source, target : numpy.ndarray
        Node indices of each undirected segment.
    length_m : numpy.ndarray
        Segment lengths in metres.
    report : NetworkReport
        Reading figures so far; the graph figures are filled in here.

    Returns
    -------
    WalkGraph
        Both directions of every segment; of parallel segments between the same two nodes only
        the shortest is kept (``scipy.sparse`` would sum them), self-loops are dropped.
    """
    n = osm_id.size
    keep = source != target
    u = np.concatenate([source[keep], target[keep]]).astype(np.int64)
    v = np.concatenate([target[keep], source[keep]]).astype(np.int64)
    w = np.concatenate([length_m[keep], length_m[keep]]).astype(np.float64)
    if u.size == 0:
        raise NetworkError("no walkable street segment")
    u, v, w, parallel = _shortest_parallel(u, v, w, n)
    csr = _csr(u, v, w, n)
    components, labels = connected_components(csr, directed=True, connection="weak")
    largest = np.bincount(labels).argmax()
    inside = labels == largest
    renumber = np.full(n, -1, dtype=np.int64)
    renumber[inside] = np.arange(int(inside.sum()))
    edge_inside = inside[u]
    u, v, w = renumber[u[edge_inside]], renumber[v[edge_inside]], w[edge_inside]
    kept = int(inside.sum())
    csr = _csr(u, v, w, kept)
    full_report = NetworkReport(
        **{
            **asdict(report),
            "parallel_edges": parallel,
            "components": int(components),
            "nodes": kept,
            "edges": int(w.size),
            "dropped_nodes": int(n - kept),
        }
    )
    return WalkGraph(
        osm_id=np.ascontiguousarray(osm_id[inside], dtype=np.int64),
        lon=np.ascontiguousarray(lon[inside], dtype=np.float64),
        lat=np.ascontiguousarray(lat[inside], dtype=np.float64),
        indptr=csr.indptr.astype(np.int32, copy=False),
        indices=csr.indices.astype(np.int32, copy=False),
        length_m=csr.data.astype(np.float64, copy=False),
        report=full_report,
    )


def _shortest_parallel(
    u: np.ndarray, v: np.ndarray, w: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Keep only the shortest of parallel directed edges; the result is sorted by (u, v)."""
    key = u * max(n, 1) + v
    order = np.argsort(key, kind="stable")  # a radix sort on integers: fast
    key = key[order]
    first = np.ones(key.size, dtype=bool)
    first[1:] = key[1:] != key[:-1]
    starts = np.flatnonzero(first)
    shortest = np.minimum.reduceat(w[order], starts)
    kept = key[starts]
    return kept // max(n, 1), kept % max(n, 1), shortest, int(key.size - starts.size)


def graph_csr(u: np.ndarray, v: np.ndarray, w: np.ndarray, n: int) -> scipy.sparse.csr_matrix:
    """A CSR matrix of directed edges ``u -> v`` of length ``w`` over ``n`` nodes.

    Of parallel edges only the shortest is kept; ``scipy.sparse`` would sum them.
    """
    u, v, w, _ = _shortest_parallel(
        np.asarray(u, dtype=np.int64), np.asarray(v, dtype=np.int64), np.asarray(w, float), n
    )
    return _csr(u, v, w, n)


def _csr(u: np.ndarray, v: np.ndarray, w: np.ndarray, n: int) -> scipy.sparse.csr_matrix:
    """CSR from edges already sorted by (u, v) and free of duplicates: no summing, no copy."""
    indptr = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(np.bincount(u, minlength=n), out=indptr[1:])
    return scipy.sparse.csr_matrix((w, v.astype(np.int32), indptr), shape=(n, n))


def walk_graph_csr(graph: WalkGraph) -> scipy.sparse.csr_matrix:
    """The graph as a ``scipy.sparse`` CSR matrix of edge lengths (shares the arrays)."""
    return scipy.sparse.csr_matrix(
        (graph.length_m, graph.indices, graph.indptr), shape=(graph.n_nodes, graph.n_nodes)
    )


def _build(path: Path) -> WalkGraph:
    refs, way_of_ref, node_id, node_xy, stats = _read_ways(path)
    if refs.size == 0:
        raise NetworkError(f"{path}: no walkable ways in the file")
    osm_id, ref_node = np.unique(refs, return_inverse=True)
    at = np.minimum(np.searchsorted(node_id, osm_id), max(node_id.size - 1, 0))
    located_node = node_id[at] == osm_id if node_id.size else np.zeros(osm_id.size, bool)
    located = located_node[ref_node]
    # A segment joins consecutive refs of the same way whose nodes both exist in the file.
    segment = (way_of_ref[1:] == way_of_ref[:-1]) & located[1:] & located[:-1]
    source, target = ref_node[:-1][segment], ref_node[1:][segment]
    xy = np.where(located_node[:, None], node_xy[at] if node_id.size else 0, 0)
    lon = xy[:, 0] / 1e7
    lat = xy[:, 1] / 1e7
    length = haversine_m(lon[source], lat[source], lon[target], lat[target])
    # Nodes that are not on any segment (missing from the file or on one-node ways) are
    # isolated and drop out with the small components.
    report = NetworkReport(**stats, missing_nodes=int((~located_node).sum()))
    return graph_from_edges(osm_id, lon, lat, source, target, length, report)


def read_walk_graph(
    path: str | os.PathLike[str], cache_dir: str | os.PathLike[str] | None = None
) -> WalkGraph:
    """Read an OpenStreetMap file into a walking graph, reusing an on-disk cache.

    Parameters
    ----------
    path : str or path-like
        An ``.osm.pbf`` or ``.osm`` (XML) file.
    cache_dir : str or path-like, optional
        Directory of cached graphs (``.npz`` named after the file's SHA-256 and the reader
        version); created when missing. ``None`` reads the file every time.

    Returns
    -------
    WalkGraph
        The largest connected component of the walkable ways; see ``graph.report``.

    Raises
    ------
    NetworkError
        The file is missing, unreadable or holds no walkable way.
    """
    path = Path(path)
    if not path.is_file():
        raise NetworkError(f"{path}: no such file")
    if cache_dir is None:
        return _build(path)
    digest = hashlib.sha256(_CACHE_VERSION.encode())
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    cached = Path(cache_dir) / f"{digest.hexdigest()[:32]}.npz"
    if cached.is_file():
        try:
            return replace(_load(cached), cache_file=cached)
        except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile):
            pass  # a damaged cache file is rebuilt below
    graph = _build(path)
    try:
        _save(graph, cached)
    except OSError:
        return graph  # the cache only saves time: an unwritable cache directory is no error
    return replace(graph, cache_file=cached)


def _save(graph: WalkGraph, cached: Path) -> None:
    cached.parent.mkdir(parents=True, exist_ok=True)
    # Write then rename, so that a concurrent reader never sees half a file.
    partial = cached.with_name(f"{cached.stem}.{os.getpid()}.partial.npz")
    np.savez(
        partial,
        osm_id=graph.osm_id,
        lon=graph.lon,
        lat=graph.lat,
        indptr=graph.indptr,
        indices=graph.indices,
        length_m=graph.length_m,
        report=np.array(json.dumps(asdict(graph.report))),
    )
    partial.replace(cached)


def _load(cached: Path) -> WalkGraph:
    with np.load(cached) as data:
        arrays = {key: data[key] for key in data.files}
    report = NetworkReport(**json.loads(str(arrays.pop("report"))))
    return WalkGraph(report=report, **arrays)
