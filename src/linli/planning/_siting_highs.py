"""HiGHS for the siting models: one sparse MIP (or LP) in, a solution and a proven bound out."""

from __future__ import annotations

import highspy
import numpy as np
import scipy.sparse as sp

# Relative distance between bound and objective below which a solution counts as proven optimal
# (HiGHS's default of 1e-4 would call a 0.01 % gap "optimal").
OPTIMALITY_TOLERANCE = 1e-7


def open_gap(upper: float, lower: float) -> bool:
    """Whether ``upper - lower`` is more than the optimality tolerance."""
    return upper - lower > max(1e-9, OPTIMALITY_TOLERANCE * abs(lower))


def run_highs(
    objective,
    matrix,
    row_lower,
    row_upper,
    col_lower,
    col_upper,
    integrality,
    *,
    maximise,
    start,
    time_left,
    threads=None,
):
    """Solve a MIP with HiGHS; return (solution, proven bound) or None without a solution.

    With no integer column it solves the LP and returns its optimum as the bound. ``start`` is
    handed to HiGHS as the incumbent; ``time_left`` is the wall-clock allowance in seconds.
    """
    if time_left <= 0.05:
        return None
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = matrix.shape[1], matrix.shape[0]
    lp.col_cost_ = np.asarray(objective, dtype=float)
    lp.col_lower_, lp.col_upper_ = np.asarray(col_lower, float), np.asarray(col_upper, float)
    inf = highspy.kHighsInf
    lp.row_lower_ = np.where(np.isfinite(row_lower), row_lower, -inf)
    lp.row_upper_ = np.where(np.isfinite(row_upper), row_upper, inf)
    lp.sense_ = highspy.ObjSense.kMaximize if maximise else highspy.ObjSense.kMinimize
    csc = sp.csc_array(matrix)
    csc.sort_indices()
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = csc.indptr.astype(np.int32)
    lp.a_matrix_.index_ = csc.indices.astype(np.int32)
    lp.a_matrix_.value_ = csc.data.astype(float)
    lp.integrality_ = [
        highspy.HighsVarType.kInteger if flag else highspy.HighsVarType.kContinuous
        for flag in integrality
    ]
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    # HiGHS checks its limit only between phases (presolve overruns it), so leave a margin.
    highs.setOptionValue("time_limit", 0.9 * float(time_left))
    highs.setOptionValue("mip_rel_gap", OPTIMALITY_TOLERANCE)
    highs.setOptionValue("mip_abs_gap", 1e-9)
    if threads:
        highs.setOptionValue("threads", int(threads))
    highs.passModel(lp)
    initial = highspy.HighsSolution()
    initial.col_value = list(map(float, start))
    initial.value_valid = True
    highs.setSolution(initial)
    highs.run()
    info = highs.getInfo()
    if info.primal_solution_status != highspy.SolutionStatus.kSolutionStatusFeasible:
        return None
    x = np.asarray(highs.getSolution().col_value)
    if not np.any(integrality):
        # A relaxation: its optimum bounds the MIP, its solution is not a plan.
        if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        return x, float(info.objective_function_value)
    bound = info.mip_dual_bound
    if not np.isfinite(bound):
        bound = np.inf if maximise else -np.inf
    return x, float(bound)
