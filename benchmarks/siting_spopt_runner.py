"""Solve one siting instance with PySAL spopt, for comparison with linli; prints one JSON line.

Runs in a separate environment that has spopt and PuLP (they need not coexist with linli's
pins), e.g. ``python -m venv /tmp/spopt-venv && /tmp/spopt-venv/bin/pip install spopt pulp
highspy``. The siting_*.py benchmarks call it through a subprocess::

    python siting_spopt_runner.py INSTANCE.npz MODEL P RADIUS SOLVER TIME_LIMIT [PREDEFINED]

``INSTANCE.npz`` holds ``cost`` (demand × candidates, metres) and ``weights``; MODEL is
``mclp`` or ``p_median``; SOLVER is ``cbc`` or ``highs``; PREDEFINED, comma-separated
candidate indices that must be open (spopt counts them within P).
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np
import pulp
from spopt.locate import MCLP, PMedian


def main(path, model, p, radius, solver_name, time_limit, predefined=""):
    data = np.load(path)
    cost, weights = data["cost"], data["weights"]
    forced = np.zeros(cost.shape[1], dtype=int)
    forced[[int(j) for j in predefined.split(",") if j]] = 1
    forced_arg = forced if forced.any() else None
    if solver_name == "cbc":
        solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit)
    else:
        solver = pulp.HiGHS(msg=False, timeLimit=time_limit)
    start = time.perf_counter()
    if model == "mclp":
        problem = MCLP.from_cost_matrix(
            cost,
            weights,
            service_radius=radius,
            p_facilities=p,
            predefined_facilities_arr=forced_arg,
        )
    else:
        problem = PMedian.from_cost_matrix(
            cost, weights, p_facilities=p, predefined_facilities_arr=forced_arg
        )
    built = time.perf_counter()
    try:
        problem.solve(solver, results=False)
    except RuntimeError:  # spopt raises when PuLP's status is not "Optimal"; reported below
        pass
    done = time.perf_counter()
    selected = [j for j, var in enumerate(problem.fac_vars) if (var.value() or 0) > 0.5]
    if model == "mclp":
        covered = (cost[:, selected] <= radius).any(axis=1) if selected else np.zeros(len(cost))
        objective = float(weights[covered].sum())
    else:
        objective = float(weights @ cost[:, selected].min(axis=1)) if selected else None
    print(
        json.dumps(
            {
                "status": pulp.LpStatus[problem.problem.status],
                "solution_status": pulp.LpSolution[problem.problem.sol_status],
                "objective": objective,
                "selected": selected,
                "build_time": built - start,
                "total_time": done - start,
            }
        )
    )


if __name__ == "__main__":
    main(
        sys.argv[1],
        sys.argv[2],
        int(sys.argv[3]),
        float(sys.argv[4]),
        sys.argv[5],
        float(sys.argv[6]),
        *sys.argv[7:8],
    )
