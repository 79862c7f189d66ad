"""Heuristics and cheap bounds for the siting models in :mod:`linli.planning.siting`.

Everything here works on already reduced, plain arrays: a boolean sparse coverage matrix
(rows: demand, columns: candidate sites) or a dense cost matrix. The heuristics give the exact
solver its starting solution and are the answer when the exact model cannot close in time; the
bounds keep every answer honest about how far from optimal it may be.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

_EPS = 1e-9


def _gather(
    indptr: np.ndarray, indices: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Column indices of the given CSR rows, and for each the position of its row in ``rows``."""
    lengths = indptr[rows + 1] - indptr[rows]
    total = int(lengths.sum())
    offsets = np.repeat(indptr[rows] - np.cumsum(lengths) + lengths, lengths)
    return indices[offsets + np.arange(total)], np.repeat(np.arange(len(rows)), lengths)


def coverage_value(cover: sp.csr_array, weights: np.ndarray, chosen: np.ndarray) -> float:
    """Weight of the rows covered by at least one of the ``chosen`` columns."""
    mask = np.zeros(cover.shape[1], dtype=bool)
    mask[chosen] = True
    return float(weights[(cover @ mask.astype(np.int32)) > 0].sum())


def greedy_cover(
    cover: sp.csr_array,
    weights: np.ndarray,
    p: int,
    costs: np.ndarray,
    budget: float,
    by_ratio: bool,
    kept: np.ndarray | None = None,
    banned: np.ndarray | None = None,
) -> np.ndarray:
    """Greedy maximal covering under a count and a budget.

    Gains are updated exactly after each pick (subtracting the weight of newly covered rows
    from every candidate that also covers them), which costs O(nnz touched) and so needs no
    lazy re-evaluation. With ``by_ratio`` the pick maximises gain per unit cost, the classic
    choice for a budget. ``kept`` sites start the solution; ``banned`` ones are never added.
    """
    n_cols = cover.shape[1]
    csc = cover.tocsc()
    chosen: list[int] = [] if kept is None else [int(j) for j in kept]
    covered = (cover @ _indicator(chosen, n_cols)) > 0
    gains = cover.T @ (weights * ~covered)
    spent = float(costs[chosen].sum())
    available = np.ones(n_cols, dtype=bool)
    available[chosen] = False
    if banned is not None:
        available[banned] = False
    while len(chosen) < p:
        available &= costs <= budget - spent + _EPS
        score = np.where(available & (gains > _EPS), gains, -np.inf)
        if by_ratio:
            score = score / np.maximum(costs, _EPS)
        best = int(np.argmax(score))
        if not np.isfinite(score[best]):
            break
        chosen.append(best)
        available[best] = False
        spent += costs[best]
        rows = csc.indices[csc.indptr[best] : csc.indptr[best + 1]]
        new = rows[~covered[rows]]
        covered[new] = True
        cols, owner = _gather(cover.indptr, cover.indices, new)
        gains -= np.bincount(cols, weights=weights[new][owner], minlength=n_cols)
    return np.array(chosen, dtype=np.int64)


def swap_search(
    cover: sp.csr_array,
    weights: np.ndarray,
    chosen: np.ndarray,
    p: int,
    costs: np.ndarray,
    budget: float,
    deadline: float,
    clock,
) -> np.ndarray:
    """Best-improvement local search with add and 1-for-1 swap moves.

    The value of every swap (drop ``j``, add ``k``) comes from one sparse pass:
    ``gain_add[k] - loss_drop[j] + shared[j, k]``, where ``shared[j, k]`` is the weight
    covered only by ``j`` that ``k`` would cover again.
    """
    n_cols = cover.shape[1]
    csc = cover.tocsc()
    chosen = [int(j) for j in chosen]
    counts = cover @ _indicator(chosen, n_cols)
    while clock() < deadline:
        in_set = _indicator(chosen, n_cols).astype(bool)
        spent = float(costs[chosen].sum())
        gain_add = cover.T @ (weights * (counts == 0))
        gain_add[in_set] = -np.inf
        best_value, best_move = _EPS, None
        if len(chosen) < p:
            affordable = costs <= budget - spent + _EPS
            k = int(np.argmax(np.where(affordable, gain_add, -np.inf)))
            if affordable[k] and gain_add[k] > best_value:
                best_value, best_move = gain_add[k], (None, k)
        if chosen:
            chosen_arr = np.array(chosen)
            position = np.full(n_cols, -1)
            position[chosen_arr] = np.arange(len(chosen))
            single = np.flatnonzero(counts == 1)
            cols, row_pos = _gather(cover.indptr, cover.indices, single)
            owner_cols = cols[in_set[cols]]
            owner = np.empty(len(single), dtype=np.int64)
            owner[row_pos[in_set[cols]]] = position[owner_cols]
            loss = np.bincount(owner, weights=weights[single], minlength=len(chosen))
            shared = np.bincount(
                owner[row_pos] * n_cols + cols,
                weights=weights[single][row_pos],
                minlength=len(chosen) * n_cols,
            ).reshape(len(chosen), n_cols)
            delta = gain_add[None, :] - loss[:, None] + shared
            feasible = (spent - costs[chosen_arr])[:, None] + costs[None, :] <= budget + _EPS
            delta = np.where(feasible, delta, -np.inf)
            flat = int(np.argmax(delta))
            if delta.flat[flat] > best_value:
                best_value = delta.flat[flat]
                best_move = (chosen[flat // n_cols], flat % n_cols)
        if best_move is None:
            break
        drop, add = best_move
        if drop is not None:
            chosen.remove(drop)
            counts[csc.indices[csc.indptr[drop] : csc.indptr[drop + 1]]] -= 1
        chosen.append(add)
        counts[csc.indices[csc.indptr[add] : csc.indptr[add + 1]]] += 1
    return np.array(sorted(chosen), dtype=np.int64)


def perturbed_search(
    cover: sp.csr_array,
    weights: np.ndarray,
    chosen: np.ndarray,
    p: int,
    costs: np.ndarray,
    budget: float,
    deadline: float,
    clock,
    rng: np.random.Generator,
    stall_limit: int = 5000,
) -> np.ndarray:
    """Iterated local search: drop a few sites, refill greedily without them, swap again.

    Keeps the best solution; runs until ``deadline`` or ``stall_limit`` trials in a row
    without improvement. Local optima of the swap search differ
    from the best by a handful of sites on large instances, which this finds cheaply.
    """
    best = np.asarray(chosen, dtype=np.int64)
    best_value = coverage_value(cover, weights, best)
    stalled = 0
    while clock() < deadline and len(best) and stalled < stall_limit:
        stalled += 1
        size = int(rng.integers(1, max(2, len(best) // 10) + 1))
        dropped = rng.choice(best, size=min(size, len(best)), replace=False)
        kept = np.setdiff1d(best, dropped)
        start = greedy_cover(cover, weights, p, costs, budget, False, kept, dropped)
        trial = swap_search(cover, weights, start, p, costs, budget, deadline, clock)
        value = coverage_value(cover, weights, trial)
        if value > best_value:
            best, best_value, stalled = trial, value, 0
    return best


def cover_upper_bound(
    cover: sp.csr_array,
    weights: np.ndarray,
    chosen: np.ndarray,
    p: int,
    costs: np.ndarray,
    budget: float,
) -> float:
    """Upper bound on the best coverage, from submodularity.

    For any feasible set T, f(T) <= f(S) + sum of the marginal gains of T's members at S; the
    largest such sum is bounded by the best ``p`` gains and by the fractional knapsack of the
    gains under the budget.
    """
    counts = cover @ _indicator(chosen, cover.shape[1])
    gains = cover.T @ (weights * (counts == 0))
    relaxed = _relaxed_best(gains, p, costs, budget)
    return coverage_value(cover, weights, chosen) + relaxed


def lagrangian_cover(
    cover: sp.csr_array,
    weights: np.ndarray,
    p: int,
    costs: np.ndarray,
    budget: float,
    lower: float,
    deadline: float,
    clock,
    iterations: int = 400,
) -> tuple[float, list[np.ndarray]]:
    """Lagrangian bound for maximal covering, by subgradient optimisation.

    Relaxing ``y_i <= sum_{j covers i} x_j`` with multipliers ``0 <= lam_i <= w_i`` leaves
    ``sum_i max(0, w_i - lam_i)`` plus the best feasible x for site values
    ``sum_{i covered by j} lam_i``; the x part is bounded by the best ``p`` values and by the
    fractional knapsack under the budget, so every iterate gives a valid upper bound. Its
    value approaches the LP bound in far less time than the LP itself on large instances,
    where HiGHS may not even finish the root. The site sets met on the way are returned
    (best first) as starting points for local search.

    Parameters
    ----------
    lower : float
        Value of the best known solution; sets the step length.
    """
    n_cols = cover.shape[1]
    cover_t = cover.T.tocsr()
    lam = weights.astype(float).copy()
    best_bound, theta, stall = np.inf, 1.0, 0
    seen: dict[bytes, float] = {}
    for _ in range(iterations):
        if clock() > deadline:
            break
        values = cover_t @ lam
        chosen = _best_sites(values, p, costs, budget)
        bound = float(np.maximum(weights - lam, 0).sum()) + _relaxed_best(values, p, costs, budget)
        if bound < best_bound - 1e-9 * max(1.0, abs(bound)):
            best_bound, stall = bound, 0
        else:
            stall += 1
            if stall >= 20:
                theta, stall = theta / 2, 0
        key = chosen.tobytes()
        if key not in seen:
            seen[key] = coverage_value(cover, weights, chosen)
            lower = max(lower, seen[key])
        if best_bound - lower <= 1e-9 * max(1.0, abs(lower)) or theta < 1e-4:
            break
        counts = cover @ _indicator(chosen, n_cols)
        step = (weights > lam).astype(float) - counts
        norm = float(step @ step)
        if norm == 0:
            break
        lam = np.clip(lam + theta * (bound - lower) / norm * step, 0.0, weights)
    ranked = sorted(seen, key=seen.get, reverse=True)
    return best_bound, [np.frombuffer(key, dtype=np.int64) for key in ranked]


def _best_sites(values: np.ndarray, p: int, costs: np.ndarray, budget: float) -> np.ndarray:
    """Best sites for the Lagrangian values: top ``p``, by value per cost under a budget."""
    if not np.isfinite(budget):
        top = np.argsort(-values, kind="stable")[: max(p, 0)]
        return np.sort(top[values[top] > 0]).astype(np.int64)
    chosen, spent = [], 0.0
    for j in np.argsort(-values / np.maximum(costs, _EPS), kind="stable"):
        if len(chosen) >= p or values[j] <= 0:
            break
        if spent + costs[j] <= budget + _EPS:
            chosen.append(j)
            spent += costs[j]
    return np.sort(np.array(chosen, dtype=np.int64))


def _relaxed_best(values: np.ndarray, p: int, costs: np.ndarray, budget: float) -> float:
    """Upper bound on the best total value of a feasible site set (count and budget)."""
    positive = np.maximum(values, 0)
    best = float(np.sort(positive)[::-1][: max(p, 0)].sum())
    if np.isfinite(budget):
        order = np.argsort(-positive / np.maximum(costs, _EPS))
        room, knapsack = budget, 0.0
        for k in order:
            if positive[k] <= 0 or room <= 0:
                break
            take = 1.0 if costs[k] <= room else room / costs[k]
            knapsack += take * positive[k]
            room -= take * costs[k]
        best = min(best, knapsack)
    return best


def greedy_set_cover(cover: sp.csr_array, costs: np.ndarray) -> np.ndarray:
    """Cheapest-per-newly-covered-row greedy for set covering, then redundant sites dropped."""
    n_rows, n_cols = cover.shape
    csc = cover.tocsc()
    uncovered_count = np.diff(csc.indptr).astype(float)
    covered = np.zeros(n_rows, dtype=bool)
    chosen: list[int] = []
    while not covered.all():
        score = np.where(uncovered_count > 0, costs / np.maximum(uncovered_count, _EPS), np.inf)
        best = int(np.argmin(score))
        chosen.append(best)
        rows = csc.indices[csc.indptr[best] : csc.indptr[best + 1]]
        new = rows[~covered[rows]]
        covered[new] = True
        cols, _ = _gather(cover.indptr, cover.indices, new)
        uncovered_count -= np.bincount(cols, minlength=n_cols)
    counts = cover @ _indicator(chosen, n_cols)
    for j in sorted(chosen, key=lambda j: -costs[j]):
        rows = csc.indices[csc.indptr[j] : csc.indptr[j + 1]]
        if (counts[rows] > 1).all():
            chosen.remove(j)
            counts[rows] -= 1
    return np.array(sorted(chosen), dtype=np.int64)


def set_cover_lower_bound(cover: sp.csr_array, costs: np.ndarray) -> float:
    """Lower bound on the cheapest cover: rows no two of which share a candidate.

    Each such row needs its own site, costing at least its cheapest candidate; rows are packed
    greedily, fewest candidates first.
    """
    used = np.zeros(cover.shape[1], dtype=bool)
    bound = 0.0
    for i in np.argsort(np.diff(cover.indptr), kind="stable"):
        cols = cover.indices[cover.indptr[i] : cover.indptr[i + 1]]
        if not used[cols].any():
            used[cols] = True
            bound += float(costs[cols].min())
    return bound


def median_cost(cost: np.ndarray, weights: np.ndarray, chosen: np.ndarray) -> float:
    """Total weighted cost of serving every row from its cheapest chosen column."""
    return float(weights @ cost[:, chosen].min(axis=1))


def greedy_median(cost: np.ndarray, weights: np.ndarray, fixed: np.ndarray, p: int) -> np.ndarray:
    """Greedy p-median: add the site that lowers the weighted cost most, ``p`` times."""
    chosen = [int(j) for j in fixed]
    nearest = cost[:, chosen].min(axis=1) if chosen else np.full(cost.shape[0], np.inf)
    for _ in range(p):
        improved = np.minimum(cost, nearest[:, None])
        totals = np.where(np.isfinite(improved), improved, 1e300).T @ weights
        totals[chosen] = np.inf
        best = int(np.argmin(totals))
        if not np.isfinite(totals[best]):
            break
        chosen.append(best)
        nearest = improved[:, best]
    return np.array(sorted(chosen), dtype=np.int64)


def interchange_median(
    cost: np.ndarray,
    weights: np.ndarray,
    chosen: np.ndarray,
    fixed: np.ndarray,
    deadline: float,
    clock,
) -> np.ndarray:
    """Teitz–Bart interchange, all swaps valued at once from the nearest and second-nearest site.

    Swapping out ``j`` for ``k`` changes row i's cost to ``min(c_ik, c1_i)`` if j is not its
    nearest site and to ``min(c_ik, c2_i)`` if it is; the first part is shared by all ``j``.
    """
    chosen = [int(j) for j in chosen]
    movable = [j for j in chosen if j not in set(fixed.tolist())]
    big = 1e300
    cost = np.where(np.isfinite(cost), cost, big)
    while movable and clock() < deadline:
        sub = cost[:, chosen]
        order = np.argsort(sub, axis=1)
        first = sub[np.arange(len(sub)), order[:, 0]]
        second = (
            sub[np.arange(len(sub)), order[:, 1]] if len(chosen) > 1 else np.full(len(sub), big)
        )
        nearest_site = np.array(chosen)[order[:, 0]]
        base = weights @ (np.minimum(cost, first[:, None]) - first[:, None])
        extra = weights[:, None] * (
            np.minimum(cost, second[:, None]) - np.minimum(cost, first[:, None])
        )
        best_value, best_move = -_EPS * max(1.0, abs(float(weights @ first))), None
        for j in movable:
            delta = base + extra[nearest_site == j].sum(axis=0)
            delta[chosen] = np.inf
            k = int(np.argmin(delta))
            if delta[k] < best_value:
                best_value, best_move = delta[k], (j, k)
        if best_move is None:
            break
        chosen.remove(best_move[0])
        movable.remove(best_move[0])
        chosen.append(best_move[1])
        movable.append(best_move[1])
    return np.array(sorted(chosen), dtype=np.int64)


def _indicator(chosen, n: int) -> np.ndarray:
    mask = np.zeros(n, dtype=np.int32)
    mask[np.asarray(chosen, dtype=np.int64)] = 1
    return mask
