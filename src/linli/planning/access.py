"""Walking accessibility on a :class:`~linli.planning.network.WalkGraph`.

Points are snapped to their nearest graph node (a KD-tree in the local UTM zone) and points
too far from any street are flagged; each scenario gets one multi-source Dijkstra from all its
facilities at once, bounded by the maximum distance, on the graph with its dead-end trees and
chains of degree-2 nodes contracted away (numba, the scenarios in parallel threads), which
yields every origin's nearest facility and its network distance (few origins: one search from
each origin instead). Catchments (what each facility reaches, for 2SFCA and siting) use a
bounded single-source kernel that visits only the reached nodes.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import scipy
from pyproj import CRS
from scipy.spatial import cKDTree

from linli.geo.crs import local_metric_crs, transform
from linli.planning._csv import encode_fields, nearest_rows
from linli.planning._dijkstra import (
    contract_graph,
    nearest_from_origins,
    nearest_source,
    reached_within,
)
from linli.planning.network import WalkGraph, graph_csr
from linli.policy.pack import PolicyPack
from linli.policy.vocabulary import SCENARIOS

__all__ = [
    "DEFAULT_LIFE_CIRCLES_M",
    "DEFAULT_MAX_DISTANCE_M",
    "DEFAULT_MAX_SNAP_M",
    "Catchments",
    "NearestFacilities",
    "PointsError",
    "SnapIndex",
    "Snapped",
    "catchments",
    "coverage",
    "life_circles_m",
    "nearest_facilities",
    "read_facilities",
    "read_origins",
    "snap_index",
    "snap_points",
    "write_nearest_csv",
]

# GB 50180-2018 5-, 10- and 15-minute life circles; a policy pack's own values win
# (see life_circles_m).
DEFAULT_LIFE_CIRCLES_M: tuple[float, ...] = (300.0, 500.0, 1000.0)
DEFAULT_MAX_DISTANCE_M = 2000.0
DEFAULT_MAX_SNAP_M = 500.0
_LIFE_CIRCLE_KEY = re.compile(r"walk_\d+min_m")


class PointsError(ValueError):
    """A points CSV is unreadable or holds a bad value; the message names file, row, column."""


@dataclass(frozen=True)
class SnapIndex:
    """A KD-tree over the graph nodes in the local UTM zone (``crs``)."""

    crs: CRS
    tree: cKDTree


@dataclass(frozen=True)
class Snapped:
    """Points snapped to graph nodes.

    Attributes
    ----------
    node : numpy.ndarray
        int64 nearest graph node of each point.
    distance_m : numpy.ndarray
        Straight-line distance from the point to that node.
    too_far : numpy.ndarray
        bool, the point is farther than the maximum snap distance from every node: it is off
        the network (or outside the extract) and should not be treated as on it.
    """

    node: np.ndarray
    distance_m: np.ndarray
    too_far: np.ndarray


@dataclass(frozen=True)
class NearestFacilities:
    """Every origin's nearest facility per scenario.

    Attributes
    ----------
    scenarios : tuple[str, ...]
        Row labels of the two arrays.
    distance_m : numpy.ndarray
        ``(n_scenarios, n_origins)`` network distance; ``inf`` when no facility of the scenario
        is within the maximum distance.
    facility : numpy.ndarray
        ``(n_scenarios, n_origins)`` int64 index of that facility in the input; ``-1`` when none.
    """

    scenarios: tuple[str, ...]
    distance_m: np.ndarray
    facility: np.ndarray


@dataclass(frozen=True)
class Catchments:
    """Graph nodes within a radius of each source, nearest first.

    The catchment of source ``i`` is ``node[offsets[i]:offsets[i + 1]]``, at network distances
    ``distance_m[offsets[i]:offsets[i + 1]]``; its first node is the source itself.
    """

    offsets: np.ndarray
    node: np.ndarray
    distance_m: np.ndarray

    def source_of_entry(self) -> np.ndarray:
        """The source index of every ``(node, distance_m)`` entry (for sparse assembly)."""
        return np.repeat(np.arange(self.offsets.size - 1), np.diff(self.offsets))


def read_origins(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read an origins CSV: ``id,lon,lat[,weight]`` (DESIGN.md §6), WGS 84.

    Returns
    -------
    pandas.DataFrame
        ``id`` (str), ``lon``, ``lat`` and ``weight`` (float; 1 when the column is absent).

    Raises
    ------
    PointsError
        A missing column, an empty id, a coordinate that is not a number within range, or a
        negative weight; the message names the file, row and column.
    """
    fast = _read_well_formed(Path(path), {"weight": (0.0, np.inf)})
    if fast is not None:
        if "weight" not in fast.columns:
            fast["weight"] = 1.0
        return fast[["id", "lon", "lat", "weight"]]
    frame, raw = _read_points(Path(path), ["id", "lon", "lat"])
    if "weight" in raw.columns:
        weight = pd.to_numeric(raw["weight"].str.strip(), errors="coerce")
        bad = weight.isna() | (weight < 0) | np.isinf(weight)
        _fail_at(Path(path), "weight", bad, raw["weight"], "is not a non-negative number")
        frame["weight"] = weight.to_numpy(dtype=np.float64)
    else:
        frame["weight"] = 1.0
    return frame


def read_facilities(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a facilities CSV: ``id,lon,lat,scenario`` (DESIGN.md §6), WGS 84.

    Returns
    -------
    pandas.DataFrame
        ``id`` (str), ``lon``, ``lat``, ``scenario`` (one of the 9 codes of DESIGN.md §5).

    Raises
    ------
    PointsError
        As :func:`read_origins`, and for a scenario that is not one of the 9 codes.
    """
    fast = _read_well_formed(Path(path), {})
    if fast is not None and "scenario" in fast.columns:
        scenario = fast["scenario"].astype(object).str.strip()
        if scenario.isin(list(SCENARIOS)).all():
            fast["scenario"] = scenario.to_numpy(dtype=object)
            return fast[["id", "lon", "lat", "scenario"]]
    frame, raw = _read_points(Path(path), ["id", "lon", "lat", "scenario"])
    scenario = raw["scenario"].str.strip()
    _fail_at(
        Path(path),
        "scenario",
        ~scenario.isin(list(SCENARIOS)),
        raw["scenario"],
        f"is not a scenario code (one of {', '.join(SCENARIOS)})",
    )
    frame["scenario"] = scenario.to_numpy(dtype=object)
    return frame


def _read_well_formed(path: Path, optional: dict[str, tuple[float, float]]) -> pd.DataFrame | None:
    """The usual, well-formed file in one pass of pandas' C parser; ``None`` when any cell
    needs the careful path (:func:`_read_points`), which then names the bad one.

    ``id``, ``lon`` and ``lat`` are checked as there; each column of ``optional`` present in
    the file must be numbers within its ``(low, high)`` bounds.
    """
    try:
        table = pd.read_csv(
            path, dtype={"id": str, "scenario": str}, keep_default_na=False, encoding="utf-8-sig"
        )
    except (OSError, ValueError, UnicodeDecodeError, pd.errors.ParserError):
        return None
    table.columns = [str(name).strip() for name in table.columns]
    bounds = {"lon": (-180.0, 180.0), "lat": (-90.0, 90.0)}
    bounds.update({name: b for name, b in optional.items() if name in table.columns})
    if "id" not in table.columns or not set(bounds) <= set(table.columns):
        return None
    for name, (low, high) in bounds.items():
        values = table[name]
        if values.dtype.kind not in "fi":
            return None
        values = values.to_numpy(dtype=np.float64)
        if not (np.isfinite(values).all() and (values >= low).all() and (values <= high).all()):
            return None
        table[name] = values
    ids = table["id"].astype(object).str.strip()
    if (ids == "").any():
        return None
    table["id"] = ids.to_numpy(dtype=object)
    return table


def _read_points(path: Path, columns: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``id``, ``lon`` and ``lat`` checked, and the whole file as text for further checks."""
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError as error:
        raise PointsError(f"{path}: no such file") from error
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise PointsError(f"{path}: not a readable CSV file ({error})") from error
    raw.columns = [str(name).strip() for name in raw.columns]
    missing = [name for name in columns if name not in raw.columns]
    if missing:
        raise PointsError(f"{path}: missing column {', '.join(repr(m) for m in missing)}")
    ids = raw["id"].str.strip()
    _fail_at(path, "id", ids == "", raw["id"], "is empty")
    frame = pd.DataFrame({"id": ids.to_numpy(dtype=object)})
    for name, bound in (("lon", 180.0), ("lat", 90.0)):
        values = pd.to_numeric(raw[name].str.strip(), errors="coerce")
        bad = values.isna() | (values.abs() > bound)
        _fail_at(path, name, bad, raw[name], f"is not a coordinate within ±{bound:g}°")
        frame[name] = values.to_numpy(dtype=np.float64)
    return frame, raw


def _fail_at(path: Path, column: str, bad: pd.Series, raw: pd.Series, problem: str) -> None:
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise PointsError(
            f"{path}: row {row + 1} (line {row + 2}), column {column!r}: "
            f"{raw.iloc[row]!r} {problem}"
        )


def snap_index(graph: WalkGraph) -> SnapIndex:
    """The KD-tree used by :func:`snap_points`, built once per graph.

    Beside a cached graph (``graph.cache_file``) the tree is cached too: building it for a
    1 M-node city costs more than loading the whole graph.
    """
    crs = local_metric_crs(graph.lon, graph.lat)
    cached = _snap_cache_file(graph)
    if cached is not None and cached.is_file():
        try:
            return SnapIndex(crs=crs, tree=_load_tree(cached, graph.n_nodes))
        except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile):
            pass  # a damaged cache file is rebuilt below
    x, y = transform(graph.lon, graph.lat, 4326, crs)
    tree = cKDTree(np.column_stack([x, y]))
    if cached is not None:
        try:
            _save_tree(tree, cached)
        except OSError:
            pass  # the cache only saves time
    return SnapIndex(crs=crs, tree=tree)


def _snap_cache_file(graph: WalkGraph) -> Path | None:
    if graph.cache_file is None:
        return None
    # The tree's saved state is scipy's own: another scipy release builds it anew.
    return graph.cache_file.with_name(f"{graph.cache_file.stem}.snap-scipy{scipy.__version__}.npz")


def _save_tree(tree: cKDTree, cached: Path) -> None:
    """The tree's pickling state as plain arrays (no pickle: the cache is only data)."""
    state = tree.__getstate__()
    partial = cached.with_name(f"{cached.stem}.{os.getpid()}.partial.npz")
    arrays = {f"s{i}": np.asarray(v) for i, v in enumerate(state) if v is not None}
    np.savez(partial, count=np.asarray(len(state)), **arrays)
    partial.replace(cached)


def _load_tree(cached: Path, n_nodes: int) -> cKDTree:
    with np.load(cached, allow_pickle=False) as data:
        count = int(data["count"])
        state = tuple(
            (data[f"s{i}"] if data[f"s{i}"].ndim else data[f"s{i}"].item())
            if f"s{i}" in data.files
            else None
            for i in range(count)
        )
    tree = cKDTree.__new__(cKDTree)
    tree.__setstate__(state)
    if tree.n != n_nodes:
        raise ValueError("the cached snapping index is for another graph")
    return tree


def snap_points(
    index: SnapIndex,
    lon: np.ndarray,
    lat: np.ndarray,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
) -> Snapped:
    """Snap WGS 84 points to their nearest graph node.

    Parameters
    ----------
    index : SnapIndex
        From :func:`snap_index`.
    lon, lat : numpy.ndarray
        WGS 84 coordinates.
    max_snap_m : float, default 500
        Points farther than this from every node are flagged ``too_far``.

    Returns
    -------
    Snapped
    """
    x, y = transform(lon, lat, 4326, index.crs)
    distance, node = index.tree.query(np.column_stack([x, y]), workers=-1)
    distance = np.asarray(distance, dtype=np.float64)
    return Snapped(
        node=np.asarray(node, dtype=np.int64), distance_m=distance, too_far=distance > max_snap_m
    )


def nearest_facilities(
    graph: WalkGraph,
    origin_node: np.ndarray,
    facility_node: np.ndarray,
    facility_scenario: Sequence[str] | np.ndarray,
    max_distance_m: float = DEFAULT_MAX_DISTANCE_M,
    scenarios: Sequence[str] | None = None,
) -> NearestFacilities:
    """Network distance from each origin to its nearest facility of each scenario.

    One multi-source Dijkstra per scenario from all its facilities at once, bounded by
    ``max_distance_m`` (the graph is symmetric, so the distance from the facilities equals the
    distance to them), the scenarios side by side in threads. The searches run on the graph
    with its dead-end trees removed and its chains of degree-2 nodes contracted into single
    edges (the facilities' nodes are kept), which gives the same distances on a graph several
    times smaller. When the origins sit on fewer nodes than the facilities, one search from
    each origin, stopped once it has found every scenario, does less work and is used instead
    (its distances are sums in another order: equal to within 1e-9 m).

    Parameters
    ----------
    graph : WalkGraph
    origin_node, facility_node : numpy.ndarray
        Graph nodes, e.g. ``snap_points(...).node``; several facilities may share a node (the
        first one in input order is reported).
    facility_scenario : sequence of str
        Scenario code of each facility.
    max_distance_m : float, default 2000
        Search radius; farther facilities are not found. A facility at exactly this distance
        is found.
    scenarios : sequence of str, optional
        Scenarios to report, in this order; default: those of the facilities, sorted.

    Returns
    -------
    NearestFacilities
        Facility indices refer to the input order of ``facility_node``.
    """
    origin_node = np.asarray(origin_node, dtype=np.int64)
    facility_node = np.asarray(facility_node, dtype=np.int64)
    facility_scenario = np.asarray(facility_scenario, dtype=object)
    if scenarios is None:
        scenarios = sorted(set(facility_scenario.tolist()))
    unique_origins, origin_of = np.unique(origin_node, return_inverse=True)
    if unique_origins.size < np.unique(facility_node).size:
        distance, facility = _search_from_origins(
            graph, unique_origins, facility_node, facility_scenario, scenarios, max_distance_m
        )
        return NearestFacilities(tuple(scenarios), distance[:, origin_of], facility[:, origin_of])
    distances = np.full((len(scenarios), origin_node.size), np.inf)
    facilities = np.full((len(scenarios), origin_node.size), -1, dtype=np.int64)
    keep = np.zeros(graph.n_nodes, dtype=bool)
    keep[facility_node] = True
    kept, edge_u, edge_v, edge_w, end, offset = contract_graph(
        graph.indptr, graph.indices, graph.length_m, keep
    )
    renumber = np.cumsum(kept) - 1
    loop = edge_u == edge_v
    contracted = graph_csr(
        renumber[edge_u[~loop]], renumber[edge_v[~loop]], edge_w[~loop], int(kept.sum())
    )
    # An origin is reached through at most two kept ends (a kept origin is its own end).
    origin_end = end[origin_node]
    origin_offset = offset[origin_node]
    has_end = origin_end >= 0
    origin_end_k = np.where(has_end, renumber[np.maximum(origin_end, 0)], 0)
    pick = np.arange(origin_node.size)

    def search(row: int) -> None:
        members = np.flatnonzero(facility_scenario == scenarios[row])
        if members.size == 0:
            return
        # Facilities sharing a node: the first in input order is reported.
        source_nodes, first = np.unique(facility_node[members], return_index=True)
        distance, facility_at = nearest_source(
            contracted.indptr,
            contracted.indices,
            contracted.data,
            renumber[source_nodes],
            members[first],
            float(max_distance_m),
        )
        via_end = np.where(has_end, distance[origin_end_k] + origin_offset, np.inf)
        nearer = np.argmin(via_end, axis=1)
        best = via_end[pick, nearer]
        reached = best <= max_distance_m
        distances[row] = np.where(reached, best, np.inf)
        facilities[row] = np.where(reached, facility_at[origin_end_k[pick, nearer]], -1)

    # The kernel releases the GIL: one thread per core searches the scenarios side by side.
    with ThreadPoolExecutor(max_workers=min(len(scenarios), os.cpu_count() or 1) or 1) as pool:
        list(pool.map(search, range(len(scenarios))))
    return NearestFacilities(scenarios=tuple(scenarios), distance_m=distances, facility=facilities)


def _search_from_origins(
    graph: WalkGraph,
    origins: np.ndarray,
    facility_node: np.ndarray,
    facility_scenario: np.ndarray,
    scenarios: Sequence[str],
    max_distance_m: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Few origins, many facilities: one search from each origin, stopped once it has found
    every scenario, instead of a whole-city search per scenario. Origins are split among
    threads (the kernel releases the GIL)."""
    row = {code: i for i, code in enumerate(scenarios)}
    scenario_of = np.array([row.get(code, -1) for code in facility_scenario], dtype=np.int64)
    wanted = np.flatnonzero(scenario_of >= 0)
    order = wanted[np.lexsort((wanted, facility_node[wanted]))]
    offsets = np.zeros(graph.n_nodes + 1, dtype=np.int64)
    np.cumsum(np.bincount(facility_node[order], minlength=graph.n_nodes), out=offsets[1:])
    workers = max(1, min(os.cpu_count() or 1, origins.size))

    def search(chunk: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return nearest_from_origins(
            graph.indptr, graph.indices, graph.length_m, chunk, offsets,
            scenario_of[order], order, len(scenarios), float(max_distance_m),
        )  # fmt: skip

    with ThreadPoolExecutor(max_workers=workers) as pool:
        parts = list(pool.map(search, np.array_split(origins, workers)))
    return (
        np.concatenate([distance for distance, _ in parts], axis=1),
        np.concatenate([facility for _, facility in parts], axis=1),
    )


def coverage(
    nearest: NearestFacilities,
    weight: np.ndarray | None = None,
    life_circles: Sequence[float] = DEFAULT_LIFE_CIRCLES_M,
) -> pd.DataFrame:
    """Share of the origins' weight within each life-circle distance, per scenario.

    Parameters
    ----------
    nearest : NearestFacilities
    weight : numpy.ndarray, optional
        Weight of each origin (e.g. population); every origin counts 1 when omitted.
    life_circles : sequence of float, default (300, 500, 1000)
        Walking distances in metres; see :func:`life_circles_m` for a policy pack's values.

    Returns
    -------
    pandas.DataFrame
        One row per scenario and life circle: ``scenario, life_circle_m, covered_weight,
        total_weight, share``. ``share`` is NaN when the total weight is zero.
    """
    n_origins = nearest.distance_m.shape[1]
    weight = np.ones(n_origins) if weight is None else np.asarray(weight, dtype=np.float64)
    total = float(weight.sum())
    rows = []
    for row, scenario in enumerate(nearest.scenarios):
        for radius in life_circles:
            covered = float(weight[nearest.distance_m[row] <= radius].sum())
            rows.append(
                {
                    "scenario": scenario,
                    "life_circle_m": float(radius),
                    "covered_weight": covered,
                    "total_weight": total,
                    "share": covered / total if total > 0 else np.nan,
                }
            )
    return pd.DataFrame(
        rows, columns=["scenario", "life_circle_m", "covered_weight", "total_weight", "share"]
    )


def write_nearest_csv(
    path: str | os.PathLike[str],
    nearest: NearestFacilities,
    origin_id: Sequence[object] | np.ndarray,
    facility_id: Sequence[object] | np.ndarray,
) -> None:
    """Write ``origin_id,scenario,distance_m,facility_id`` (DESIGN.md §6), all or nothing.

    One row per origin and scenario, origin by origin in input order, scenarios in the order of
    ``nearest.scenarios``; distance in metres with 2 decimals; distance and facility empty when
    no facility was found. The file appears only once complete.
    """
    path = Path(path)
    origin, origin_offsets = encode_fields(np.asarray(origin_id, dtype=object))
    scenario, scenario_offsets = encode_fields(np.asarray(nearest.scenarios, dtype=object))
    facility, facility_offsets = encode_fields(np.asarray(facility_id, dtype=object))
    found = np.isfinite(nearest.distance_m) & (nearest.facility >= 0)
    body = nearest_rows(
        origin,
        origin_offsets,
        scenario,
        scenario_offsets,
        facility,
        facility_offsets,
        np.where(found, nearest.distance_m, np.inf),
        np.where(found, nearest.facility, 0),
    )
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    with partial.open("wb") as handle:
        handle.write(b"origin_id,scenario,distance_m,facility_id\n")
        handle.write(body.tobytes())
    partial.replace(path)


def life_circles_m(pack: PolicyPack) -> tuple[float, ...]:
    """The life-circle walking distances of a policy pack, in metres, ascending.

    Parameters
    ----------
    pack : linli.policy.PolicyPack
        A loaded pack; its ``life_circles.walk_<n>min_m`` standards are the life circles
        (other entries of the section, such as a walking speed or a scenario-specific walking
        limit, are not).

    Returns
    -------
    tuple of float
        The pack's distances, or :data:`DEFAULT_LIFE_CIRCLES_M` when it declares none.
    """
    values = {
        float(standard.value)
        for key, standard in pack.life_circles.items()
        if _LIFE_CIRCLE_KEY.fullmatch(key) and standard.unit == "m"
    }
    return tuple(sorted(values)) or DEFAULT_LIFE_CIRCLES_M


def catchments(graph: WalkGraph, source_node: np.ndarray, radius_m: float) -> Catchments:
    """Every graph node within ``radius_m`` of each source, by bounded Dijkstra searches.

    Parameters
    ----------
    graph : WalkGraph
    source_node : numpy.ndarray
        Graph node of each source (e.g. facilities).
    radius_m : float
        Network radius; a node at exactly this distance is included.

    Returns
    -------
    Catchments
        Per source, the reached nodes nearest first with their distances.
    """
    offsets, node, distance = reached_within(
        graph.indptr,
        graph.indices,
        graph.length_m,
        np.asarray(source_node, dtype=np.int64),
        float(radius_m),
    )
    return Catchments(offsets=offsets, node=node, distance_m=distance)
