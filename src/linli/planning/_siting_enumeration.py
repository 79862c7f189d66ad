"""Exact siting on small instances by enumerating every subset of candidate sites.

When the number of candidate subsets is small (a few hundred thousand), looking at all of them
with numpy proves the best one optimal by exhaustion in a millisecond or two, where building
and solving a MIP costs tens of milliseconds. :mod:`linli.planning.siting` picks this method in
``method="auto"`` when :func:`cover_work`, :func:`set_cover_work` or :func:`median_work`
predicts it to be cheap.

Written by hand because no maintained library does this: spopt, PuLP, OR-Tools and pyomo all
hand covering and median models to a MIP or CP solver, whose set-up is exactly the overhead
avoided here, and itertools-based brute force is orders of magnitude slower than this.

How it works. Subsets are built level by level (level ``k`` holds the subsets of ``k`` sites)
in colexicographic order: sorted by their largest site. The subsets of level ``k + 1`` whose
largest site is ``j`` are then the subsets of level ``k`` whose largest site is below ``j`` — a
*prefix* of level ``k`` — each with ``j`` added. A level stores, per subset, what it gathered,
its cost, its largest site and its parent's row, from which the few subsets that matter at the
end are read back. Coverage is kept as packed bitsets of the demand rows (``uint64`` words,
word-major so that every gather is one-dimensional): adding a site is an OR, and a subset's
covered weight is read from per-chunk lookup tables (8 or 16 bits per chunk, whichever costs
less), one chunk column at a time. For p-median each subset keeps its demand-weighted distance
to the nearest open site (adding a site is a minimum, on prefix views); the subsets of ``p``
are met in the middle from stored subsets of ``p - h`` and of ``h`` sites and only summed, in
cache-sized blocks, never stored.

Ties are broken deterministically: objective values within ``TIE_TOLERANCE`` (relative) count
as equal, far inside the module's optimality tolerance; among equal subsets the cheapest wins
(where sites have costs), then the one with fewest sites, then the lexicographically smallest
list of candidate indices.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

# Objective values this close (relative) count as tied; summation order alone differs by less.
TIE_TOLERANCE = 1e-10
# Slack on the budget, as in the heuristics: sums of float costs may exceed it by rounding.
_BUDGET_SLACK = 1e-9
# Largest block of subsets evaluated at once on the top level (bounds temporary memory).
_BLOCK_ROWS = 1 << 16
# Bytes of the p-median top level reduced at once: blocks that stay in a core's L2 cache.
_CACHE_BYTES = 512 * 1024


@dataclass(frozen=True)
class Enumerated:
    """Outcome of an enumeration.

    ``chosen``: positions (in the columns given) of the best subset found, ascending.
    ``value``: its objective as computed by the enumeration. ``complete``: every subset was
    looked at, so ``chosen`` is optimal; False when the deadline stopped it first.
    """

    chosen: np.ndarray
    value: float
    complete: bool


# --- size estimates ------------------------------------------------------------------------


def subset_count(n_items: int, max_size: int, min_size: int = 0) -> int:
    """Number of subsets of ``min_size``..``max_size`` items out of ``n_items``."""
    max_size = min(max_size, n_items)
    return sum(math.comb(n_items, k) for k in range(max(min_size, 0), max_size + 1))


def _words(n_rows: int) -> int:
    return max(1, -(-n_rows // 64))


def cover_work(n_rows: int, n_items: int, p: int) -> tuple[int, int]:
    """(work units, bytes held) of :func:`best_cover`: subsets times bitset and table width."""
    p = min(p, n_items)
    per_subset = 8 * _words(n_rows) + 24
    held = (subset_count(n_items, p - 1) + min(_BLOCK_ROWS, math.comb(n_items, p))) * per_subset
    work = subset_count(n_items, p) * (_words(n_rows) + max(1, -(-n_rows // 8)))
    return work, held


def set_cover_work(n_rows: int, costs: np.ndarray, max_cost: float) -> tuple[int, int]:
    """(work units, bytes held) of :func:`cheapest_cover` below a known cover's cost."""
    cumulative = np.cumsum(np.sort(costs))
    depth = int(np.searchsorted(cumulative, max_cost * (1 + TIE_TOLERANCE), side="right"))
    count = subset_count(len(costs), depth)
    return count * _words(n_rows), count * (8 * _words(n_rows) + 24)


def median_work(n_rows: int, n_items: int, p: int) -> tuple[int, int]:
    """(work units, bytes held) of :func:`best_median`: subsets times demand rows."""
    p = min(p, n_items)
    if p == 0:
        return n_rows, 8 * n_rows
    top = _median_split(n_rows, n_items, p)
    stored = subset_count(n_items, p - top, 1) + subset_count(n_items, top, 1)
    # The lower and upper levels, each while the next one is built from it.
    widest = sum(math.comb(n_items, k) for k in (p - top - 1, p - top, top - 1, top) if k >= 0)
    held = widest * (8 * n_rows + 16) + _CACHE_BYTES
    return (math.comb(n_items, p) + stored) * n_rows, held


def _median_split(n_rows: int, n_items: int, p: int) -> int:
    """Size ``h`` of the upper subsets in :func:`best_median`: balances storing both levels
    (~2 ns per stored distance) against one numpy round per upper subset (~4 µs)."""

    def cost(top: int) -> float:
        stored = subset_count(n_items, p - top, 1) + subset_count(n_items, top, 1)
        return 2.0 * n_rows * stored + 4000.0 * math.comb(n_items, top)

    return min(range(1, p + 1), key=cost)


# --- shared machinery ----------------------------------------------------------------------


@dataclass
class _Level:
    """Subsets of one size in colexicographic order, with what each one has gathered."""

    data: np.ndarray  # bitsets (words, K), or weighted distances to the nearest site (K, rows)
    cost: np.ndarray  # (K,) total cost
    last: np.ndarray  # (K,) largest position, -1 for the empty subset; non-decreasing
    trail: tuple = ()  # per level up to this one: (parent rows, added positions)

    @classmethod
    def empty_set(cls, data: np.ndarray) -> _Level:
        return cls(data, np.zeros(1), np.full(1, -1))

    def select_bits(self, rows: np.ndarray) -> _Level:
        """The subsets at ``rows`` of a level of bitsets."""
        parents, added = self.trail[-1]
        trail = (*self.trail[:-1], (parents[rows], added[rows]))
        return _Level(_take_columns(self.data, rows), self.cost[rows], self.last[rows], trail)

    def subsets(self, rows) -> np.ndarray:
        """The subsets at ``rows``, one per row, positions ascending."""
        rows = np.asarray(rows, dtype=np.int64)
        out = np.empty((len(rows), len(self.trail)), np.int64)
        for depth in range(len(self.trail) - 1, -1, -1):
            parents, added = self.trail[depth]
            out[:, depth] = added[rows]
            rows = parents[rows]
        return out


def _expand(level: _Level, costs: np.ndarray, cap: float, span: tuple[int, int, int, int]):
    """Children of ``level`` in ``span`` (see :func:`_spans`), in colex order: (parent rows,
    added sites, costs). Children dearer than ``cap`` are dropped (their supersets are dearer
    still)."""
    counts = np.searchsorted(level.last, np.arange(span[1]), side="left")
    parents, added = _pairs(counts, span)
    if np.isfinite(cap) or costs.any():
        cost = level.cost[parents] + costs[added]
    else:  # free sites: nothing to add up
        cost = np.zeros(len(parents))
    if np.isfinite(cap):
        kept = cost <= cap
        parents, added, cost = parents[kept], added[kept], cost[kept]
    return parents, added, cost


def _pairs(counts: np.ndarray, span: tuple[int, int, int, int]):
    """(first-part rows, second-part indices) of the pairs in ``span``: second part ``u`` goes
    with the first ``counts[u]`` rows of the first part."""
    lo, hi, first, stop = span
    counts = counts[lo:hi]
    if hi == lo + 1:  # one second part, perhaps with only some of its rows
        counts = np.minimum(counts, stop) - first
    total = int(counts.sum())
    second = np.repeat(np.arange(lo, hi), counts)
    rows = first + np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    return rows, second


def _spans(counts: np.ndarray, rows: int):
    """Spans (first second part, last + 1, first row, last row + 1) of about ``rows`` pairs
    each (see :func:`_pairs`): several second parts with all their rows, or one with a range
    of its rows."""
    ends = np.cumsum(counts)
    lo, n = 0, len(counts)
    while lo < n:
        if counts[lo] > rows:
            for first in range(0, int(counts[lo]), rows):
                yield lo, lo + 1, first, min(first + rows, int(counts[lo]))
            lo += 1
            continue
        hi = int(np.searchsorted(ends, ends[lo] - counts[lo] + rows, "right"))
        hi = min(max(hi, lo + 1), n)
        yield lo, hi, 0, int(counts[lo]) if hi == lo + 1 else 0
        lo = hi


def _grow_bits(level: _Level, items: np.ndarray, costs, cap, span):
    """Children (see :func:`_expand`) with their coverage bitsets."""
    parents, added, cost = _expand(level, costs, cap, span)
    bits = _take_columns(level.data, parents)
    for word, row in enumerate(bits):
        row |= items[word].take(added)
    return parents, added, cost, bits


def _take_columns(words: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """``words[:, columns]``, one word row at a time (ten times faster than 2-D indexing)."""
    out = np.empty((words.shape[0], len(columns)), words.dtype)
    for word, row in enumerate(words):
        row.take(columns, out=out[word])
    return out


def _next_bits(level: _Level, items: np.ndarray, costs, cap) -> _Level:
    n_items = items.shape[1]
    span = (0, n_items, 0, len(level.cost) if n_items == 1 else 0)  # everything at once
    parents, added, cost, data = _grow_bits(level, items, costs, cap, span)
    return _Level(data, cost, added, (*level.trail, (parents, added)))


def _pick(candidates: list[tuple[np.ndarray, np.ndarray, np.ndarray]], best: float, sense: str):
    """The tie-break among subsets within tolerance of ``best``: cheapest, fewest, smallest.

    ``candidates`` holds (values, costs, subsets) arrays; subsets of different sizes may mix.
    """
    tied = []
    for values, costs, combos in candidates:
        if not np.isfinite(best):
            keep = np.ones(len(values), bool)
        elif sense == "max":
            keep = values >= best - TIE_TOLERANCE * max(1.0, abs(best))
        else:
            keep = values <= best + TIE_TOLERANCE * max(1.0, abs(best))
        if keep.any():
            tied.append((costs[keep], combos[keep]))
    if not tied:
        return np.zeros(0, np.int64)
    cheapest = min(float(costs.min()) for costs, _ in tied)
    cost_slack = TIE_TOLERANCE * max(1.0, abs(cheapest))
    tied = [(combos[costs <= cheapest + cost_slack]) for costs, combos in tied]
    fewest = min(combos.shape[1] for combos in tied if len(combos))
    rows = np.concatenate([c for c in tied if len(c) and c.shape[1] == fewest], axis=0)
    if fewest == 0:
        return np.zeros(0, np.int64)
    first = np.lexsort(rows.T[::-1])[0]  # lexicographically smallest row
    return rows[first].astype(np.int64)


def _pack_columns(cover: sp.csr_array) -> np.ndarray:
    """Per column, the bitset of its rows: (words, n_cols) of little-endian ``uint64``."""
    n_rows, n_cols = cover.shape
    dense = np.zeros((n_cols, _words(n_rows) * 64), dtype=bool)
    dense[:, :n_rows] = cover.toarray().T
    packed = np.packbits(dense, axis=1, bitorder="little")
    return np.ascontiguousarray(packed.view("<u8").T)


class _CoverValue:
    """Covered weight of packed bitsets through per-chunk lookup tables."""

    def __init__(self, weights: np.ndarray, n_evaluations: int) -> None:
        n_rows = len(weights)
        # 8-bit tables cost 256 entries per byte chunk, 16-bit ones 65 536 per two bytes but
        # half the look-ups: the wider ones pay off beyond ~65 000 evaluated subsets.
        chunks8, chunks16 = -(-n_rows // 8), -(-n_rows // 16)
        wide = (65536 + n_evaluations) * chunks16 < (256 + n_evaluations) * chunks8
        self.width = 16 if wide else 8
        self.chunks = chunks16 if wide else chunks8
        padded = np.zeros(self.chunks * self.width)
        padded[:n_rows] = weights
        table = np.zeros((self.chunks, 1))
        for bit in range(self.width):  # entries with this bit set: those without, plus it
            table = np.concatenate([table, table + padded[bit :: self.width][:, None]], axis=1)
        self.table = table
        self.dtype = "<u2" if wide else "<u1"

    def __call__(self, bits: np.ndarray) -> np.ndarray:
        """Covered weight of each column of ``bits`` (words, K); one chunk at a time, so
        that the sums need no row reductions."""
        values = np.zeros(bits.shape[1])
        per_word = 64 // self.width
        for chunk, table in enumerate(self.table):
            word, part = divmod(chunk, per_word)
            values += table[np.ascontiguousarray(bits[word]).view(self.dtype)[part::per_word]]
        return values


def _tolerance(value: float) -> float:
    return TIE_TOLERANCE * max(1.0, abs(value))


# --- the models ----------------------------------------------------------------------------


def best_cover(
    cover: sp.csr_array,
    weights: np.ndarray,
    p: int,
    costs: np.ndarray,
    budget: float,
    deadline: float,
    clock,
) -> Enumerated:
    """Maximal covering: the subset of at most ``p`` columns, within ``budget``, covering the
    most row weight (weights non-negative)."""
    n_rows, n_items = cover.shape
    p = min(int(p), n_items)
    items = _pack_columns(cover)
    value_of = _CoverValue(weights, subset_count(n_items, p))
    cap = budget + _BUDGET_SLACK * max(1.0, abs(budget)) if np.isfinite(budget) else np.inf
    levels = [_Level.empty_set(np.zeros((items.shape[0], 1), dtype="<u8"))]
    # Every subset of p sites is a "lower" subset of p - h sites followed by an "upper" one of
    # h sites, all above the lower one's largest. Without a budget h = p / 2, so that only
    # levels up to p - h are built; with one, every level is needed anyway, and h = 1.
    upper_size = max(1, p // 2) if not np.isfinite(cap) else 1
    for _ in range(p - upper_size):
        if clock() > deadline:
            return _best_of_levels(levels, value_of)
        levels.append(_next_bits(levels[-1], items, costs, cap))
        if not len(levels[-1].cost):
            break
    # The top level is evaluated block by block and never stored.
    top: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    best = -np.inf
    complete = True
    if p > 0 and len(levels) == p - upper_size + 1 and len(levels[-1].cost):
        lower = levels[-1]
        if upper_size < len(levels):
            upper = levels[upper_size]
        else:  # p = 1: the lower subsets are empty
            upper = _next_bits(lower, items, costs, cap)
        upper_sets = upper.subsets(np.arange(len(upper.cost)))
        counts = np.searchsorted(lower.last, upper_sets[:, 0], side="left")
        for span in _spans(counts, _BLOCK_ROWS):
            if clock() > deadline:
                complete = False
                break
            low, up = _pairs(counts, span)
            block_cost = lower.cost[low] + upper.cost[up]
            if np.isfinite(cap):
                kept = np.flatnonzero(block_cost <= cap)
                low, up, block_cost = low[kept], up[kept], block_cost[kept]
            if not len(low):
                continue
            bits = _take_columns(lower.data, low)
            for word, row in enumerate(bits):
                row |= upper.data[word].take(up)
            values = value_of(bits)
            block_best = float(values.max())
            if block_best < best - _tolerance(best):
                continue
            rows = np.flatnonzero(values >= block_best - _tolerance(block_best))
            combos = np.hstack([lower.subsets(low[rows]), upper_sets[up[rows]]])
            top.append((values[rows], block_cost[rows], combos))
            best = max(best, block_best)
    if not np.isfinite(cap) and top and _has_spare_site(top, items, value_of, best):
        while len(levels) < p:  # the walk down below needs every level
            levels.append(_next_bits(levels[-1], items, costs, cap))
    elif not np.isfinite(cap) and top:
        levels = []
    # Smaller subsets: every one when a budget binds. Otherwise coverage grows with the set, and
    # a smaller subset reaches the best only if some best top subset has a site it can lose
    # without losing coverage; only then walk down, to the first size that cannot reach it,
    # for the fewest-sites tie-break.
    candidates = list(top)
    for level in reversed(levels):
        if not len(level.cost):
            continue
        values = value_of(level.data)
        level_best = float(values.max())
        best = max(best, level_best)
        rows = np.flatnonzero(values >= level_best - _tolerance(level_best))
        candidates.append((values[rows], level.cost[rows], level.subsets(rows)))
        if not np.isfinite(cap) and level_best < best - _tolerance(best):
            break
    return Enumerated(_pick(candidates, best, "max"), best, complete)


def _has_spare_site(top, items: np.ndarray, value_of, best: float) -> bool:
    """Whether some subset in ``top`` reaching ``best`` keeps it without one of its sites."""
    combos = np.concatenate([c[v >= best - _tolerance(best)] for v, _, c in top], axis=0)
    if not len(combos) or combos.shape[1] == 0:
        return False
    bits = items[:, combos]  # (words, subsets, sites)
    before = np.zeros_like(bits)
    after = np.zeros_like(bits)
    if combos.shape[1] > 1:
        np.bitwise_or.accumulate(bits[:, :, :-1], axis=2, out=before[:, :, 1:])
        np.bitwise_or.accumulate(bits[:, :, :0:-1], axis=2, out=after[:, :, -2::-1])
    without = (before | after).reshape(bits.shape[0], -1)
    return bool((value_of(without) >= best - _tolerance(best)).any())


def _best_of_levels(levels: list[_Level], value_of) -> Enumerated:
    """The best subset of the levels built so far (the deadline stopped the enumeration)."""
    candidates = []
    for level in levels:
        if len(level.cost):
            values = value_of(level.data)
            candidates.append((values, level.cost, level.subsets(np.arange(len(values)))))
    best = max(float(values.max()) for values, _, _ in candidates)
    return Enumerated(_pick(candidates, best, "max"), best, False)


def cheapest_cover(
    cover: sp.csr_array, costs: np.ndarray, max_cost: float, deadline: float, clock
) -> Enumerated | None:
    """Set covering: the cheapest subset of columns covering every row, looking only at
    subsets no dearer than ``max_cost`` (the cost of a known cover). None when none of them
    covers every row, or when the deadline stopped the enumeration before any did."""
    n_rows, n_items = cover.shape
    items = _pack_columns(cover)
    full = _pack_columns(sp.csr_array(np.ones((n_rows, 1), dtype=bool)))
    cap = max_cost + _tolerance(max_cost)
    level = _Level.empty_set(np.zeros((items.shape[0], 1), dtype="<u8"))
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    best = np.inf
    complete = True
    for _ in range(n_items):
        if clock() > deadline:
            complete = False
            break
        level = _next_bits(level, items, costs, cap)
        if not len(level.cost):
            break
        covers = np.flatnonzero((level.data == full).all(axis=0))
        if len(covers):
            level_costs = level.cost[covers]
            found.append((level_costs, level_costs, level.subsets(covers)))
            best = min(best, float(level_costs.min()))
            # Larger subsets only matter if strictly cheaper (ties prefer fewer sites).
            cap = best - _tolerance(best)
            level = level.select_bits(np.flatnonzero(level.cost <= cap))
    if not found:
        return None
    return Enumerated(_pick(found, best, "min"), best, complete)


def best_median(
    weighted: np.ndarray, base: np.ndarray, p: int, deadline: float, clock
) -> Enumerated:
    """p-median: the ``p`` columns minimising the sum over rows of the smallest entry among
    them and ``base``.

    ``weighted`` is the demand-weighted distance matrix (rows: demand, columns: candidates;
    ``inf`` unreachable), ``base`` each row's weighted distance to the sites already open
    (``inf`` without any). Exactly ``p`` columns are chosen (``p`` at most the column count).

    Meets in the middle: the subsets of ``p - h`` sites ("lower") and of ``h`` sites
    ("upper") are stored, and every subset of ``p`` is a lower one followed by an upper one
    whose smallest site is above the lower one's largest — again a prefix of the lower level.
    """
    n_rows, n_items = weighted.shape
    items = np.ascontiguousarray(weighted.T)
    lower = _Level.empty_set(np.asarray(base, dtype=float)[None, :])
    if p == 0:
        return Enumerated(np.zeros(0, np.int64), float(lower.data.sum()), True)
    top = _median_split(n_rows, n_items, p)
    upper = _Level.empty_set(np.full((1, n_rows), np.inf))
    for _ in range(p - top):
        lower = _next_rows(lower, items, deadline, clock)
        if lower is None:
            return Enumerated(np.zeros(0, np.int64), np.inf, False)
    for _ in range(top):
        upper = _next_rows(upper, items, deadline, clock)
        if upper is None:
            return Enumerated(np.zeros(0, np.int64), np.inf, False)
    upper_sets = upper.subsets(np.arange(len(upper.cost)))
    counts = np.searchsorted(lower.last, upper_sets[:, 0], side="left")
    block_rows = max(1, min(_BLOCK_ROWS, _CACHE_BYTES // (8 * max(n_rows, 1))))
    buffer = np.empty((block_rows, n_rows))
    best = np.inf
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    complete = True
    for t in np.flatnonzero(counts):
        if clock() > deadline:
            complete = False
            break
        for start in range(0, int(counts[t]), block_rows):
            stop = min(int(counts[t]), start + block_rows)
            block = buffer[: stop - start]
            np.minimum(lower.data[start:stop], upper.data[t], out=block)
            values = block.sum(axis=1)
            block_best = float(values.min())
            if np.isfinite(best) and block_best > best + _tolerance(best):
                continue
            if np.isfinite(block_best):
                rows = np.flatnonzero(values <= block_best + _tolerance(block_best))
            else:
                rows = np.zeros(1, np.int64)
            combos = np.hstack(
                [lower.subsets(start + rows), np.repeat(upper_sets[t : t + 1], len(rows), 0)]
            )
            found.append((values[rows], np.zeros(len(rows)), combos))
            best = min(best, block_best)
    if not found:
        return Enumerated(np.zeros(0, np.int64), np.inf, False)
    return Enumerated(_pick(found, best, "min"), best, complete)


def _next_rows(level: _Level, items: np.ndarray, deadline: float, clock) -> _Level | None:
    """The next level of weighted distances, one added site at a time from prefix views of
    ``level``; None when the deadline passes first."""
    counts = np.searchsorted(level.last, np.arange(len(items)), side="left")
    total = int(counts.sum())
    data = np.empty((total, items.shape[1]))
    parents = np.empty(total, np.int64)
    added = np.empty(total, np.int64)
    filled = 0
    for j in np.flatnonzero(counts):
        if clock() > deadline:
            return None
        rows = slice(filled, filled + int(counts[j]))
        np.minimum(level.data[: counts[j]], items[j], out=data[rows])
        parents[rows] = np.arange(counts[j])
        added[rows] = j
        filled = rows.stop
    return _Level(data, np.zeros(total), added, (*level.trail, (parents, added)))
