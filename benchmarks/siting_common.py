"""Shared by the siting benchmarks: run spopt in its own environment, print a comparison table."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from linli.planning.siting import CoverageMatrix, SolverOptions, mclp, p_median

RUNNER = Path(__file__).with_name("siting_spopt_runner.py")
# spopt and PuLP live in a separate venv so that they never touch linli's pins.
SPOPT_PYTHON = os.environ.get("SPOPT_PYTHON", "/tmp/spopt-venv/bin/python")


def spopt_available() -> bool:
    if Path(SPOPT_PYTHON).exists():
        return True
    print(
        f"spopt columns skipped: no {SPOPT_PYTHON}. Create it with\n"
        "  python -m venv /tmp/spopt-venv && /tmp/spopt-venv/bin/pip install spopt pulp highspy\n"
        "or point SPOPT_PYTHON at a Python that has spopt and pulp.",
        file=sys.stderr,
    )
    return False


def save_instance(cost: np.ndarray, weights: np.ndarray) -> str:
    handle, path = tempfile.mkstemp(suffix=".npz")
    os.close(handle)
    np.savez(path, cost=cost, weights=weights)
    return path


def run_spopt(path, model, p, radius, solver, time_limit, timeout=3600) -> dict:
    """spopt's answer; ``total_time`` is model building plus solving, as spopt reports it."""
    command = [SPOPT_PYTHON, str(RUNNER), path, model, str(p), str(radius), solver, str(time_limit)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return {"status": f"no answer in {timeout} s", "objective": None, "total_time": timeout}
    except subprocess.CalledProcessError as error:
        reason = (error.stderr.strip().splitlines() or ["killed"])[-1]
        return {"status": f"failed: {reason}", "objective": None, "total_time": float("nan")}
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_linli(cost, weights, model, p, radius, time_limit, method="auto") -> dict:
    """linli's answer; the time includes building the coverage matrix from the distances."""
    solver = SolverOptions(time_limit=time_limit, method=method, threads=2)
    start = time.perf_counter()
    if model == "mclp":
        result = mclp(CoverageMatrix.from_cost_matrix(cost, radius), weights, p, solver=solver)
    else:
        result = p_median(cost, weights, p, solver=solver)
    return {"result": result, "total_time": time.perf_counter() - start}


def print_table(rows: list[dict]) -> None:
    """One line per instance and solver; ratios are spopt's time over ours, ours over spopt's
    objective (for p-median, spopt's over ours, so > 1 means linli is better throughout)."""
    header = (
        f"{'instance':<30} {'solver':<16} {'time_s':>9} {'objective':>16} {'proven':>7} "
        f"{'gap':>9}  {'status':<32} {'speedup':>8} {'obj_ratio':>9}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row['instance']:<30} {row['solver']:<16} {row['time']:>9.3f} "
            f"{_number(row['objective']):>16} {row['proven']:>7} {row['gap']:>9}  "
            f"{row['status']:<32} {row.get('speedup', ''):>8} {row.get('obj_ratio', ''):>9}"
        )


def compare(
    instance: str, ours: dict, spopt_runs: dict[str, dict], minimise: bool, label: str = "linli"
) -> list[dict]:
    result = ours["result"]
    rows = [
        {
            "instance": instance,
            "solver": label,
            "time": ours["total_time"],
            "objective": result.objective,
            "proven": "yes" if result.optimal else "no",
            "gap": f"{100 * result.gap:.3f}%",
            "status": "optimal" if result.optimal else f"bound {result.bound:.6g}",
        }
    ]
    for name, run in spopt_runs.items():
        objective = run.get("objective")
        ratio = ""
        if objective:
            value = objective / result.objective if minimise else result.objective / objective
            ratio = f"{value:.4f}"
        rows.append(
            {
                "instance": instance,
                "solver": name,
                "time": run["total_time"],
                "objective": objective,
                # PuLP gives no bound; "Optimal" is PuLP's claim, not checked here.
                "proven": "claims" if run["status"] == "Optimal" else "no",
                "gap": "n/a",
                "status": f"{run['status']} / {run.get('solution_status', '')}"[:32],
                "speedup": f"{run['total_time'] / ours['total_time']:.1f}x",
                "obj_ratio": ratio,
            }
        )
    return rows


def _number(value) -> str:
    return "-" if value is None else f"{value:.6g}" if abs(value) >= 1e7 else f"{value:.1f}"
