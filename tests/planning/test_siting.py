"""Siting models: spopt's optima on San Francisco, brute force on small instances, properties."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linli.planning.siting import (
    CoverageMatrix,
    SolverOptions,
    cost_matrix_from_table,
    lscp,
    mclp,
    p_median,
)

SF = Path(__file__).parents[1] / "fixtures" / "spopt-sf"


@pytest.fixture(scope="module")
def sf_table() -> pd.DataFrame:
    return pd.read_csv(
        SF / "SF_network_distance_candidateStore_16_censusTract_205_new.csv",
        dtype={"DestinationName": str, "name": str},
    )


@pytest.fixture(scope="module")
def sf(sf_table) -> tuple[np.ndarray, np.ndarray]:
    """205 × 16 network distances and tract weights, ordered as in spopt's tests."""
    pivot = sf_table.pivot_table(values="distance", index="DestinationName", columns="name")
    weights = sf_table.groupby("DestinationName")["demand"].first().loc[pivot.index]
    return pivot.to_numpy(), weights.to_numpy(dtype=float)


# Optima from spopt 0.7.0 with PuLP 3.3.2 and CBC, every one with PuLP status "Optimal" and
# solution status "Optimal Solution Found", on the same matrix (saved with np.savez):
#   python benchmarks/siting_spopt_runner.py sf.npz mclp P RADIUS cbc 120 [PREDEFINED]
#   python benchmarks/siting_spopt_runner.py sf.npz p_median P 0 cbc 120 [PREDEFINED]
# run in a separate venv (pip install spopt pulp highspy). Keys: (radius m, p).
SPOPT_MCLP = {
    (2000, 1): 122304.0,
    (2000, 3): 266985.0,
    (2000, 5): 389172.0,
    (2000, 8): 502345.0,
    (3000, 1): 239817.0,
    (3000, 3): 481826.0,
    (3000, 5): 620348.0,
    (3000, 8): 747498.0,
    (5000, 1): 448255.0,
    (5000, 3): 791499.0,
    (5000, 5): 927402.0,
    (5000, 8): 955113.0,
    (8000, 1): 805302.0,
    (8000, 3): 955113.0,
}
SPOPT_P_MEDIAN = {
    1: 5731159103.675336,
    2: 4009098972.134911,
    3: 3385565397.5315175,
    5: 2554123350.1875296,
    8: 2054687610.6381972,
}


@pytest.mark.parametrize(("radius", "p"), sorted(SPOPT_MCLP))
def test_mclp_equals_spopt_on_san_francisco(sf, radius, p):
    cost, weights = sf
    result = mclp(CoverageMatrix.from_cost_matrix(cost, radius), weights, p)
    assert result.optimal and result.gap == 0
    assert result.objective == SPOPT_MCLP[radius, p]
    assert len(result.selected) <= p


@pytest.mark.parametrize("p", sorted(SPOPT_P_MEDIAN))
def test_p_median_equals_spopt_on_san_francisco(sf, p):
    cost, weights = sf
    result = p_median(cost, weights, p)
    assert result.optimal
    assert result.objective == pytest.approx(SPOPT_P_MEDIAN[p], rel=1e-9)
    assert len(result.selected) == p


def test_existing_sites_match_spopt_predefined_facilities(sf):
    # spopt counts predefined facilities within p; linli's p counts new sites only.
    cost, weights = sf
    three_km = CoverageMatrix.from_cost_matrix(cost, 3000)
    result = mclp(three_km, weights, 1, existing=[0, 7])
    assert result.optimal and result.objective == 366052.0
    assert {0, 7} <= set(result.selected) and len(result.new_sites) == 1
    two_km = CoverageMatrix.from_cost_matrix(cost, 2000)
    assert mclp(two_km, weights, 4, existing=[3]).objective == 352075.0
    median = p_median(cost, weights, 2, existing=[0])
    assert median.optimal and median.objective == pytest.approx(3617273334.83968, rel=1e-9)


def test_distance_table_gives_the_same_coverage_as_the_matrix(sf_table, sf):
    cost, _ = sf
    tracts = sorted(sf_table["DestinationName"].unique())
    stores = sorted(sf_table["name"].unique())
    columns = ("DestinationName", "name", "distance")
    from_table = CoverageMatrix.from_distance_table(sf_table, tracts, stores, 3000, columns=columns)
    from_matrix = CoverageMatrix.from_cost_matrix(cost, 3000)
    assert (from_table.matrix != from_matrix.matrix).nnz == 0
    assert np.array_equal(cost_matrix_from_table(sf_table, tracts, stores, columns=columns), cost)


def test_lscp_on_san_francisco_is_proven_minimal(sf):
    cost, _ = sf
    result = lscp(CoverageMatrix.from_cost_matrix(cost, 8000))
    assert result.optimal and result.objective == 3.0
    assert ((cost[:, list(result.selected)] <= 8000).any(axis=1)).all()


# --- brute force on small random instances -------------------------------------------------


def _instance(seed: int, n: int = 25, m: int = 8):
    rng = np.random.default_rng(seed)
    demand, sites = rng.uniform(0, 1000, (n, 2)), rng.uniform(0, 1000, (m, 2))
    cost = np.linalg.norm(demand[:, None, :] - sites[None, :, :], axis=2)
    weights = rng.integers(1, 100, n).astype(float)
    prices = rng.integers(1, 10, m).astype(float)
    return cost, weights, prices


def _brute_mclp(cover, weights, p, prices, budget, existing=()):
    m = cover.shape[1]
    best = 0.0
    others = [j for j in range(m) if j not in existing]
    for k in range(min(p, len(others)) + 1):
        for subset in itertools.combinations(others, k):
            if prices[list(subset)].sum() <= budget:
                open_ = list(subset) + list(existing)
                best = max(best, weights[cover[:, open_].any(axis=1)].sum())
    return best


@pytest.mark.parametrize("seed", range(6))
def test_mclp_equals_brute_force(seed):
    cost, weights, prices = _instance(seed)
    radius = 250.0
    coverage = CoverageMatrix.from_cost_matrix(cost, radius)
    cover = cost <= radius
    for p, budget, existing in [(2, None, ()), (3, 12.0, ()), (2, None, (seed % 8,)), (8, 9.0, ())]:
        result = mclp(coverage, weights, p, costs=prices, budget=budget, existing=existing)
        expected = _brute_mclp(cover, weights, p, prices, budget or np.inf, existing)
        assert result.optimal
        assert result.objective == expected
        new = list(result.new_sites)
        assert len(new) <= p and prices[new].sum() <= (budget or np.inf)
        assert result.covered_weight == weights[cover[:, list(result.selected)].any(axis=1)].sum()


def _cheapest_best_mclp(cover, weights, p, prices, budget):
    """Brute force: the most covered weight, then the least cost among subsets reaching it."""
    best = (-1.0, 0.0)
    for k in range(min(p, cover.shape[1]) + 1):
        for subset in itertools.combinations(range(cover.shape[1]), k):
            spent = prices[list(subset)].sum()
            if spent <= budget:
                value = weights[cover[:, list(subset)].any(axis=1)].sum()
                if value > best[0] or (value == best[0] and spent < best[1]):
                    best = (value, spent)
    return best


@pytest.mark.parametrize("method", ["auto", "exact", "heuristic"])
@pytest.mark.parametrize("seed", range(4))
def test_mclp_buys_the_cheapest_best_cover_and_no_idle_site(seed, method):
    # Sites far apart cover few points, so a generous budget buys more than coverage needs:
    # the tie-break must not spend it on sites that add nobody.
    cost, weights, prices = _instance(seed, n=12, m=8)
    radius = 150.0
    cover = cost <= radius
    result = mclp(
        CoverageMatrix.from_cost_matrix(cost, radius),
        weights,
        8,
        costs=prices,
        budget=60.0,
        solver=SolverOptions(method=method, time_limit=5),
    )
    value, spent = _cheapest_best_mclp(cover, weights, 8, prices, 60.0)
    chosen = list(result.selected)
    assert result.objective == value
    for j in chosen:  # every site adds someone no other selected site reaches
        others = [k for k in chosen if k != j]
        assert (
            weights[cover[:, chosen].any(axis=1)].sum()
            > weights[cover[:, others].any(axis=1)].sum()
        )
    if method != "heuristic":  # only a solver proves the cheapest
        assert prices[chosen].sum() == spent


@pytest.mark.parametrize("seed", range(4))
def test_lscp_and_p_median_equal_brute_force(seed):
    cost, weights, prices = _instance(seed, n=20, m=7)
    radius = 450.0
    cover = cost <= radius
    coverage = CoverageMatrix.from_cost_matrix(cost, radius)
    if cover.any(axis=1).all():
        feasible = [
            s
            for k in range(1, 8)
            for s in itertools.combinations(range(7), k)
            if cover[:, list(s)].any(axis=1).all()
        ]
        result = lscp(coverage, costs=prices)
        assert result.optimal
        assert result.objective == min(prices[list(s)].sum() for s in feasible)
    for p in (1, 2, 3):
        expected = min(
            weights @ cost[:, list(s)].min(axis=1) for s in itertools.combinations(range(7), p)
        )
        result = p_median(cost, weights, p)
        assert result.optimal and result.objective == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_heuristic_bounds_are_valid_and_honest(seed):
    cost, weights, prices = _instance(seed, n=60, m=12)
    coverage = CoverageMatrix.from_cost_matrix(cost, 200.0)
    exact = mclp(coverage, weights, 3, costs=prices, budget=15.0)
    heuristic = mclp(
        coverage,
        weights,
        3,
        costs=prices,
        budget=15.0,
        solver=SolverOptions(method="heuristic", time_limit=2),
    )
    assert exact.optimal
    assert heuristic.objective <= exact.objective <= heuristic.bound + 1e-9
    assert heuristic.optimal == (heuristic.objective == exact.objective == heuristic.bound)
    if not heuristic.optimal:
        assert heuristic.gap == pytest.approx(
            (heuristic.bound - heuristic.objective) / heuristic.objective
        )


def test_time_limited_result_states_its_gap():
    rng = np.random.default_rng(7)
    demand, sites = rng.uniform(0, 8000, (3000, 2)), rng.uniform(0, 8000, (400, 2))
    cost = np.linalg.norm(demand[:, None, :] - sites[None, :, :], axis=2)
    weights = rng.integers(1, 50, 3000).astype(float)
    result = mclp(
        CoverageMatrix.from_cost_matrix(cost, 500),
        weights,
        20,
        solver=SolverOptions(time_limit=0.3, method="exact"),
    )
    assert result.bound >= result.objective > 0
    assert result.optimal == (result.gap == 0)
    assert result.gap == pytest.approx((result.bound - result.objective) / result.objective)


# --- monotonicity --------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    p=st.integers(1, 4),
    budget=st.floats(1, 30),
    extra=st.floats(0, 10),
)
def test_more_budget_or_sites_never_lowers_coverage(seed, p, budget, extra):
    cost, weights, prices = _instance(seed, n=30, m=9)
    coverage = CoverageMatrix.from_cost_matrix(cost, 300.0)
    base = mclp(coverage, weights, p, costs=prices, budget=budget)
    more_sites = mclp(coverage, weights, p + 1, costs=prices, budget=budget)
    more_money = mclp(coverage, weights, p, costs=prices, budget=budget + extra)
    assert base.optimal and more_sites.optimal and more_money.optimal
    assert more_sites.objective >= base.objective
    assert more_money.objective >= base.objective


# --- input checks --------------------------------------------------------------------------


def test_bad_inputs_are_named():
    cost = np.array([[100.0, 300.0], [50.0, np.inf]])
    coverage = CoverageMatrix.from_cost_matrix(cost, 200)
    with pytest.raises(ValueError, match="negative"):
        CoverageMatrix.from_cost_matrix(-cost, 200)
    with pytest.raises(ValueError, match="weights"):
        mclp(coverage, [1.0], 1)
    with pytest.raises(ValueError, match="p, budget"):
        mclp(coverage, [1.0, 2.0])
    with pytest.raises(ValueError, match="costs"):
        mclp(coverage, [1.0, 2.0], budget=3)
    with pytest.raises(ValueError, match="existing"):
        mclp(coverage, [1.0, 2.0], 1, existing=[5])
    with pytest.raises(ValueError, match="no candidate within the radius"):
        lscp(CoverageMatrix.from_cost_matrix(cost, 60))
    with pytest.raises(ValueError, match="method"):
        SolverOptions(method="fast")


def test_zero_distance_pairs_cover():
    table = pd.DataFrame(
        {"origin_id": ["a", "b", "b"], "facility_id": ["x", "y", "y"], "distance_m": [0.0, 90, 20]}
    )
    coverage = CoverageMatrix.from_distance_table(table, ["a", "b"], ["x", "y"], 50)
    assert coverage.matrix.toarray().tolist() == [[True, False], [False, True]]
