"""Shared runner of the accessibility benchmarks (``access_real.py``, ``access_synthetic.py``).

Three pipelines answer the same question — every origin's nearest facility of each scenario
within 2 000 m of walking — on the same files, each in its own process so that its wall time
and peak resident memory (``os.wait4``) are its own:

- ``linli plan access`` as a user runs it, with a cold and then a warm graph cache;
- a straightforward pyosmium + scipy pipeline: a ``SimpleHandler`` into Python dicts, a scipy
  CSR graph, a KD-tree, one ``dijkstra(min_only=True, limit=2000)`` per scenario on the full
  graph, pandas ``to_csv``;
- pandana: the same reader, ``pandana.Network`` (contraction hierarchies), ``set_pois`` and
  ``nearest_pois`` per scenario.

``python access_common.py straightforward|pandana NETWORK ORIGINS FACILITIES OUT`` runs one
peer pipeline; the benchmark scripts call it.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
from linli.policy.vocabulary import SCENARIOS as _SCENARIO_LABELS  # noqa: E402

SCENARIOS = list(_SCENARIO_LABELS)
MAX_DISTANCE_M = 2000.0


def measure(
    command: list[str], timeout_s: float = 1800.0, src: Path = ROOT / "src"
) -> tuple[float, float, int]:
    """Run ``command`` with linli from ``src``; return wall seconds, peak resident MB of that
    process (its threads included), exit status."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(src), os.environ.get("PYTHONPATH", "")]),
    }
    start = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = start + timeout_s
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            process.kill()
            pid, status, usage = os.wait4(process.pid, 0)
            break
        time.sleep(0.02)
    elapsed = time.perf_counter() - start
    return elapsed, usage.ru_maxrss / 1024.0, os.waitstatus_to_exitcode(status)


def run_all(
    label: str,
    network: Path,
    origins: Path,
    facilities: Path,
    workdir: Path,
    pandana: bool = True,
) -> None:
    """Run and print the three pipelines on one dataset."""
    workdir.mkdir(parents=True, exist_ok=True)
    cache = workdir / "graph-cache"
    shutil.rmtree(cache, ignore_errors=True)
    n_origins = len(pd.read_csv(origins, usecols=["id"]))
    facility_table = pd.read_csv(facilities, usecols=["scenario"])
    print(f"== accessibility benchmark: {label} ==")
    print(
        f"network {network.name} ({network.stat().st_size / 1e6:.1f} MB), {n_origins} origins, "
        f"{len(facility_table)} facilities, {facility_table['scenario'].nunique()} scenarios, "
        f"max distance {MAX_DISTANCE_M:g} m, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    ours = [sys.executable, "-m", "linli", "plan", "access", "--network", str(network),
            "--origins", str(origins), "--facilities", str(facilities),
            "--max-distance", str(MAX_DISTANCE_M), "--cache-dir", str(cache)]  # fmt: skip
    peer = [sys.executable, str(Path(__file__).resolve())]
    inputs = [str(network), str(origins), str(facilities)]
    runs: dict[str, tuple[float, float, int]] = {}
    outputs: dict[str, Path] = {}
    plan = [
        ("linli plan access, cold cache", [*ours, "--out", str(workdir / "linli.csv")], "linli"),
        ("linli plan access, warm cache", [*ours, "--out", str(workdir / "linli.csv")], None),
        (
            "straightforward pyosmium + scipy",
            [*peer, "straightforward", *inputs, str(workdir / "straightforward.csv")],
            "straightforward",
        ),  # fmt: skip
    ]
    if pandana:
        plan.append(
            (
                "pandana (network build + nearest_pois)",
                [*peer, "pandana", *inputs, str(workdir / "pandana.csv")],
                "pandana",
            )  # fmt: skip
        )
    print(f"{'pipeline':<42}{'time s':>9}{'peak MB':>10}")
    for name, command, key in plan:
        seconds, peak, status = measure(command)
        runs[name] = (seconds, peak, status)
        failed = "" if status == 0 else f"   FAILED (exit {status})"
        print(f"{name:<42}{seconds:>9.2f}{peak:>10.0f}{failed}", flush=True)
        if key and status == 0:
            outputs[key] = workdir / f"{key}.csv"
    cold = runs["linli plan access, cold cache"][0]
    warm = runs["linli plan access, warm cache"][0]
    for name, (seconds, _, status) in runs.items():
        if not name.startswith("linli") and status == 0:
            print(
                f"ratio {name} / linli: {seconds / cold:.1f}x (cold cache), "
                f"{seconds / warm:.1f}x (warm cache)"
            )
    if "linli" in outputs:
        reference = _read_result(outputs["linli"])
        for key in ("straightforward", "pandana"):
            if key in outputs:
                print(
                    f"agreement linli vs {key}: {_agreement(reference, _read_result(outputs[key]))}"
                )


def _read_result(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype={"origin_id": str, "facility_id": str})
    return frame.set_index(["origin_id", "scenario"])["distance_m"].sort_index()


def _agreement(ours: pd.Series, theirs: pd.Series) -> str:
    theirs = theirs.reindex(ours.index)
    both = ours.notna() & theirs.notna()
    same_found = float((ours.notna() == theirs.notna()).mean())
    close = float(((ours - theirs).abs()[both] <= 1.0).mean()) if both.any() else float("nan")
    return (
        f"{same_found:.2%} of origin-scenario pairs agree on found/not found; "
        f"{close:.2%} of those found by both within 1 m"
    )


# --- peer pipelines ---------------------------------------------------------------------


def _haversine(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_008.8 * math.asin(math.sqrt(a))


def _read_straightforward(network: Path) -> tuple[np.ndarray, np.ndarray, dict]:
    """A plain pyosmium handler: node dict, edge dict keeping the shorter of parallel ways."""
    import osmium

    from linli.planning.network import unwalkable_reason

    index: dict[int, int] = {}
    coords: list[tuple[float, float]] = []
    edges: dict[tuple[int, int], float] = {}

    class Handler(osmium.SimpleHandler):
        def way(self, way) -> None:
            tags = {tag.k: tag.v for tag in way.tags}
            if "highway" not in tags or unwalkable_reason(tags) is not None:
                return
            previous = None
            for node in way.nodes:
                if not node.location.valid():
                    previous = None
                    continue
                if node.ref not in index:
                    index[node.ref] = len(coords)
                    coords.append((node.lon, node.lat))
                current = index[node.ref]
                if previous is not None and previous != current:
                    length = _haversine(*coords[previous], *coords[current])
                    for key in ((previous, current), (current, previous)):
                        if length < edges.get(key, math.inf):
                            edges[key] = length
                previous = current

    Handler().apply_file(str(network), locations=True)
    xy = np.array(coords)
    return xy[:, 0], xy[:, 1], edges


def straightforward(network: Path, origins: Path, facilities: Path, out: Path) -> None:
    import scipy.sparse
    from pyproj import Transformer
    from scipy.sparse.csgraph import connected_components, dijkstra
    from scipy.spatial import cKDTree

    lon, lat, edges = _read_straightforward(network)
    pairs = np.array(list(edges.keys()))
    graph = scipy.sparse.csr_matrix(
        (np.array(list(edges.values())), (pairs[:, 0], pairs[:, 1])), shape=(lon.size, lon.size)
    )
    _, labels = connected_components(graph, directed=False)
    largest = np.flatnonzero(labels == np.bincount(labels).argmax())
    zone = int((lon.mean() + 180) // 6) + 1
    utm = Transformer.from_crs(4326, (32600 if lat.mean() >= 0 else 32700) + zone, always_xy=True)
    tree = cKDTree(np.column_stack(utm.transform(lon[largest], lat[largest])))
    o = pd.read_csv(origins, dtype={"id": str})
    f = pd.read_csv(facilities, dtype={"id": str})
    origin_node = largest[tree.query(np.column_stack(utm.transform(o.lon, o.lat)))[1]]
    f_dist, f_idx = tree.query(np.column_stack(utm.transform(f.lon, f.lat)))
    f["node"] = largest[f_idx]
    f = f[f_dist <= 500.0]
    frames = []
    for scenario in [s for s in SCENARIOS if s in set(f.scenario)]:
        members = f[f.scenario == scenario].drop_duplicates("node")
        distance, _, source = dijkstra(
            graph, indices=members.node.to_numpy(), limit=MAX_DISTANCE_M,
            min_only=True, return_predecessors=True,
        )  # fmt: skip
        facility_at = dict(zip(members.node, members.id, strict=True))
        d = distance[origin_node]
        frames.append(
            pd.DataFrame(
                {
                    "origin_id": o.id,
                    "scenario": scenario,
                    "distance_m": np.where(np.isfinite(d), d.round(2), np.nan),
                    "facility_id": [facility_at.get(s) for s in source[origin_node]],
                    "order": np.arange(len(o)),
                }
            )  # fmt: skip
        )
    table = pd.concat(frames).sort_values(["order"], kind="stable").drop(columns="order")
    table.to_csv(out, index=False)


def pandana_pipeline(network: Path, origins: Path, facilities: Path, out: Path) -> None:
    import pandana

    lon, lat, edges = _read_straightforward(network)
    pairs = np.array([key for key in edges if key[0] < key[1]])
    lengths = np.array([edges[tuple(key)] for key in pairs])
    nodes = pd.DataFrame({"x": lon, "y": lat})
    net = pandana.Network(
        nodes.x, nodes.y, pd.Series(pairs[:, 0]), pd.Series(pairs[:, 1]),
        pd.DataFrame({"length": lengths}), twoway=True,
    )  # fmt: skip
    o = pd.read_csv(origins, dtype={"id": str})
    f = pd.read_csv(facilities, dtype={"id": str})
    origin_node = net.get_node_ids(o.lon, o.lat).to_numpy()
    frames = []
    for scenario in [s for s in SCENARIOS if s in set(f.scenario)]:
        members = f[f.scenario == scenario].reset_index(drop=True)
        net.set_pois(scenario, MAX_DISTANCE_M, 1, members.lon, members.lat)
        found = net.nearest_pois(MAX_DISTANCE_M, scenario, num_pois=1, include_poi_ids=True)
        distance = found[1].reindex(origin_node).to_numpy()
        poi = found["poi1"].reindex(origin_node).to_numpy()
        reached = distance < MAX_DISTANCE_M  # pandana reports the radius itself for "none"
        frames.append(
            pd.DataFrame(
                {
                    "origin_id": o.id,
                    "scenario": scenario,
                    "distance_m": np.where(reached, distance, np.nan),
                    "facility_id": [
                        members.id[int(p)] if r else None for p, r in zip(poi, reached, strict=True)
                    ],
                    "order": np.arange(len(o)),
                }
            )  # fmt: skip
        )
    table = pd.concat(frames).sort_values(["order"], kind="stable").drop(columns="order")
    table.to_csv(out, index=False)


if __name__ == "__main__":
    pipeline = {"straightforward": straightforward, "pandana": pandana_pipeline}[sys.argv[1]]
    pipeline(*(Path(arg) for arg in sys.argv[2:6]))
