"""Function mix: which candidate sites to convert and which service scenarios each hosts.

One MIP for a district: converting site ``j`` costs ``c_j`` and gives ``A_j`` m² of floor area;
hosting scenario ``s`` there takes at least ``a_s`` m² and covers the scenario's demand within
its life-circle radius. Maximise the demand newly covered, summed over scenarios, within the
budget. With a :class:`ComplexRule` every converted site must be a fundable complex (e.g.
Beijing: at least 3 scenarios, 2 of them priority ones); those numbers come from the policy
pack, never from here.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from linli.planning._siting_highs import open_gap, run_highs


@dataclass(frozen=True)
class Scenario:
    """One service scenario's demand and policy parameters.

    Attributes
    ----------
    code : str
        Scenario code (DESIGN §5), e.g. ``"elderly_care"``.
    weights : numpy.ndarray, shape (n_demand,)
        Demand population at each demand point (e.g. residents aged 60+).
    radius : float
        Life-circle distance for this scenario, metres (from the policy pack).
    min_floor_area_m2 : float
        Floor area a site needs to host it.
    priority : bool
        Whether the policy pack counts it as a priority scenario.
    served : numpy.ndarray of bool, optional
        Demand points an existing facility already serves; they gain nothing.
    """

    code: str
    weights: np.ndarray
    radius: float
    min_floor_area_m2: float
    priority: bool = False
    served: np.ndarray | None = None


@dataclass(frozen=True)
class ComplexRule:
    """What makes a converted site a fundable complex, from the policy pack."""

    min_scenarios: int
    min_priority_scenarios: int


@dataclass(frozen=True)
class SitePlan:
    """One converted site in a function-mix plan.

    ``gain`` and ``gain_by_scenario`` are marginal: the demand this site covers that no site
    ranked before it covers. ``gain_by_demand`` maps a scenario code to
    ``(demand index, weight)`` pairs: which communities gain, and by how much.
    """

    site: int
    scenarios: tuple[str, ...]
    cost: float
    floor_area_m2: float
    gain: float
    gain_by_scenario: dict[str, float] = field(hash=False)
    gain_by_demand: dict[str, tuple[tuple[int, float], ...]] = field(hash=False)


@dataclass(frozen=True)
class FunctionMixPlan:
    """The plan: sites ranked by marginal gain, totals, and how sure we are of it.

    ``optimal``: no plan within the limits covers more (proven). ``cost_optimal``: moreover,
    no plan covering as much costs less (proven); every site in the plan adds someone.
    """

    sites: tuple[SitePlan, ...]
    gain: float
    gain_by_scenario: dict[str, float] = field(hash=False)
    cost: float = 0.0
    optimal: bool = False
    bound: float = 0.0
    gap: float = 0.0
    solve_time: float = 0.0
    cost_optimal: bool = False


def function_mix(
    distances,
    scenarios: Sequence[Scenario],
    site_area_m2,
    site_cost,
    budget: float,
    *,
    max_sites: int | None = None,
    complex_rule: ComplexRule | None = None,
    time_limit: float = 60.0,
) -> FunctionMixPlan:
    """Choose sites to convert and the scenarios each hosts, covering the most demand.

    Parameters
    ----------
    distances : array_like, shape (n_demand, n_sites)
        Walking distances in metres (``inf``: unreachable).
    scenarios : sequence of Scenario
    site_area_m2, site_cost : array_like, shape (n_sites,)
        Usable floor area and conversion cost of each candidate site.
    budget : float
        Most total conversion cost.
    max_sites : int, optional
        Most sites to convert.
    complex_rule : ComplexRule, optional
        When given, every converted site must satisfy it.
    time_limit : float
        Seconds for HiGHS; the answer then states its gap.

    Returns
    -------
    FunctionMixPlan
    """
    start = time.perf_counter()
    distances = np.asarray(distances, dtype=float)
    n, m = distances.shape
    area = np.asarray(site_area_m2, dtype=float)
    cost = np.asarray(site_cost, dtype=float)
    if area.shape != (m,) or cost.shape != (m,):
        raise ValueError(f"site_area_m2 and site_cost need shape ({m},)")
    if (cost < 0).any() or (area < 0).any() or budget < 0:
        raise ValueError("costs, areas and the budget must be non-negative")
    n_s = len(scenarios)
    needs = np.array([s.min_floor_area_m2 for s in scenarios], dtype=float)
    priority = np.array([s.priority for s in scenarios], dtype=bool)

    # Columns: x_j (convert), h_js (host s at j, index m + j*S + s), then y per demand row.
    n_h = m * n_s
    objective, cover_blocks, row_info = [], [], []
    for s, scenario in enumerate(scenarios):
        weights = np.asarray(scenario.weights, dtype=float)
        if weights.shape != (n,) or (weights < 0).any():
            raise ValueError(f"{scenario.code}: weights need shape ({n},), non-negative")
        open_rows = weights > 0
        if scenario.served is not None:
            open_rows &= ~np.asarray(scenario.served, dtype=bool)
        rows = np.flatnonzero(open_rows & (distances <= scenario.radius).any(axis=1))
        reach = sp.csr_array(distances[rows] <= scenario.radius)
        # h columns of scenario s sit at m + j*S + s.
        block = sp.csr_array(
            (reach.data.astype(float), reach.indices * n_s + s, reach.indptr),
            shape=(len(rows), n_h),
        )
        cover_blocks.append(block)
        objective.append(weights[rows])
        row_info += [(s, int(i)) for i in rows]
    n_y = len(row_info)
    weights_y = np.concatenate(objective) if objective else np.zeros(0)
    n_col = m + n_h + n_y
    j_of_h = np.repeat(np.arange(m), n_s)
    s_of_h = np.tile(np.arange(n_s), m)
    h_cols = m + np.arange(n_h)

    def rows_of(entries, n_rows):
        r, c, v = (np.concatenate(part) for part in zip(*entries, strict=True))
        return sp.csr_array((v, (r, c)), shape=(n_rows, n_col))

    blocks, lower, upper = [], [], []
    # h_js <= x_j
    blocks.append(
        rows_of(
            [(np.arange(n_h), h_cols, np.ones(n_h)), (np.arange(n_h), j_of_h, -np.ones(n_h))], n_h
        )
    )
    lower.append(np.full(n_h, -np.inf))
    upper.append(np.zeros(n_h))
    # sum_s a_s h_js <= A_j
    blocks.append(rows_of([(j_of_h, h_cols, needs[s_of_h])], m))
    lower.append(np.full(m, -np.inf))
    upper.append(area)
    # y_k <= sum of h that reach it
    cover = sp.hstack(
        [
            sp.csr_array((n_y, m)),
            *([sp.vstack(cover_blocks)] if n_y else [sp.csr_array((0, n_h))]),
            sp.csr_array((n_y, n_y)),
        ],
        format="csr",
    )
    blocks.append(sp.csr_array(sp.eye_array(n_y, n_col, k=m + n_h) - cover))
    lower.append(np.full(n_y, -np.inf))
    upper.append(np.zeros(n_y))
    # budget and count
    blocks.append(sp.csr_array(np.r_[cost, np.zeros(n_h + n_y)][None, :]))
    lower.append([-np.inf])
    upper.append([float(budget)])
    if max_sites is not None:
        blocks.append(sp.csr_array(np.r_[np.ones(m), np.zeros(n_h + n_y)][None, :]))
        lower.append([-np.inf])
        upper.append([float(max_sites)])
    if complex_rule is not None:
        for minimum, mask in (
            (complex_rule.min_scenarios, np.ones(n_h, dtype=bool)),
            (complex_rule.min_priority_scenarios, priority[s_of_h]),
        ):
            blocks.append(
                rows_of(
                    [
                        (j_of_h[mask], h_cols[mask], np.ones(int(mask.sum()))),
                        (np.arange(m), np.arange(m), -float(minimum) * np.ones(m)),
                    ],
                    m,
                )
            )
            lower.append(np.zeros(m))
            upper.append(np.full(m, np.inf))
    matrix = sp.vstack(blocks, format="csr")
    row_lower = np.concatenate([np.asarray(b, float) for b in lower])
    row_upper = np.concatenate([np.asarray(b, float) for b in upper])
    integrality = np.r_[np.ones(m + n_h), np.zeros(n_y)]

    def solve(objective, extra_rows, extra_lower, maximise, start_x, share):
        """One HiGHS run of the model with ``extra_rows``; ``share`` of the time left."""
        return run_highs(
            objective,
            sp.vstack([matrix, *extra_rows], format="csr"),
            np.r_[row_lower, extra_lower],
            np.r_[row_upper, np.full(len(extra_lower), np.inf)],
            np.zeros(n_col),
            np.ones(n_col),
            integrality,
            maximise=maximise,
            start=start_x,
            time_left=share * (time_limit - (time.perf_counter() - start)),
        )

    # Stage 1: the most demand covered. Three quarters of the time, so that the tie-break
    # below always gets a share.
    outcome = solve(np.r_[np.zeros(m + n_h), weights_y], [], [], True, np.zeros(n_col), 0.75)
    hosts = np.zeros((m, n_s), dtype=bool)
    bound = float(weights_y.sum())
    if outcome is not None:
        x, bound = outcome
        hosts = (x[m : m + n_h] > 0.5).reshape(m, n_s)
    keep_idle = complex_rule is not None
    ranked = _rank(distances, scenarios, hosts, cost, needs, keep_idle=keep_idle)
    # Stage 2: among plans covering as much, the cheapest. The objective is indifferent to a
    # site that adds nobody, so without this a plan proven optimal could still buy one.
    cost_optimal = False
    if outcome is not None and ranked[2] > 0:
        cheaper, cost_optimal = _cheapest_at(ranked, outcome[0], solve, weights_y, cost, m, n_h)
        if cheaper is not None:
            hosts = (cheaper[m : m + n_h] > 0.5).reshape(m, n_s)
            again = _rank(distances, scenarios, hosts, cost, needs, keep_idle=keep_idle)
            spent = sum(site.cost for site in again[0])
            if not open_gap(ranked[2], again[2]) and spent <= sum(s.cost for s in ranked[0]):
                ranked = again
            else:
                cost_optimal = False
    elif outcome is not None:
        cost_optimal = True  # nothing to gain: nothing is bought
    sites, by_scenario, total = ranked
    slack = max(0.0, bound - total)
    optimal = not open_gap(total + slack, total)
    return FunctionMixPlan(
        sites=sites,
        gain=total,
        gain_by_scenario=by_scenario,
        cost=float(sum(site.cost for site in sites)),
        optimal=optimal,
        bound=total if optimal else bound,
        gap=0.0 if optimal else (slack / total if total else np.inf),
        solve_time=time.perf_counter() - start,
        cost_optimal=optimal and cost_optimal,
    )


def _cheapest_at(ranked, x, solve, weights_y, cost, m, n_h):
    """The least cost of a plan covering at least the ranked plan's demand.

    Returns the solution (or None when HiGHS found none in time) and whether its cost is
    proven least. The coverage row keeps the stage-1 value less a rounding margin; the caller
    recomputes the coverage of the answer and keeps it only when it is no lower.
    """
    gain = ranked[2]
    n_col = len(x)
    floor = gain - max(1e-9, 1e-9 * abs(gain))
    coverage = sp.csr_array(np.r_[np.zeros(m + n_h), weights_y][None, :])
    objective = np.r_[cost, np.zeros(n_col - m)]
    start_x = np.asarray(x, dtype=float).copy()
    outcome = solve(objective, [coverage], [floor], False, start_x, 1.0)
    if outcome is None:
        return None, False
    solution, bound = outcome
    spent = float(cost @ (solution[:m] > 0.5))
    return solution, not open_gap(spent, bound)


def _rank(distances, scenarios, hosts, cost, needs, *, keep_idle):
    """Order the converted sites by marginal gain, greedily, and split the gains.

    The MIP is indifferent to functions and sites that add no coverage. A site that adds none
    is left out of the plan, which changes no gain; so is a function that adds none, unless a
    complex rule needs it to make its site fundable (``keep_idle``).
    """
    n = distances.shape[0]
    covered = [
        np.zeros(n, dtype=bool) if s.served is None else np.asarray(s.served, bool).copy()
        for s in scenarios
    ]
    weights = [np.asarray(s.weights, dtype=float) for s in scenarios]
    remaining = [j for j in range(hosts.shape[0]) if hosts[j].any()]
    ranked = []
    while remaining:
        gains = {}
        for j in remaining:
            gains[j] = sum(
                float(weights[s][~covered[s] & (distances[:, j] <= scenarios[s].radius)].sum())
                for s in np.flatnonzero(hosts[j])
            )
        best = max(remaining, key=lambda j: (gains[j], -j))
        remaining.remove(best)
        if gains[best] <= 0:  # adds nobody: never converted, whatever the rule
            break
        by_scenario, by_demand, hosted = {}, {}, []
        for s in np.flatnonzero(hosts[best]):
            code = scenarios[s].code
            new = ~covered[s] & (distances[:, best] <= scenarios[s].radius) & (weights[s] > 0)
            if not new.any() and not keep_idle:
                continue
            hosted.append(s)
            covered[s] |= new
            by_scenario[code] = float(weights[s][new].sum())
            by_demand[code] = tuple((int(i), float(weights[s][i])) for i in np.flatnonzero(new))
        ranked.append(
            SitePlan(
                site=best,
                scenarios=tuple(scenarios[s].code for s in hosted),
                cost=float(cost[best]),
                floor_area_m2=float(needs[hosted].sum()),
                gain=gains[best],
                gain_by_scenario=by_scenario,
                gain_by_demand=by_demand,
            )
        )
    totals = {
        s.code: sum(site.gain_by_scenario.get(s.code, 0.0) for site in ranked) for s in scenarios
    }
    return tuple(ranked), totals, float(sum(totals.values()))
