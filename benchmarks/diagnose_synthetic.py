"""Diagnosis benchmark: a whole city's gap report on the ~1 M-node synthetic city.

The network, 200 000 residential points and 10 000 facilities are those of
``access_synthetic.py`` (written once into ``benchmarks/.cache/synthetic/``). Residential points
are grouped into 1 km square communities (about 2 000), with households and age groups in fixed
shares of their population; facilities get capacities by scenario.

Two measurements, in one run:

1. ``linli.planning.gaps.gap_report`` end to end for the whole city (nearest facility per
   scenario, coverage per life circle, per-community standards, 2SFCA for beds, nursing beds,
   infant slots and the nine scenarios, priority ranking), the graph read from its cache.
2. The same two-step floating catchment for elderly care (every elderly-care facility's
   1 000 m catchment), by linli's bounded searches (``two_step_fca``) and by the
   straightforward scipy way: ``scipy.sparse.csgraph.dijkstra(indices=…, limit=1000)`` in
   chunks of facilities, each chunk a dense facilities × nodes matrix. The two answers are
   compared origin by origin.

Run ``python benchmarks/diagnose_synthetic.py``.
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))
from access_synthetic import CACHE, write_city  # noqa: E402

from linli.planning.access import snap_index, snap_points  # noqa: E402
from linli.planning.diagnose import two_step_fca  # noqa: E402
from linli.planning.gaps import gap_report, standards_from_pack  # noqa: E402
from linli.planning.network import read_walk_graph  # noqa: E402
from linli.policy import load_pack  # noqa: E402

COMMUNITY_M = 1000.0
RADIUS_M = 1000.0
SCIPY_CHUNK = 50  # facilities per scipy call: 50 x 1 M float64 = 400 MB
CAPACITY = {  # per facility of the scenario
    "elderly_care": {"beds": 30, "nursing_beds": 18, "supply": 30},
    "infant_care": {"infant_slots": 40, "supply": 40},
    "child_afterschool": {"supply": 60},
    "community_meals": {"supply": 80},
}


def city_tables(origins_csv: Path, facilities_csv: Path):
    origins = pd.read_csv(origins_csv)
    x = (origins["lon"] - origins["lon"].min()) * 111_320 * np.cos(np.radians(origins["lat"]))
    y = (origins["lat"] - origins["lat"].min()) * 111_320
    cell = (y // COMMUNITY_M).astype(int) * 1000 + (x // COMMUNITY_M).astype(int)
    demand = pd.DataFrame(
        {
            "community": "C" + cell.astype(str),
            "lon": origins["lon"],
            "lat": origins["lat"],
            "population": origins["weight"] * 10.0,
        }
    )
    population = demand.groupby("community")["population"].sum()
    communities = pd.DataFrame(
        {
            "code": population.index,
            "name": population.index,
            "households": (population / 2.6).round().to_numpy(),
            "population": population.to_numpy(),
            "aged_0_2": (population * 0.03).round().to_numpy(),
            "aged_3_5": (population * 0.03).round().to_numpy(),
            "aged_6_12": (population * 0.08).round().to_numpy(),
            "aged_60_plus": (population * 0.21).round().to_numpy(),
            "service_area_m2": (population / 2.6 * 0.3).round().to_numpy(),
        }
    )
    facilities = pd.read_csv(facilities_csv)
    functions = pd.DataFrame(
        {
            "facility": facilities["id"],
            "scenario": facilities["scenario"],
            "lon": facilities["lon"],
            "lat": facilities["lat"],
            "community": "",
        }
    )
    for column in ("supply", "beds", "nursing_beds", "infant_slots"):
        functions[column] = [
            CAPACITY.get(s, {}).get(column, 1 if column == "supply" else 0)
            for s in functions["scenario"]
        ]
    sites = pd.DataFrame({"community": [], "floor_area_m2": []})
    return communities, demand, functions, sites


def scipy_two_step_fca(graph, origin_node, demand, facility_node, supply, radius_m):
    """2SFCA by scipy's per-source Dijkstra: dense rows of distances, a chunk at a time."""
    matrix = sp.csr_matrix(
        (graph.length_m, graph.indices, graph.indptr), shape=(graph.n_nodes, graph.n_nodes)
    )
    node_demand = np.bincount(origin_node, weights=demand, minlength=graph.n_nodes)
    node_access = np.zeros(graph.n_nodes)
    for start in range(0, facility_node.size, SCIPY_CHUNK):
        sources = facility_node[start : start + SCIPY_CHUNK]
        reached = dijkstra(matrix, indices=sources, limit=radius_m) <= radius_m
        catchment_demand = reached @ node_demand
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.where(
                catchment_demand > 0, supply[start : start + SCIPY_CHUNK] / catchment_demand, 0
            )
        node_access += ratio @ reached
    return node_access[origin_node]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    network, origins_csv, facilities_csv = write_city(CACHE)
    communities, demand, functions, sites = city_tables(origins_csv, facilities_csv)
    read_walk_graph(network, cache_dir=CACHE / "graph-cache")  # warm the cache
    standards = standards_from_pack(load_pack("beijing-2024"))

    started = time.perf_counter()
    graph = read_walk_graph(network, cache_dir=CACHE / "graph-cache")
    loaded = time.perf_counter()
    report = gap_report(graph, communities, demand, functions, sites, standards)
    finished = time.perf_counter()
    memory_after_report = peak_mb()

    index = snap_index(graph)
    origin = snap_points(index, demand["lon"].to_numpy(), demand["lat"].to_numpy())
    elderly = functions[functions["scenario"] == "elderly_care"]
    place = snap_points(index, elderly["lon"].to_numpy(), elderly["lat"].to_numpy())
    keep_o, keep_f = ~origin.too_far, ~place.too_far
    origin_node, facility_node = origin.node[keep_o], place.node[keep_f]
    weights = demand["population"].to_numpy()[keep_o] * 0.21
    beds = elderly["beds"].to_numpy(dtype=float)[keep_f]

    t0 = time.perf_counter()
    ours = two_step_fca(graph, origin_node, weights, facility_node, beds, RADIUS_M)
    t1 = time.perf_counter()
    theirs = scipy_two_step_fca(graph, origin_node, weights, facility_node, beds, RADIUS_M)
    t2 = time.perf_counter()

    print("== diagnosis benchmark: synthetic city ==")
    print(
        f"network {network.name}: {graph.n_nodes} nodes; {len(communities)} communities, "
        f"{len(demand)} residential points, {functions['facility'].nunique()} facilities"
    )
    print(f"graph from cache                          {loaded - started:8.2f} s")
    print(
        f"gap_report, whole city                    {finished - loaded:8.2f} s   "
        f"(peak {memory_after_report:.0f} MB)"
    )
    print(f"  communities reported: {len(report.communities)}, off network: {report.off_network}")
    print(f"2SFCA elderly care, {facility_node.size} facilities, {RADIUS_M:.0f} m:")
    print(f"  linli bounded searches                  {t1 - t0:8.2f} s")
    print(f"  scipy dijkstra per source, chunks of {SCIPY_CHUNK} {t2 - t1:8.2f} s")
    print(f"  ratio scipy / linli: {(t2 - t1) / (t1 - t0):.1f}x")
    close = np.isclose(ours, theirs, rtol=1e-9, atol=1e-12)
    print(f"  agreement: {close.mean() * 100:.2f}% of origins equal within 1e-9")


if __name__ == "__main__":
    main()
