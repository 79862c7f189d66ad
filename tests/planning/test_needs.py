"""Residents' ranked needs as planning weights: the method, and a plan whose ranking they turn."""

import numpy as np
import pandas as pd
import pytest

from linli.planning.needs import AREA, need_weights, weight_for
from linli.planning.site_plan import weighted_demand
from linli.planning.siting import Scenario, function_mix

SCENARIOS = ["elderly_care", "fitness", "health"]


def test_borda_points_become_weights_around_one():
    weights = need_weights({"a": [["health", "fitness"]] * 5}, SCENARIOS)
    # health 15 points, fitness 10, elderly care 0 of 25; k = 3, influence 0.5.
    assert weights.loc["a"].to_dict() == pytest.approx(
        {"elderly_care": 0.5, "fitness": 0.5 + 0.5 * 3 * 10 / 25, "health": 0.5 + 0.5 * 3 * 15 / 25}
    )
    assert weights.loc["a"].mean() == pytest.approx(1.0)


def test_a_community_with_few_answers_takes_the_area_weights():
    weights = need_weights(
        {"a": [["health"]] * 5, "b": [["elderly_care"]]}, SCENARIOS, min_answers=5
    )
    assert weights.loc["b"].to_dict() == weights.loc[AREA].to_dict()
    assert weights.loc["a", "health"] > weights.loc[AREA, "health"]


def test_no_influence_weighs_everything_the_same():
    weights = need_weights({"a": [["health"]] * 9}, SCENARIOS, influence=0)
    assert (weights.to_numpy() == 1).all()


def test_outside_the_survey_the_weight_is_one():
    assert list(weight_for(None, ["a"], "health")) == [1.0]
    weights = need_weights({"a": [["health"]] * 5}, SCENARIOS)
    assert list(weight_for(weights, ["a", "zz"], "child_play")) == [1.0, 1.0]
    # A community the survey did not reach takes the area's weights.
    assert weight_for(weights, ["zz"], "health")[0] == pytest.approx(weights.loc[AREA, "health"])


def test_residents_needs_turn_the_ranking_of_sites():
    """Site 0 serves community a's elders, site 1 community b's sport; one site is affordable.
    Unweighted, a's 200 elders beat b's 160 sporting residents. The survey says a hardly needs
    elderly care and b badly wants sport: site 1 comes first."""
    communities = pd.DataFrame(
        {
            "code": ["a", "b"],
            "population": [400, 400],
            "aged_60_plus": [200, 0],
            "aged_0_2": [0, 0],
            "aged_6_12": [0, 0],
        }
    )
    demand = pd.DataFrame({"community": ["a", "a", "b", "b"], "population": [200.0] * 4})
    distances = np.array([[100, 5000], [100, 5000], [5000, 100], [5000, 100]], dtype=float)
    fitness_users = np.array([0, 0, 80, 80.0])

    def plan(weights):
        scenarios = [
            Scenario(
                "elderly_care",
                weighted_demand(communities, demand, "elderly_care", weights),
                500,
                100,
            ),
            Scenario(
                "fitness",
                fitness_users * weight_for(weights, list(demand["community"]), "fitness"),
                500,
                100,
            ),
        ]
        return function_mix(distances, scenarios, np.array([300.0, 300]), np.array([1.0, 1]), 1.0)

    survey = need_weights({"a": [["health"]] * 5, "b": [["fitness", "health"]] * 5}, SCENARIOS)
    before, after = plan(None), plan(survey)
    assert [s.site for s in before.sites] == [0]
    assert [s.site for s in after.sites] == [1]
    assert after.sites[0].gain == pytest.approx(160 * survey.loc["b", "fitness"])
