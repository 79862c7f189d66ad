"""Exhaustive enumeration: equal to brute force and to HiGHS, ties broken deterministically."""

from __future__ import annotations

import itertools
import types
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from linli.planning import siting
from linli.planning.siting import CoverageMatrix, SolverOptions, lscp, mclp, p_median

EXACT = SolverOptions(method="exact", time_limit=20)
ENUMERATE = SolverOptions(method="enumeration", time_limit=20)


def _instance(seed: int, n: int = 24, m: int = 9, ties: bool = False):
    """Random points; with ``ties``, coarse integer distances, few weight values and a
    duplicated candidate, so that several plans reach the same objective."""
    rng = np.random.default_rng(seed)
    demand, sites = rng.uniform(0, 1000, (n, 2)), rng.uniform(0, 1000, (m, 2))
    if ties:
        sites[-1] = sites[0]
    cost = np.linalg.norm(demand[:, None, :] - sites[None, :, :], axis=2)
    if ties:
        cost = np.round(cost / 100) * 100
        weights = rng.integers(1, 3, n).astype(float)
        prices = rng.integers(1, 3, m).astype(float)
    else:
        weights = rng.integers(1, 100, n).astype(float)
        prices = rng.integers(1, 10, m).astype(float)
    return cost, weights, prices


def _subsets(candidates, most):
    for k in range(min(most, len(candidates)) + 1):
        yield from itertools.combinations(candidates, k)


def _tie_break(plans):
    """The documented rule among equally good plans: cheapest, fewest sites, smallest."""
    return min(plans, key=lambda plan: (plan[0], len(plan[1]), plan[1]))[1]


def _brute_mclp(cover, weights, p, prices, budget, existing):
    others = [j for j in range(cover.shape[1]) if j not in existing]
    plans = []
    for subset in _subsets(others, p):
        cost = prices[list(subset)].sum()
        if cost <= budget:
            value = weights[cover[:, list(subset) + list(existing)].any(axis=1)].sum()
            plans.append((value, cost, subset))
    best = max(value for value, _, _ in plans)
    return best, _tie_break([(c, s) for v, c, s in plans if v == best])


MCLP_CASES = [
    # (p, budget, existing, priced)
    (1, None, (), False),
    (3, None, (), False),
    (3, None, (), True),
    (9, None, (), False),  # every site allowed: fewest sites reaching everything reachable
    (2, None, (4,), False),
    (4, 7.0, (), True),
    (None, 6.0, (1,), True),
    (3, 0.0, (), True),  # a budget that buys nothing
]


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("seed", range(5))
def test_mclp_enumeration_equals_brute_force_and_highs(seed, ties):
    cost, weights, prices = _instance(seed, ties=ties)
    radius = 300.0
    cover = cost <= radius
    coverage = CoverageMatrix.from_cost_matrix(cost, radius)
    for p, budget, existing, priced in MCLP_CASES:
        costs = prices if priced else None
        kwargs = dict(costs=costs, budget=budget, existing=existing)
        enumerated = mclp(coverage, weights, p, solver=ENUMERATE, **kwargs)
        best, plan = _brute_mclp(
            cover,
            weights,
            cover.shape[1] if p is None else p,
            prices if priced else np.zeros(cover.shape[1]),
            np.inf if budget is None else budget,
            existing,
        )
        assert enumerated.optimal and enumerated.gap == 0
        assert enumerated.objective == enumerated.bound == best
        if enumerated.method == "enumeration":  # not when existing sites already serve all
            assert enumerated.new_sites == plan
        assert set(existing) <= set(enumerated.selected)
        if seed < 2:
            exact = mclp(coverage, weights, p, solver=EXACT, **kwargs)
            assert exact.optimal and exact.objective == best
        assert mclp(coverage, weights, p, **kwargs).objective == best  # auto


def test_small_blocks_give_the_same_answers(monkeypatch):
    # Blocks of 7 subsets split the top level across and within added sites.
    monkeypatch.setattr(siting.enum, "_BLOCK_ROWS", 7)
    cost, weights, prices = _instance(11, n=30, m=10, ties=True)
    coverage = CoverageMatrix.from_cost_matrix(cost, 300.0)
    cover = cost <= 300.0
    for p, budget in [(4, None), (5, None), (3, 4.0), (6, 7.0)]:
        result = mclp(coverage, weights, p, costs=prices, budget=budget, solver=ENUMERATE)
        best, plan = _brute_mclp(cover, weights, p, prices, budget or np.inf, ())
        assert result.objective == best and result.new_sites == plan
    for p in (2, 5):
        best, plan = _brute_median(cost, weights, p, ())
        result = p_median(cost, weights, p, solver=ENUMERATE)
        assert result.objective == pytest.approx(best, rel=1e-12) and result.new_sites == plan


def _brute_lscp(cover, prices, existing):
    others = [j for j in range(cover.shape[1]) if j not in existing]
    plans = [
        (prices[list(s)].sum(), s)
        for s in _subsets(others, len(others))
        if cover[:, list(s) + list(existing)].any(axis=1).all()
    ]
    best = min(cost for cost, _ in plans)
    return best, _tie_break([(c, s) for c, s in plans if c == best])


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("seed", range(5))
def test_lscp_enumeration_equals_brute_force_and_highs(seed, ties):
    cost, _, prices = _instance(seed, n=20, m=10, ties=ties)
    radius = float(np.sort(cost.min(axis=1))[-1]) + 150  # every point reachable
    cover = cost <= radius
    coverage = CoverageMatrix.from_cost_matrix(cost, radius)
    for costs, existing in [(None, ()), (prices, ()), (prices, (seed % 10,))]:
        unit = np.ones(10) if costs is None else costs
        best, plan = _brute_lscp(cover, unit, existing)
        enumerated = lscp(coverage, costs=costs, existing=existing, solver=ENUMERATE)
        assert enumerated.optimal and enumerated.objective == best
        assert cover[:, list(enumerated.selected)].any(axis=1).all()
        if enumerated.method == "enumeration":  # else greedy was proven optimal by its bound
            assert enumerated.new_sites == plan
        exact = lscp(coverage, costs=costs, existing=existing, solver=EXACT)
        assert exact.optimal and exact.objective == best
        again = lscp(coverage, costs=costs, existing=existing, solver=ENUMERATE)
        assert again.selected == enumerated.selected


def _brute_median(cost, weights, p, existing):
    others = [j for j in range(cost.shape[1]) if j not in existing]
    plans = [
        (float(weights @ cost[:, list(s) + list(existing)].min(axis=1)), s)
        for s in itertools.combinations(others, p)
    ]
    best = min(value for value, _ in plans)
    return best, min(s for value, s in plans if value == best)


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("seed", range(5))
def test_p_median_enumeration_equals_brute_force_and_highs(seed, ties):
    cost, weights, _ = _instance(seed, n=22, m=9, ties=ties)
    for p, existing in [(1, ()), (2, ()), (4, ()), (6, ()), (2, (seed % 9,)), (3, (0, 5))]:
        best, plan = _brute_median(cost, weights, p, existing)
        enumerated = p_median(cost, weights, p, existing=existing, solver=ENUMERATE)
        assert enumerated.method == "enumeration" and enumerated.optimal
        assert enumerated.objective == pytest.approx(best, rel=1e-12)
        assert enumerated.new_sites == plan
        assert len(enumerated.selected) == p + len(existing)
        if seed < 2 and p in (2, 4):
            exact = p_median(cost, weights, p, existing=existing, solver=EXACT)
            assert exact.optimal and exact.objective == pytest.approx(best, rel=1e-12)


def test_p_median_enumeration_handles_unreachable_pairs():
    cost, weights, _ = _instance(3, n=15, m=7)
    cost[cost > 600] = np.inf
    best, plan = _brute_median(cost, weights, 3, ())
    result = p_median(cost, weights, 3, solver=ENUMERATE)
    assert result.objective == pytest.approx(best) and result.new_sites == plan
    assert np.isfinite(best)
    cost[:, 0], cost[:, 1:] = 50.0, np.inf  # only site 0 reaches everyone: p = 1 takes it
    assert p_median(cost, weights, 1, solver=ENUMERATE).selected == (0,)
    cost[0, 0] = np.inf
    with pytest.raises(ValueError, match="cannot reach"):
        p_median(cost, weights, 2, solver=ENUMERATE)


def test_auto_enumerates_small_instances_only():
    cost, weights, _ = _instance(0, n=40, m=12)
    coverage = CoverageMatrix.from_cost_matrix(cost, 300)
    assert mclp(coverage, weights, 4).method == "enumeration"
    assert p_median(cost, weights, 3).method == "enumeration"
    heuristic = SolverOptions(method="heuristic", time_limit=0.2)
    assert mclp(coverage, weights, 4, solver=heuristic).method == "heuristic"
    assert mclp(coverage, weights, 4, solver=EXACT).method != "enumeration"
    rng = np.random.default_rng(1)
    big = rng.uniform(0, 5000, (300, 120))
    quick = SolverOptions(time_limit=0.3)
    result = mclp(CoverageMatrix.from_cost_matrix(big, 600), np.ones(300), 10, solver=quick)
    assert result.method != "enumeration"  # C(120, 10) subsets: far beyond the threshold
    with pytest.raises(ValueError, match="cap"):
        mclp(CoverageMatrix.from_cost_matrix(big, 600), np.ones(300), 10, solver=ENUMERATE)


def test_an_enumeration_stopped_by_the_deadline_is_honest(monkeypatch):
    rng = np.random.default_rng(5)
    cost = rng.uniform(0, 3000, (200, 40))
    weights = rng.integers(1, 50, 200).astype(float)
    coverage = CoverageMatrix.from_cost_matrix(cost, 700)
    monkeypatch.setattr(siting.enum, "_BLOCK_ROWS", 64)  # many blocks, so the clock is read
    ticks = iter(range(10**9))  # a clock that advances 1 ms at every reading
    monkeypatch.setattr(
        siting, "time", types.SimpleNamespace(perf_counter=lambda: next(ticks) / 1e3)
    )
    outcomes = []
    for name in ("best_cover", "best_median"):
        original = getattr(siting.enum, name)

        def spy(*args, original=original):
            outcomes.append(original(*args))
            return outcomes[-1]

        monkeypatch.setattr(siting.enum, name, spy)
    for result in (
        mclp(coverage, weights, 4, solver=SolverOptions(method="enumeration", time_limit=0.2)),
        p_median(cost, weights, 3, solver=SolverOptions(method="enumeration", time_limit=0.01)),
    ):
        assert result.optimal == (result.gap == 0)
        if result.model == "mclp":
            assert result.bound >= result.objective > 0
        else:
            assert 0 < result.bound <= result.objective
        assert not result.optimal or result.bound == result.objective
    assert [outcome.complete for outcome in outcomes] == [False, False]


def test_san_francisco_is_enumerated_and_matches_highs(sf):
    cost, weights = sf
    for radius, p in [(2000, 5), (5000, 8)]:
        coverage = CoverageMatrix.from_cost_matrix(cost, radius)
        auto = mclp(coverage, weights, p)
        assert auto.method == "enumeration" and auto.optimal
        assert auto.objective == mclp(coverage, weights, p, solver=EXACT).objective
    auto = p_median(cost, weights, 5)
    assert auto.method == "enumeration" and auto.optimal
    assert auto.objective == pytest.approx(p_median(cost, weights, 5, solver=EXACT).objective)


@pytest.fixture(scope="module")
def sf():
    table = pd.read_csv(
        Path(__file__).parents[1]
        / "fixtures"
        / "spopt-sf"
        / "SF_network_distance_candidateStore_16_censusTract_205_new.csv",
        dtype={"DestinationName": str, "name": str},
    )
    pivot = table.pivot_table(values="distance", index="DestinationName", columns="name")
    weights = table.groupby("DestinationName")["demand"].first().loc[pivot.index]
    return pivot.to_numpy(), weights.to_numpy(dtype=float)
