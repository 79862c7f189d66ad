import numpy as np
import pandas as pd

from linli.planning.site_plan import complex_rule, scenario_demand
from linli.policy import load_pack


def test_fundable_rule_comes_from_the_pack():
    rule, priority = complex_rule(load_pack("beijing-2024"))
    assert (rule.min_scenarios, rule.min_priority_scenarios) == (3, 2)
    assert priority == {"elderly_care", "infant_care", "child_afterschool", "community_meals"}


def test_demand_follows_who_uses_the_service():
    communities = pd.DataFrame(
        {
            "code": ["a", "b"],
            "population": [1000, 0],
            "aged_60_plus": [250, 0],
            "aged_0_2": [30, 0],
            "aged_6_12": [90, 0],
        }
    )
    demand = pd.DataFrame({"community": ["a", "a", "b"], "population": [600.0, 400.0, 0.0]})
    assert np.allclose(scenario_demand(communities, demand, "elderly_care"), [150, 100, 0])
    assert np.allclose(scenario_demand(communities, demand, "infant_care"), [18, 12, 0])
    assert np.allclose(scenario_demand(communities, demand, "health"), [600, 400, 0])
