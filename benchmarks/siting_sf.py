"""Siting on spopt's San Francisco instance: linli vs spopt (PuLP + CBC, PuLP + HiGHS).

205 census tracts × 16 candidate stores, network distances (``tests/fixtures/spopt-sf``). MCLP
at several radii and p, and p-median at several p. linli's time is the median of 5 calls, each
building the model from the distance matrix; spopt's is building plus solving as measured inside
its own process (interpreter start-up excluded).

    PYTHONPATH=src python benchmarks/siting_sf.py
"""

from __future__ import annotations

import os
import statistics
from pathlib import Path

import pandas as pd
from siting_common import (
    compare,
    print_table,
    run_linli,
    run_spopt,
    save_instance,
    spopt_available,
)

FIXTURE = (
    Path(__file__).parents[1]
    / "tests/fixtures/spopt-sf/SF_network_distance_candidateStore_16_censusTract_205_new.csv"
)
MCLP_CASES = [(radius, p) for radius in (2000, 3000, 5000) for p in (3, 5, 8)]
P_MEDIAN_CASES = [2, 3, 5, 8]
REPEATS = 5


def san_francisco():
    table = pd.read_csv(FIXTURE, dtype={"DestinationName": str, "name": str})
    pivot = table.pivot_table(values="distance", index="DestinationName", columns="name")
    weights = table.groupby("DestinationName")["demand"].first().loc[pivot.index]
    return pivot.to_numpy(), weights.to_numpy(dtype=float)


def main() -> None:
    cost, weights = san_francisco()
    with_spopt = spopt_available()
    path = save_instance(cost, weights) if with_spopt else None
    cases = [("mclp", p, radius) for radius, p in MCLP_CASES]
    cases += [("p_median", p, 0.0) for p in P_MEDIAN_CASES]
    rows = []
    try:
        for model, p, radius in cases:
            runs = [run_linli(cost, weights, model, p, radius, 60.0) for _ in range(REPEATS)]
            ours = {
                "result": runs[-1]["result"],
                "total_time": statistics.median(run["total_time"] for run in runs),
            }
            spopt = {}
            if with_spopt:
                for solver in ("cbc", "highs"):
                    spopt[f"spopt+{solver}"] = run_spopt(path, model, p, radius, solver, 600)
            name = f"SF {model} p={p}" + (f" r={radius:g}" if model == "mclp" else "")
            rows += compare(name, ours, spopt, minimise=model == "p_median")
    finally:
        if path:
            os.unlink(path)
    print_table(rows)


if __name__ == "__main__":
    main()
