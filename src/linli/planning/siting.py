"""Choose sites among candidate buildings: MCLP, budgeted MCLP, LSCP and p-median.

Every model is solved exactly with HiGHS (built directly as a sparse MIP) within a time limit,
started from a greedy solution improved by local search; small instances (few enough candidate
subsets) are instead solved by enumerating every subset, which proves optimality by exhaustion
in a fraction of the time. The answer always says whether it is proven optimal; otherwise it
carries the best proven bound and the relative gap, so a plan is never called optimal without
proof. Among the plans that cover the most, the cheapest is bought (the fewest sites when sites
cost nothing), and never a site that adds nobody the others do not already reach.

Typical use::

    coverage = CoverageMatrix.from_cost_matrix(distances_m, radius=500)
    result = mclp(coverage, weights=elderly_60plus, p=5, existing=[3, 7])
    result.selected, result.covered_weight, result.optimal, result.gap

Walking-network distances come from :mod:`linli.planning.access` through
:func:`walking_distances` (snap points to the graph, bounded searches from every candidate);
a long table of (demand id, candidate id, distance) computed elsewhere goes in through
:meth:`CoverageMatrix.from_distance_table`, or :func:`cost_matrix_from_table` for p-median.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from linli.planning import _siting_enumeration as enum
from linli.planning import _siting_heuristics as heur
from linli.planning._siting_highs import OPTIMALITY_TOLERANCE, open_gap, run_highs
from linli.planning._siting_mix import (
    ComplexRule,
    FunctionMixPlan,
    Scenario,
    SitePlan,
    function_mix,
)

__all__ = [
    "OPTIMALITY_TOLERANCE",
    "ComplexRule",
    "CoverageMatrix",
    "FunctionMixPlan",
    "Scenario",
    "SitePlan",
    "SitingResult",
    "SolverOptions",
    "cost_matrix_from_table",
    "function_mix",
    "lscp",
    "mclp",
    "p_median",
    "walking_distances",
]


# Below this many demand-site pairs HiGHS proves MCLP optimal in milliseconds, faster than the
# Lagrangian iterations would take.
SMALL_MODEL_NNZ = 20_000

# "auto" enumerates every candidate subset when the enumeration's work estimate is at most
# these: for MCLP and LSCP, subsets times (bitset words + lookup-table chunks) of the reduced
# instance (demand points with the same candidates merged); for p-median, subsets times demand
# rows. Measured with benchmarks/siting_enumeration.py on 2 shared cores: covering enumeration
# costs ~3-10 ns per unit and HiGHS proves such MCLP instances in ~5-20 ms, so the two cross
# near 2 M units; p-median enumeration costs ~1-3 ns per unit while HiGHS needs 0.06-9 s on the
# same instances, so it pays up to ~100 M units.
ENUMERATION_AUTO_WORK = 2_000_000
ENUMERATION_AUTO_WORK_MEDIAN = 100_000_000
# No enumeration may hold more than this many bytes of subsets at once.
ENUMERATION_MAX_BYTES = 256 * 2**20


@dataclass(frozen=True)
class SolverOptions:
    """How to solve a siting model.

    Parameters
    ----------
    time_limit : float
        Wall-clock seconds for the whole call (heuristic and exact solve together).
    method : {"auto", "exact", "heuristic", "enumeration"}
        ``auto``: on small instances (few enough candidate subsets, see
        ``ENUMERATION_AUTO_WORK`` and ``ENUMERATION_AUTO_WORK_MEDIAN``) enumerate them all;
        otherwise greedy, swap local search and a Lagrangian bound, then HiGHS from the best
        solution for up to a quarter of the time, then perturbed local search for the rest;
        the best solution found wins. ``exact``: HiGHS for all the time, from the greedy
        start. ``heuristic``: never calls HiGHS; the bound comes from cheap relaxations.
        ``enumeration``: look at every candidate subset (proven optimal by exhaustion); raises
        ``ValueError`` when that would hold more than ``ENUMERATION_MAX_BYTES``, and when the
        time limit stops it first, answers with the best subset seen and a cheap bound.
    threads : int or None
        Threads HiGHS may use; ``None`` lets HiGHS decide.
    seed : int
        Seed of the perturbed local search, for repeatable plans.

    Notes
    -----
    ``auto`` and ``heuristic`` use the whole time limit on instances they cannot prove
    optimal (the perturbed local search runs until it), and stop as soon as a bound proves
    the plan optimal.
    """

    time_limit: float = 60.0
    method: str = "auto"
    threads: int | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        if self.method not in ("auto", "exact", "heuristic", "enumeration"):
            raise ValueError(f"unknown method {self.method!r}")
        if not self.time_limit > 0:
            raise ValueError("time_limit must be positive")


@dataclass(frozen=True)
class SitingResult:
    """The answer of a siting model.

    Attributes
    ----------
    model : str
        ``"mclp"``, ``"lscp"`` or ``"p_median"``.
    selected : tuple of int
        Indices of the open candidate sites, existing ones included, ascending.
    existing : tuple of int
        The candidates that were open before (forced into the solution).
    objective : float
        Covered weight (MCLP), total cost of the new sites (LSCP), or total weighted
        distance (p-median).
    covered_weight : float
        Demand weight within reach of an open site (for p-median: weight with a finite
        distance to its nearest open site).
    optimal : bool
        True only when the bound proves the objective optimal.
    bound : float
        Best proven bound on the objective: an upper bound when maximising (MCLP), a lower
        bound when minimising (LSCP, p-median).
    gap : float
        ``|bound - objective| / |objective|``; 0 when proven optimal.
    solve_time : float
        Wall-clock seconds.
    method : str
        What produced the solution: ``"highs"``, ``"heuristic"`` or ``"enumeration"``.
    """

    model: str
    selected: tuple[int, ...]
    existing: tuple[int, ...]
    objective: float
    covered_weight: float
    optimal: bool
    bound: float
    gap: float
    solve_time: float
    method: str

    @property
    def new_sites(self) -> tuple[int, ...]:
        """Selected candidates that were not open before."""
        existing = set(self.existing)
        return tuple(j for j in self.selected if j not in existing)


@dataclass(frozen=True)
class CoverageMatrix:
    """Which candidate sites reach which demand points within a radius.

    Attributes
    ----------
    matrix : scipy.sparse.csr_array of bool, shape (n_demand, n_candidates)
        ``matrix[i, j]`` is True when candidate ``j`` is within ``radius`` of demand ``i``.
    radius : float
        The service radius, in the units of the distances (metres).
    """

    matrix: sp.csr_array
    radius: float

    @property
    def shape(self) -> tuple[int, int]:
        return self.matrix.shape

    @classmethod
    def from_cost_matrix(cls, cost_matrix, radius: float) -> CoverageMatrix:
        """Build from a demand × candidate matrix of distances.

        Parameters
        ----------
        cost_matrix : array_like or scipy sparse matrix, shape (n_demand, n_candidates)
            Distances; ``inf`` or NaN means unreachable. In a sparse matrix, only stored
            entries are distances (absent pairs are unreachable).
        radius : float
            Service radius; a pair covers when its distance is ``<= radius``.
        """
        radius = _check_radius(radius)
        if sp.issparse(cost_matrix):
            coo = sp.coo_array(cost_matrix)
            if (coo.data < 0).any():
                raise ValueError("cost_matrix has negative distances")
            keep = coo.data <= radius
            matrix = sp.csr_array(
                (np.ones(int(keep.sum()), dtype=bool), (coo.row[keep], coo.col[keep])),
                shape=coo.shape,
            )
        else:
            dense = np.asarray(cost_matrix, dtype=float)
            if dense.ndim != 2:
                raise ValueError("cost_matrix must be two-dimensional")
            if (dense < 0).any():
                raise ValueError("cost_matrix has negative distances")
            matrix = sp.csr_array(dense <= radius)
        matrix.sort_indices()
        return cls(matrix=matrix, radius=radius)

    @classmethod
    def from_distance_table(
        cls,
        table: pd.DataFrame,
        demand_ids: Sequence,
        candidate_ids: Sequence,
        radius: float,
        *,
        columns: tuple[str, str, str] = ("origin_id", "facility_id", "distance_m"),
    ) -> CoverageMatrix:
        """Build from a long table of distances between demand points and candidates.

        This is the seam to the walking network: :mod:`linli.planning.access` computes the
        network distance between demand points and candidate sites as such a table. Pairs
        absent from the table are unreachable.

        Parameters
        ----------
        table : pandas.DataFrame
            One row per (demand, candidate) pair.
        demand_ids, candidate_ids : sequence
            Row and column order of the matrix.
        radius : float
            Service radius, metres.
        columns : (str, str, str)
            Names of the demand id, candidate id and distance columns in ``table``.
        """
        return cls.from_cost_matrix(
            _sparse_from_table(table, demand_ids, candidate_ids, columns), radius
        )


def cost_matrix_from_table(
    table: pd.DataFrame,
    demand_ids: Sequence,
    candidate_ids: Sequence,
    *,
    columns: tuple[str, str, str] = ("origin_id", "facility_id", "distance_m"),
) -> np.ndarray:
    """Dense demand × candidate distance matrix from a long table; missing pairs are ``inf``.

    For :func:`p_median`, whose objective needs every distance, not only those within a radius.
    """
    sparse = sp.coo_array(_sparse_from_table(table, demand_ids, candidate_ids, columns))
    dense = np.full(sparse.shape, np.inf)
    dense[sparse.row, sparse.col] = sparse.data
    return dense


def walking_distances(
    graph,
    demand_lonlat: tuple,
    site_lonlat: tuple,
    radius_m: float,
    *,
    max_snap_m: float = 500.0,
) -> tuple[sp.csr_array, np.ndarray, np.ndarray]:
    """Walking distances within a radius between demand points and candidate sites.

    Distances are between the graph nodes nearest to the points, as in ``linli plan access``;
    a point farther than ``max_snap_m`` from every node reaches nothing.

    Parameters
    ----------
    graph : linli.planning.network.WalkGraph
    demand_lonlat, site_lonlat : (array_like, array_like)
        WGS 84 longitudes and latitudes.
    radius_m : float
        Largest distance kept.
    max_snap_m : float
        Snapping limit, metres.

    Returns
    -------
    distances : scipy.sparse.csr_array, shape (n_demand, n_sites)
        Stored entries are the pairs within ``radius_m`` (zero distances included); feed it
        to :meth:`CoverageMatrix.from_cost_matrix`.
    demand_off_network, sites_off_network : numpy.ndarray of bool
    """
    from linli.planning import access  # numba and pyproj; only this function needs them

    index = access.snap_index(graph)
    demand = access.snap_points(index, *map(np.asarray, demand_lonlat), max_snap_m)
    sites = access.snap_points(index, *map(np.asarray, site_lonlat), max_snap_m)
    on_network = np.flatnonzero(~sites.too_far)
    reach = access.catchments(graph, sites.node[on_network], _check_radius(radius_m))
    reached = pd.DataFrame(
        {"j": on_network[reach.source_of_entry()], "node": reach.node, "d": reach.distance_m}
    )
    placed = np.flatnonzero(~demand.too_far)
    pairs = reached.merge(pd.DataFrame({"i": placed, "node": demand.node[placed]}), on="node")
    shape = (len(demand.node), len(sites.node))
    distances = sp.csr_array((pairs["d"].to_numpy(), (pairs["i"], pairs["j"])), shape=shape)
    return distances, demand.too_far, sites.too_far


def mclp(
    coverage: CoverageMatrix,
    weights,
    p: int | None = None,
    *,
    costs=None,
    budget: float | None = None,
    existing: Sequence[int] = (),
    solver: SolverOptions | None = None,
) -> SitingResult:
    """Maximal covering location: open sites to cover the most demand weight.

    Parameters
    ----------
    coverage : CoverageMatrix
    weights : array_like, shape (n_demand,)
        Demand weight of each point (e.g. residents aged 60+); non-negative.
    p : int, optional
        Most new sites to open, existing ones not counted.
    costs : array_like, shape (n_candidates,), optional
        Cost of opening each candidate; needed with ``budget``.
    budget : float, optional
        Most total cost of the new sites. At least one of ``p`` and ``budget`` is required.
    existing : sequence of int
        Candidates already open: they count as covering, cost nothing and take no count.
    solver : SolverOptions, optional

    Returns
    -------
    SitingResult
        ``objective`` and ``covered_weight`` are the covered weight; ``bound`` is an upper
        bound on it.
    """
    start = time.perf_counter()
    solver = solver or SolverOptions()
    cover = coverage.matrix
    n_demand, n_cand = cover.shape
    weights = _check_vector(weights, n_demand, "weights")
    if p is None and budget is None:
        raise ValueError("give p, budget or both")
    if p is not None and p < 0:
        raise ValueError("p must be non-negative")
    costs, budget = _check_costs(costs, budget, n_cand)
    existing_arr = _check_existing(existing, n_cand)
    p_eff = n_cand if p is None else int(p)

    # Reduce: demand already served by existing sites is fixed; only affordable candidates that
    # reach someone remain; demand points with the same set of candidates are merged.
    is_existing = np.zeros(n_cand, dtype=bool)
    is_existing[existing_arr] = True
    served = (cover @ is_existing.astype(np.int32)) > 0
    fixed = float(weights[served].sum())
    rows = np.flatnonzero(~served & (weights > 0))
    pool = np.flatnonzero(~is_existing & (costs <= budget))
    sub = cover[rows][:, pool]
    reaches = np.flatnonzero(np.diff(sub.tocsc().indptr) > 0)
    pool, sub = pool[reaches], sub[:, reaches]
    sub, sub_weights = _merge_identical_rows(sub, weights[rows])
    pool_costs = costs[pool]

    if sub.nnz == 0:  # nothing left to gain: the existing sites are the answer
        return _result(
            "mclp", existing_arr, existing_arr, fixed, fixed, fixed, "max", start, "heuristic"
        )
    clock = time.perf_counter
    deadline = start + solver.time_limit

    def answer(chosen, value, bound, method):
        selected = np.union1d(existing_arr, pool[chosen]).astype(int)
        objective = fixed + value
        return _result(
            "mclp",
            selected,
            existing_arr,
            objective,
            objective,
            fixed + bound,
            "max",
            start,
            method,
        )

    # No affordable set has more sites than the cheapest ones the budget buys.
    affordable = int(np.searchsorted(np.cumsum(np.sort(pool_costs)), budget, side="right"))
    p_enum = min(p_eff, max(affordable, 1))
    if _use_enumeration(solver, *enum.cover_work(*sub.shape, p_enum)):
        found = enum.best_cover(sub, sub_weights, p_enum, pool_costs, budget, deadline, clock)
        value = heur.coverage_value(sub, sub_weights, found.chosen)
        if found.complete:  # every subset seen: optimal by exhaustion
            return answer(found.chosen, value, max(value, found.value), "enumeration")
        # Stopped by the deadline: the better of what it saw and greedy, with a cheap bound.
        chosen, method = found.chosen, "enumeration"
        greedy = heur.greedy_cover(sub, sub_weights, p_eff, pool_costs, budget, by_ratio=False)
        greedy_value = heur.coverage_value(sub, sub_weights, greedy)
        if greedy_value > value:
            chosen, value, method = greedy, greedy_value, "heuristic"
        bound = heur.cover_upper_bound(sub, sub_weights, chosen, p_eff, pool_costs, budget)
        return answer(
            _without_idle_sites(sub, sub_weights, chosen, pool_costs), value, bound, method
        )
    chosen = heur.greedy_cover(sub, sub_weights, p_eff, pool_costs, budget, by_ratio=False)
    if np.isfinite(budget):
        by_ratio = heur.greedy_cover(sub, sub_weights, p_eff, pool_costs, budget, by_ratio=True)
        if heur.coverage_value(sub, sub_weights, by_ratio) > heur.coverage_value(
            sub, sub_weights, chosen
        ):
            chosen = by_ratio
    if solver.method != "exact":
        chosen = heur.swap_search(
            sub, sub_weights, chosen, p_eff, pool_costs, budget, deadline, clock
        )
    value = heur.coverage_value(sub, sub_weights, chosen)
    bound = heur.cover_upper_bound(sub, sub_weights, chosen, p_eff, pool_costs, budget)
    if open_gap(bound, value) and sub.nnz > SMALL_MODEL_NNZ:
        # The Lagrangian bound is cheap next to the LP on large instances; its site sets are
        # good restarts for the local search. It gets a quarter of the time at most.
        lagrangian, restarts = heur.lagrangian_cover(
            sub,
            sub_weights,
            p_eff,
            pool_costs,
            budget,
            value,
            start + 0.25 * solver.time_limit,
            clock,
        )
        bound = min(bound, lagrangian)
        for restart in restarts[: 3 if solver.method != "exact" else 0]:
            improved = heur.swap_search(
                sub, sub_weights, restart, p_eff, pool_costs, budget, deadline, clock
            )
            improved_value = heur.coverage_value(sub, sub_weights, improved)
            if improved_value > value:
                chosen, value = improved, improved_value
    method = "heuristic"

    def mip(start_cols, time_left, at_least=None):
        return _solve_mclp_mip(
            sub, sub_weights, start_cols, p_eff, pool_costs, budget, time_left, solver, at_least
        )

    if solver.method != "heuristic" and open_gap(bound, value):
        # In "auto" HiGHS gets a quarter of the time: enough to prove small and mid-size
        # instances optimal; on large ones the perturbed search below uses the time better.
        share = 1.0 if solver.method == "exact" else 0.25
        outcome = mip(chosen, min(deadline, clock() + share * solver.time_limit) - clock())
        if outcome is not None:
            mip_chosen, mip_bound = outcome
            bound = min(bound, mip_bound)
            mip_value = heur.coverage_value(sub, sub_weights, mip_chosen)
            if mip_value > value:
                chosen, value, method = mip_chosen, mip_value, "highs"
    if solver.method != "exact" and open_gap(bound, value):
        improved = heur.perturbed_search(
            sub,
            sub_weights,
            chosen,
            p_eff,
            pool_costs,
            budget,
            deadline,
            clock,
            np.random.default_rng(solver.seed),
        )
        improved_value = heur.coverage_value(sub, sub_weights, improved)
        if improved_value > value:
            chosen, value, method = improved, improved_value, "heuristic"
    chosen = _without_idle_sites(sub, sub_weights, chosen, pool_costs)
    if solver.method != "heuristic" and not open_gap(bound, value):
        # Proven the most coverage: among the subsets reaching it, buy the cheapest (the
        # objective alone is indifferent between them).
        outcome = mip(chosen, deadline - clock(), at_least=value)
        if outcome is not None:
            cheaper = outcome[0]
            tie_costs = _tie_costs(pool_costs)
            if (
                not open_gap(value, heur.coverage_value(sub, sub_weights, cheaper))
                and tie_costs[cheaper].sum() < tie_costs[chosen].sum()
            ):
                chosen = _without_idle_sites(sub, sub_weights, cheaper, pool_costs)
    return answer(chosen, value, bound, method)


def lscp(
    coverage: CoverageMatrix,
    weights=None,
    *,
    costs=None,
    existing: Sequence[int] = (),
    solver: SolverOptions | None = None,
) -> SitingResult:
    """Location set covering: the cheapest set of new sites that reaches every demand point.

    Parameters
    ----------
    coverage : CoverageMatrix
    weights : array_like, shape (n_demand,), optional
        Demand weight, only reported back as ``covered_weight`` (every point is covered).
    costs : array_like, shape (n_candidates,), optional
        Cost of each candidate; without it every site costs 1 (fewest sites).
    existing : sequence of int
        Candidates already open; they cost nothing.
    solver : SolverOptions, optional

    Returns
    -------
    SitingResult
        ``objective`` is the total cost of the new sites; ``bound`` a lower bound on it.

    Raises
    ------
    ValueError
        When some demand point has no candidate within the radius (names how many).
    """
    start = time.perf_counter()
    solver = solver or SolverOptions()
    cover = coverage.matrix
    n_demand, n_cand = cover.shape
    weights = np.ones(n_demand) if weights is None else _check_vector(weights, n_demand, "weights")
    costs = np.ones(n_cand) if costs is None else _check_vector(costs, n_cand, "costs")
    existing_arr = _check_existing(existing, n_cand)
    unreachable = np.flatnonzero(np.diff(cover.indptr) == 0)
    if len(unreachable):
        raise ValueError(
            f"{len(unreachable)} demand point(s) have no candidate within the radius "
            f"(first: index {unreachable[0]}); no set of sites covers them all"
        )
    is_existing = np.zeros(n_cand, dtype=bool)
    is_existing[existing_arr] = True
    rows = np.flatnonzero((cover @ is_existing.astype(np.int32)) == 0)
    pool = np.flatnonzero(~is_existing)
    sub, _ = _merge_identical_rows(cover[rows][:, pool], np.ones(len(rows)))
    pool_costs = costs[pool]
    chosen = heur.greedy_set_cover(sub, pool_costs) if sub.shape[0] else np.array([], int)
    value = float(pool_costs[chosen].sum())
    bound = heur.set_cover_lower_bound(sub, pool_costs)
    method = "heuristic"
    if open_gap(value, bound) and _use_enumeration(
        solver, *enum.set_cover_work(sub.shape[0], pool_costs, value)
    ):
        found = enum.cheapest_cover(
            sub, pool_costs, value, start + solver.time_limit, time.perf_counter
        )
        if found is not None:
            found_value = float(pool_costs[found.chosen].sum())
            if found_value <= value:
                chosen, value, method = found.chosen, found_value, "enumeration"
            if found.complete:  # every subset up to the greedy cover's cost seen
                bound = max(bound, min(value, found.value))
    if solver.method in ("auto", "exact") and open_gap(value, bound):
        remaining = solver.time_limit - (time.perf_counter() - start)
        outcome = _solve_lscp_mip(sub, pool_costs, chosen, remaining, solver)
        if outcome is not None:
            mip_chosen, mip_bound = outcome
            bound = max(bound, mip_bound)
            mip_value = float(pool_costs[mip_chosen].sum())
            if mip_value < value:
                chosen, value, method = mip_chosen, mip_value, "highs"
    selected = np.union1d(existing_arr, pool[chosen]).astype(int)
    return _result(
        "lscp", selected, existing_arr, value, float(weights.sum()), bound, "min", start, method
    )


def p_median(
    cost_matrix,
    weights,
    p: int,
    *,
    existing: Sequence[int] = (),
    solver: SolverOptions | None = None,
) -> SitingResult:
    """p-median: open ``p`` new sites minimising total weighted distance to the nearest site.

    Parameters
    ----------
    cost_matrix : array_like, shape (n_demand, n_candidates)
        Distances; ``inf`` means unreachable.
    weights : array_like, shape (n_demand,)
    p : int
        Number of new sites, existing ones not counted.
    existing : sequence of int
        Candidates already open.
    solver : SolverOptions, optional

    Returns
    -------
    SitingResult
        ``objective`` is the weighted distance; ``bound`` a lower bound on it.
    """
    start = time.perf_counter()
    solver = solver or SolverOptions()
    cost = np.asarray(cost_matrix, dtype=float)
    if cost.ndim != 2:
        raise ValueError("cost_matrix must be two-dimensional")
    if np.isnan(cost).any() or (cost < 0).any():
        raise ValueError("cost_matrix has negative or NaN distances")
    n_demand, n_cand = cost.shape
    weights = _check_vector(weights, n_demand, "weights")
    existing_arr = _check_existing(existing, n_cand)
    p = min(int(p), n_cand - len(existing_arr))
    if p < 0:
        raise ValueError("p must be non-negative")
    if p + len(existing_arr) == 0:
        raise ValueError("p-median needs at least one open site")
    deadline = start + solver.time_limit
    found = None
    work, held = enum.median_work(n_demand, n_cand - len(existing_arr), p)
    if _use_enumeration(solver, work, held, ENUMERATION_AUTO_WORK_MEDIAN):
        found = _enumerate_median(cost, weights, existing_arr, p, deadline)
    if found is not None and found.complete:
        chosen, method = found.chosen, "enumeration"
    else:
        chosen, method = heur.greedy_median(cost, weights, existing_arr, p), "heuristic"
        if solver.method not in ("exact", "enumeration"):
            chosen = heur.interchange_median(
                cost, weights, chosen, existing_arr, deadline, time.perf_counter
            )
        if (
            found is not None
            and len(found.chosen)
            and heur.median_cost(cost, weights, found.chosen)
            < heur.median_cost(cost, weights, chosen)
        ):
            chosen, method = found.chosen, "enumeration"
    value = heur.median_cost(cost, weights, chosen)
    if not np.isfinite(value):
        raise ValueError("some demand point cannot reach any open site; no finite p-median")
    if found is not None and found.complete:  # every subset seen: optimal by exhaustion
        bound = min(value, found.value)
    else:
        with np.errstate(invalid="ignore"):
            bound = float(weights @ cost.min(axis=1))
    if solver.method in ("auto", "exact") and open_gap(value, bound):
        outcome = _solve_median_mip(
            cost, weights, chosen, existing_arr, p, deadline - time.perf_counter(), solver
        )
        if outcome is not None:
            mip_chosen, mip_bound = outcome
            bound = max(bound, mip_bound)
            mip_value = heur.median_cost(cost, weights, mip_chosen)
            if mip_value < value:
                chosen, value, method = mip_chosen, mip_value, "highs"
    covered = float(weights[np.isfinite(cost[:, chosen].min(axis=1))].sum())
    return _result(
        "p_median",
        np.asarray(chosen, int),
        existing_arr,
        value,
        covered,
        bound,
        "min",
        start,
        method,
    )


# --- exact models --------------------------------------------------------------------------


def _use_enumeration(solver: SolverOptions, work: int, held: int, limit: int | None = None) -> bool:
    """Whether to enumerate every candidate subset (see ``SolverOptions.method``)."""
    if solver.method == "enumeration":
        if held > ENUMERATION_MAX_BYTES:
            raise ValueError(
                f"enumerating every candidate subset would hold about {held / 2**20:,.0f} MiB, "
                f"more than the {ENUMERATION_MAX_BYTES / 2**20:,.0f} MiB cap; use method "
                "'auto' or 'exact'"
            )
        return True
    limit = ENUMERATION_AUTO_WORK if limit is None else limit
    return solver.method == "auto" and work <= limit and held <= ENUMERATION_MAX_BYTES


def _enumerate_median(cost, weights, existing, p, deadline):
    """p-median by enumeration over the candidates not already open; positions map back to
    candidate indices, existing sites included."""
    n_cand = cost.shape[1]
    pool = np.setdiff1d(np.arange(n_cand), existing)
    served = weights > 0  # weightless demand adds nothing to any plan
    with np.errstate(invalid="ignore"):
        weighted = cost[served] * weights[served, None]
    base = weighted[:, existing].min(axis=1) if len(existing) else np.full(len(weighted), np.inf)
    found = enum.best_median(weighted[:, pool], base, p, deadline, time.perf_counter)
    chosen = np.union1d(existing, pool[found.chosen]).astype(np.int64)
    if not found.complete and not len(found.chosen):
        chosen = np.zeros(0, np.int64)
    return enum.Enumerated(chosen, found.value, found.complete)


def _solve_mclp_mip(sub, weights, start_cols, p, costs, budget, time_left, solver, at_least=None):
    """MCLP as a MIP; rows reached by one candidate fold into that candidate's objective.

    With ``at_least``, the tie-break instead: the cheapest subset (the fewest sites when
    sites cost nothing) covering at least that weight, within the same count and budget.
    """
    n_rows, n_cols = sub.shape
    degree = np.diff(sub.indptr)
    single = degree == 1
    col_value = np.bincount(sub.indices[sub.indptr[:-1][single]], weights[single], n_cols)
    multi = sub[~single]
    n_y = multi.shape[0]
    # Rows: y_k - sum_{j covers k} x_j <= 0, then the count and the budget.
    link = sp.hstack([-multi.astype(float), sp.eye_array(n_y, format="csr")], format="csr")
    rows = [link]
    upper = [np.zeros(n_y)]
    if p < n_cols:
        rows.append(sp.csr_array(np.r_[np.ones(n_cols), np.zeros(n_y)][None, :]))
        upper.append(np.array([float(p)]))
    if np.isfinite(budget):
        rows.append(sp.csr_array(np.r_[costs, np.zeros(n_y)][None, :]))
        upper.append(np.array([budget]))
    coverage = np.r_[col_value, weights[~single]]
    lower = [np.full(sum(len(u) for u in upper), -np.inf)]
    if at_least is None:
        objective = coverage
    else:
        objective = np.r_[_tie_costs(costs), np.zeros(n_y)]
        rows.append(sp.csr_array(coverage[None, :]))
        # Less a rounding margin: the caller checks the coverage of the answer.
        lower.append([at_least - max(1e-9, 1e-9 * abs(at_least))])
        upper.append([np.inf])
    matrix = sp.vstack(rows, format="csr")
    start_x = np.zeros(n_cols)
    start_x[start_cols] = 1
    start_y = np.minimum(1.0, multi @ start_x)
    outcome = run_highs(
        objective,
        matrix,
        np.concatenate(lower),
        np.concatenate(upper),
        np.zeros(n_cols + n_y),
        np.ones(n_cols + n_y),
        np.r_[np.ones(n_cols), np.zeros(n_y)],
        maximise=at_least is None,
        start=np.r_[start_x, start_y],
        time_left=time_left,
        threads=solver.threads,
    )
    if outcome is None:
        return None
    x, bound = outcome
    return np.flatnonzero(x[:n_cols] > 0.5), bound


def _tie_costs(costs: np.ndarray) -> np.ndarray:
    """What the tie-break minimises: the costs, or the number of sites when all are free."""
    return costs if (costs > 0).any() else np.ones_like(costs)


def _without_idle_sites(sub, weights, chosen, costs) -> np.ndarray:
    """``chosen`` less every site that adds no weight the others do not cover, dearest first:
    a plan never buys a site that adds nobody."""
    kept = [int(j) for j in chosen]
    value = heur.coverage_value(sub, weights, np.asarray(kept, dtype=np.int64))
    for j in sorted(kept, key=lambda j: (-costs[j], j)):
        rest = np.asarray([k for k in kept if k != j], dtype=np.int64)
        if not open_gap(value, heur.coverage_value(sub, weights, rest)):
            kept.remove(j)
    return np.asarray(sorted(kept), dtype=np.int64)


def _solve_lscp_mip(sub, costs, start_cols, time_left, solver):
    n_rows, n_cols = sub.shape
    start_x = np.zeros(n_cols)
    start_x[start_cols] = 1
    outcome = run_highs(
        costs,
        sub.astype(float),
        np.ones(n_rows),
        np.full(n_rows, np.inf),
        np.zeros(n_cols),
        np.ones(n_cols),
        np.ones(n_cols),
        maximise=False,
        start=start_x,
        time_left=time_left,
        threads=solver.threads,
    )
    if outcome is None:
        return None
    x, bound = outcome
    return np.flatnonzero(x > 0.5), bound


def _solve_median_mip(cost, weights, start_cols, existing, p, time_left, solver):
    """Classic p-median MIP: z_ij assigns demand i to site j, z_ij <= x_j, sum_j z_ij = 1.

    With k sites open, every demand point's nearest open site is among its m - k + 1 nearest
    candidates, so its k - 1 farthest get no assignment variable.
    """
    n, m = cost.shape
    n_open = p + len(existing)
    rank = np.argsort(np.argsort(cost, axis=1, kind="stable"), axis=1)
    di, dj = np.nonzero(np.isfinite(cost) & (rank < m - n_open + 1))
    n_z = len(di)
    z = np.arange(n_z)
    assign = sp.csr_array((np.ones(n_z), (di, m + z)), shape=(n, m + n_z))
    link = sp.csr_array(
        (np.r_[np.ones(n_z), -np.ones(n_z)], (np.r_[z, z], np.r_[m + z, dj])), shape=(n_z, m + n_z)
    )
    count = sp.csr_array(np.r_[np.ones(m), np.zeros(n_z)][None, :])
    matrix = sp.vstack([assign, link, count], format="csr")
    n_open = float(p + len(existing))
    lower = np.r_[np.ones(n), np.full(n_z, -np.inf), -np.inf]
    upper = np.r_[np.ones(n), np.zeros(n_z), n_open]
    col_lower = np.zeros(m + n_z)
    col_lower[existing] = 1
    start_x = np.zeros(m)
    start_x[start_cols] = 1
    nearest = np.asarray(start_cols)[np.argmin(cost[:, start_cols], axis=1)]
    start_z = (dj == nearest[di]).astype(float)
    model = (
        np.r_[np.zeros(m), weights[di] * cost[di, dj]],
        matrix,
        lower,
        upper,
        col_lower,
        np.ones(m + n_z),
    )
    value = float(weights @ cost[:, start_cols].min(axis=1))
    deadline = time.perf_counter() + time_left
    # This formulation's LP relaxation is often integral; when its optimum meets the start,
    # the start is proven optimal without branching.
    relaxed = run_highs(
        *model,
        np.zeros(m + n_z),
        maximise=False,
        start=np.r_[start_x, start_z],
        time_left=time_left,
        threads=solver.threads,
    )
    if relaxed is not None and not open_gap(value, relaxed[1]):
        return np.asarray(start_cols), relaxed[1]
    outcome = run_highs(
        *model,
        np.r_[np.ones(m), np.zeros(n_z)],
        maximise=False,
        start=np.r_[start_x, start_z],
        time_left=deadline - time.perf_counter(),
        threads=solver.threads,
    )
    if outcome is None:
        return None if relaxed is None else (np.asarray(start_cols), relaxed[1])
    x, bound = outcome
    return np.flatnonzero(x[:m] > 0.5), max(bound, relaxed[1]) if relaxed else bound


# --- helpers -------------------------------------------------------------------------------


def _result(model, selected, existing, objective, covered, bound, sense, start, method):
    """Assemble a result; optimal only when the bound meets the objective."""
    if sense == "max":
        bound = max(bound, objective)
        slack = bound - objective
    else:
        bound = min(bound, objective)
        slack = objective - bound
    gap = slack / abs(objective) if objective else (0.0 if slack <= 1e-9 else np.inf)
    optimal = not open_gap(objective + slack, objective)
    return SitingResult(
        model=model,
        selected=tuple(int(j) for j in np.sort(selected)),
        existing=tuple(int(j) for j in np.sort(existing)),
        objective=float(objective),
        covered_weight=float(covered),
        optimal=bool(optimal),
        bound=float(objective if optimal else bound),
        gap=0.0 if optimal else float(gap),
        solve_time=time.perf_counter() - start,
        method=method,
    )


def _check_radius(radius) -> float:
    radius = float(radius)
    if not (np.isfinite(radius) and radius >= 0):
        raise ValueError("radius must be a non-negative number")
    return radius


def _check_vector(values, n: int, name: str) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.shape != (n,):
        raise ValueError(f"{name} has shape {array.shape}, expected ({n},)")
    if not np.isfinite(array).all() or (array < 0).any():
        raise ValueError(f"{name} must be finite and non-negative")
    return array


def _check_costs(costs, budget, n: int) -> tuple[np.ndarray, float]:
    if budget is None:
        return (np.zeros(n) if costs is None else _check_vector(costs, n, "costs")), np.inf
    if costs is None:
        raise ValueError("a budget needs candidate costs")
    costs = _check_vector(costs, n, "costs")
    budget = float(budget)
    if not (np.isfinite(budget) and budget >= 0):
        raise ValueError("budget must be a non-negative number")
    return costs, budget


def _check_existing(existing, n: int) -> np.ndarray:
    array = np.unique(np.asarray(existing, dtype=np.int64))
    if len(array) and (array[0] < 0 or array[-1] >= n):
        raise ValueError(f"existing sites must be candidate indices in [0, {n})")
    return array


def _merge_identical_rows(matrix: sp.csr_array, weights: np.ndarray):
    """Merge rows reached by the same candidates, summing their weights; drop empty rows."""
    matrix = sp.csr_array(matrix)
    matrix.sort_indices()
    n_rows, n_cols = matrix.shape
    if 0 < n_rows * n_cols <= 4_000_000:  # small: one vectorised pass over packed rows
        packed = np.ascontiguousarray(np.packbits(matrix.toarray(), axis=1))
        keys = packed.view(np.dtype((np.void, packed.shape[1])))[:, 0]
        _, first_of, group_of = np.unique(keys, return_index=True, return_inverse=True)
        order = np.argsort(first_of)  # groups in order of first appearance, as below
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        first, group_of = first_of[order], rank[group_of.ravel()]
    else:
        groups: dict[bytes, int] = {}
        group_of = np.empty(n_rows, dtype=np.int64)
        first = []
        for i in range(n_rows):
            key = matrix.indices[matrix.indptr[i] : matrix.indptr[i + 1]].tobytes()
            if key not in groups:
                groups[key] = len(first)
                first.append(i)
            group_of[i] = groups[key]
    merged = matrix[np.asarray(first, dtype=np.int64)]
    merged_weights = np.bincount(group_of, weights=weights, minlength=len(first))
    keep = np.diff(merged.indptr) > 0
    return merged[keep], merged_weights[keep]


def _sparse_from_table(table, demand_ids, candidate_ids, columns) -> sp.csr_array:
    demand_col, candidate_col, distance_col = columns
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"distance table lacks column(s): {', '.join(missing)}")
    rows = pd.Index(demand_ids).get_indexer(table[demand_col])
    cols = pd.Index(candidate_ids).get_indexer(table[candidate_col])
    distances = table[distance_col].to_numpy(dtype=float)
    keep = (rows >= 0) & (cols >= 0) & np.isfinite(distances)
    # A pair listed twice keeps its shorter distance (a sparse constructor would add them).
    pairs = pd.DataFrame({"i": rows[keep], "j": cols[keep], "d": distances[keep]})
    pairs = pairs.groupby(["i", "j"], as_index=False)["d"].min()
    shape = (len(demand_ids), len(candidate_ids))
    return sp.csr_array((pairs["d"].to_numpy(), (pairs["i"], pairs["j"])), shape=shape)
