"""Siting at district scale: linli vs spopt (PuLP + CBC, PuLP + HiGHS) on synthetic cities.

MCLP with p = 100 sites and an 800 m radius (a 15-minute life circle) on 10 000 and 20 000
demand points × 2 000 candidate buildings. linli runs twice: heuristics only with a 10 s limit,
and "auto" with 58 s (so that the whole call, matrix included, stays within 60 s), HiGHS on 2
threads; spopt gets a 60 s solver time limit, and its model-building time comes on top.

    PYTHONPATH=src python benchmarks/siting_synthetic.py [--sizes 10000 20000] [--spopt-limit S]

The city: a 20 km × 20 km square; 70 % of demand points in 60 residential clusters (σ 700 m),
30 % spread evenly; weights (e.g. residents aged 60+) log-normal, rounded; half the candidates
near demand points (σ 300 m), half anywhere. Straight-line distances stand in for walking ones:
the models only see the matrix.
"""

from __future__ import annotations

import argparse
import os

import numpy as np
from scipy.spatial.distance import cdist
from siting_common import compare, print_table, run_linli, run_spopt, save_instance, spopt_available

P, RADIUS, N_CANDIDATES, SIDE_M = 100, 800.0, 2000, 20_000.0


def synthetic_city(n_demand: int, n_candidates: int, seed: int = 0):
    """Distances (n_demand × n_candidates, metres) and demand weights of a synthetic city."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, SIDE_M, (60, 2))
    n_clustered = int(0.7 * n_demand)
    demand = np.vstack(
        [
            centres[rng.integers(len(centres), size=n_clustered)]
            + rng.normal(0, 700, (n_clustered, 2)),
            rng.uniform(0, SIDE_M, (n_demand - n_clustered, 2)),
        ]
    ).clip(0, SIDE_M)
    weights = np.round(rng.lognormal(4.5, 0.8, n_demand))
    near = n_candidates // 2
    candidates = np.vstack(
        [
            demand[rng.integers(n_demand, size=near)] + rng.normal(0, 300, (near, 2)),
            rng.uniform(0, SIDE_M, (n_candidates - near, 2)),
        ]
    ).clip(0, SIDE_M)
    return cdist(demand, candidates), weights


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 20_000])
    parser.add_argument("--time-limit", type=float, default=58.0, help="linli's limit, s")
    parser.add_argument(
        "--heuristic-limit", type=float, default=10.0, help="linli heuristic-only limit, s"
    )
    parser.add_argument("--spopt-limit", type=float, default=60.0, help="spopt's solver limit, s")
    parser.add_argument("--no-spopt", action="store_true", help="run linli only")
    args = parser.parse_args()
    with_spopt = not args.no_spopt and spopt_available()
    rows = []
    for n in args.sizes:
        cost, weights = synthetic_city(n, N_CANDIDATES)
        instance = f"synthetic {n}x{N_CANDIDATES} p={P}"
        greedy = run_linli(cost, weights, "mclp", P, RADIUS, args.heuristic_limit, "heuristic")
        ours = run_linli(cost, weights, "mclp", P, RADIUS, args.time_limit)
        runs = {}
        if with_spopt:
            path = save_instance(cost, weights)
            try:
                for solver in ("cbc", "highs"):
                    runs[f"spopt+{solver}"] = run_spopt(
                        path, "mclp", P, RADIUS, solver, args.spopt_limit
                    )
            finally:
                os.unlink(path)
        limits = (args.heuristic_limit, args.time_limit)
        rows += compare(instance, greedy, {}, False, label=f"linli heur {limits[0]:g}s")
        rows += compare(instance, ours, runs, False, label=f"linli auto {limits[1]:g}s")
        print(f"{instance}: total weight {weights.sum():.1f}", flush=True)
    print_table(rows)


if __name__ == "__main__":
    main()
