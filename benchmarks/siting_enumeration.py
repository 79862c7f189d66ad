"""Where enumerating every candidate subset beats HiGHS: calibrates ``ENUMERATION_AUTO_WORK``.

Random instances (uniform points, straight-line distances) of growing size; for each, the time
of ``method="enumeration"`` and of ``auto`` with enumeration switched off (greedy, local search,
HiGHS), the enumeration's work estimate and its nanoseconds per work unit. Both answers must
agree and be proven optimal.

    PYTHONPATH=src python benchmarks/siting_enumeration.py
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from linli.planning import _siting_enumeration as enum
from linli.planning import siting
from linli.planning.siting import CoverageMatrix, SolverOptions, mclp, p_median

MCLP_CASES = [  # (demand, candidates, p)
    (200, 16, 8),
    (200, 30, 4),
    (200, 30, 6),
    (1000, 30, 5),
    (1000, 60, 3),
    (1000, 60, 4),
    (2000, 100, 3),
    (5000, 40, 4),
    (5000, 200, 2),
]
MEDIAN_CASES = [(200, 16, 8), (200, 30, 4), (200, 40, 5), (1000, 30, 4), (1000, 60, 3)]


def instance(n, m, seed=0):
    rng = np.random.default_rng(seed)
    demand, sites = rng.uniform(0, 6000, (n, 2)), rng.uniform(0, 6000, (m, 2))
    cost = np.linalg.norm(demand[:, None, :] - sites[None, :, :], axis=2)
    return cost, rng.integers(1, 100, n).astype(float)


def timed(call, repeats=3):
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    enumerate_ = SolverOptions(method="enumeration", time_limit=120, threads=2)
    auto = SolverOptions(time_limit=120, threads=2)
    estimates = {}
    for name in ("cover_work", "median_work"):
        original = getattr(enum, name)

        def recording(*args, original=original):
            estimates["work"] = original(*args)[0]
            return original(*args)

        setattr(enum, name, recording)
    print(
        f"{'model':<9} {'instance':<18} {'work':>12} {'enum_s':>8} {'ns/unit':>8} "
        f"{'highs_s':>8} {'auto':<12}"
    )
    rows = [("mclp", *case) for case in MCLP_CASES] + [("p_median", *c) for c in MEDIAN_CASES]
    for model, n, m, p in rows:
        cost, weights = instance(n, m)
        if model == "mclp":
            coverage = CoverageMatrix.from_cost_matrix(cost, 900)

            def run(solver, coverage=coverage, weights=weights, p=p):
                return mclp(coverage, weights, p, solver=solver)
        else:

            def run(solver, cost=cost, weights=weights, p=p):
                return p_median(cost, weights, p, solver=solver)

        picked = run(auto).method
        enum_time, by_enumeration = timed(lambda: run(enumerate_))
        work = estimates["work"]
        thresholds = siting.ENUMERATION_AUTO_WORK, siting.ENUMERATION_AUTO_WORK_MEDIAN
        siting.ENUMERATION_AUTO_WORK = siting.ENUMERATION_AUTO_WORK_MEDIAN = -1
        try:
            highs_time, by_highs = timed(lambda: run(auto))
        finally:
            siting.ENUMERATION_AUTO_WORK, siting.ENUMERATION_AUTO_WORK_MEDIAN = thresholds
        assert by_enumeration.optimal and by_highs.optimal, (by_enumeration, by_highs)
        assert abs(by_enumeration.objective - by_highs.objective) <= 1e-9 * by_highs.objective
        print(
            f"{model:<9} {f'{n}x{m} p={p}':<18} {work:>12,} {enum_time:>8.4f} "
            f"{1e9 * enum_time / work:>8.2f} {highs_time:>8.4f} {picked:<12}"
        )


if __name__ == "__main__":
    main()
