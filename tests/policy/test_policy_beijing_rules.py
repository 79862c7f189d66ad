"""One test per checkable sentence of the Beijing interpretation, 四.1 and 三(二) project types.

Source: shared/seeds/beijing-management-measures-2024-interpretation.txt.
"""

from __future__ import annotations

# 四.1 "申报项目在功能上应符合……9类服务场景"


def test_function_outside_the_nine_scenarios_fails_as_error(make, fn, run, pick):
    data = make("elderly_care", "infant_care", "community_meals")
    data["functions"].append(fn("laundry", "commercial", floor_area_m2=50))

    evaluation = run(data)

    result = pick(evaluation, "functions.scenario_known")
    assert (result.passed, result.severity) == (False, "error")
    assert "functions[3] 'laundry'" in result.message_en
    assert not evaluation.eligible


def test_all_nine_scenarios_are_known(make, run, pick):
    nine = (
        "elderly_care", "infant_care", "child_afterschool", "community_meals", "home_services",
        "health", "fitness", "culture_leisure", "child_play",
    )  # fmt: skip
    data = make(*nine, gross_floor_area_m2=900)

    evaluation = run(data)

    assert pick(evaluation, "functions.scenario_known").passed
    assert evaluation.eligible


def test_unknown_scenario_does_not_count_towards_the_three(make, fn, run, pick):
    data = make("elderly_care", "infant_care")
    data["functions"].append(fn("laundry", "commercial", floor_area_m2=50))

    assert not pick(run(data), "functions.min_scenarios").passed


# 四.1 "功能数量上应不少于3项"


def test_exactly_three_scenarios_pass(make, run, pick):
    evaluation = run(make("elderly_care", "infant_care", "fitness"))

    assert pick(evaluation, "functions.min_scenarios").passed
    assert evaluation.eligible


def test_two_scenarios_fail_as_error(make, run, pick):
    evaluation = run(make("elderly_care", "infant_care"))

    result = pick(evaluation, "functions.min_scenarios")
    assert (result.passed, result.severity) == (False, "error")
    assert "申报2项" in result.message_zh
    assert not evaluation.eligible


def test_a_scenario_declared_twice_counts_once(make, run, pick):
    evaluation = run(make("elderly_care", "elderly_care", "infant_care"))

    assert not pick(evaluation, "functions.min_scenarios").passed
    assert not evaluation.eligible


def test_scattered_facility_is_held_to_three_scenarios_in_beijing(make, run, pick):
    evaluation = run(make("elderly_care", "infant_care", kind="scattered"))

    assert not pick(evaluation, "functions.min_scenarios").passed


# 四.1 "养老服务、婴幼儿托育、儿童托管、社区助餐服务应不少于2项"


def test_exactly_two_priority_scenarios_pass(make, run, pick):
    evaluation = run(make("elderly_care", "community_meals", "fitness"))

    assert pick(evaluation, "functions.min_priority_scenarios").passed
    assert evaluation.eligible


def test_one_priority_scenario_fails_as_error(make, run, pick):
    evaluation = run(make("elderly_care", "fitness", "culture_leisure"))

    result = pick(evaluation, "functions.min_priority_scenarios")
    assert (result.passed, result.severity) == (False, "error")
    assert not evaluation.eligible


def test_priority_scenario_declared_twice_counts_once(make, run, pick):
    evaluation = run(make("elderly_care", "elderly_care", "fitness", "culture_leisure"))

    assert not pick(evaluation, "functions.min_priority_scenarios").passed


# 四.1 "原则上应配置养老服务或婴幼儿托育服务功能"


def test_neither_elderly_nor_infant_care_without_justification_is_ineligible(make, run, pick):
    evaluation = run(make("child_afterschool", "community_meals", "fitness"))

    result = pick(evaluation, "functions.elderly_or_infant")
    assert (result.passed, result.severity) == (False, "override")
    assert "overrides" in result.message_zh
    assert not evaluation.eligible


def test_neither_elderly_nor_infant_care_with_justification_is_eligible(make, run, pick):
    reason = "社区内已有养老驿站和托育园，本项目补齐托管与助餐"
    data = make(
        "child_afterschool",
        "community_meals",
        "fitness",
        overrides=[{"rule": "functions.elderly_or_infant", "reason": reason}],
    )

    evaluation = run(data)

    result = pick(evaluation, "functions.elderly_or_infant")
    assert not result.passed
    assert result.justification == reason
    assert reason in result.message_zh
    assert evaluation.eligible


def test_blank_justification_does_not_count(make, run):
    data = make(
        "child_afterschool",
        "community_meals",
        "fitness",
        overrides=[{"rule": "functions.elderly_or_infant", "reason": "   "}],
    )

    assert not run(data).eligible


def test_justification_for_another_rule_does_not_count(make, run):
    data = make(
        "child_afterschool",
        "community_meals",
        "fitness",
        overrides=[{"rule": "facility.complex_min_floor_area", "reason": "用地受限"}],
    )

    assert not run(data).eligible


def test_infant_care_alone_satisfies_the_principle(make, run, pick):
    evaluation = run(make("infant_care", "community_meals", "fitness"))

    assert pick(evaluation, "functions.elderly_or_infant").passed


# 四.1 the three categories; 社区助餐 is 便民商业类 in the final text


def test_community_meals_declared_inclusive_fails_under_final_measures(make, fn, run, pick):
    data = make("elderly_care", "infant_care")
    data["functions"].append(fn("community_meals", "inclusive", floor_area_m2=100))

    evaluation = run(data)

    result = pick(evaluation, "functions.category_allowed")
    assert (result.passed, result.severity) == (False, "error")
    assert "社区助餐申报为普惠非基本公共服务类" in result.message_zh
    assert not evaluation.eligible


def test_community_meals_declared_inclusive_passes_under_the_draft(make, fn, run, pick):
    data = make("elderly_care", "infant_care")
    data["functions"].append(fn("community_meals", "inclusive", floor_area_m2=100))

    evaluation = run(data, "beijing-2024-draft")

    assert pick(evaluation, "functions.category_allowed").passed
    assert evaluation.eligible


def test_after_school_care_declared_basic_public_fails(make, fn, run, pick):
    data = make("elderly_care", "infant_care")
    data["functions"].append(fn("child_afterschool", "basic_public", floor_area_m2=100))

    assert not pick(run(data), "functions.category_allowed").passed


def test_any_function_may_be_declared_commercial(make, fn, run, pick):
    data = make("community_meals", "fitness")
    data["functions"].append(fn("elderly_care", "commercial", floor_area_m2=100))

    assert pick(run(data), "functions.category_allowed").passed


# 三(二) "对于新建、改扩建、存量设施改造类……项目建设"


def test_every_listed_construction_type_qualifies(make, run, pick):
    for construction in ("new", "expansion", "stock_conversion"):
        evaluation = run(make(construction=construction))
        assert pick(evaluation, "project.construction_type").passed


# Area checks inherited from the national pack


def test_function_areas_above_gross_floor_area_fail(make, run, pick):
    evaluation = run(make(gross_floor_area_m2=800, functions=[
        {"scenario": "elderly_care", "category": "basic_public", "floor_area_m2": 400},
        {"scenario": "infant_care", "category": "inclusive", "floor_area_m2": 300},
        {"scenario": "community_meals", "category": "commercial", "floor_area_m2": 200},
    ]))  # fmt: skip

    result = pick(evaluation, "functions.floor_area_within_gross")
    assert not result.passed
    assert "900" in result.message_zh
    assert not evaluation.eligible


def test_a_small_complex_only_warns_in_beijing(make, run, pick):
    # 600 m² is the national 导则's number, in neither text; 121号 leaves the complex's area to
    # the city (二(一)) and lets pilot cities relax area requirements (三(九)). Beijing's
    # measures set none: a warning, not a bar.
    small = make(gross_floor_area_m2=599, functions=[
        {"scenario": "elderly_care", "category": "basic_public", "floor_area_m2": 200},
        {"scenario": "infant_care", "category": "inclusive", "floor_area_m2": 200},
        {"scenario": "community_meals", "category": "commercial", "floor_area_m2": 100},
    ])  # fmt: skip

    result = pick(run(small), "facility.complex_min_floor_area")
    assert (result.passed, result.severity) == (False, "warning")
    assert run(small).eligible


def test_complex_of_exactly_600_m2_passes(make, run, pick):
    evaluation = run(make("elderly_care", "infant_care", "fitness", gross_floor_area_m2=600))

    assert pick(evaluation, "facility.complex_min_floor_area").passed


def test_community_area_standard_counts_the_complex(make, run, pick):
    # (300 existing + 1000 complex) m² for 5000 households = 26 m² per 100 households
    short = run(make(community={"households": 5000, "population": 12000, "service_area_m2": 300}))
    # (500 + 1000) m² for 5000 households = 30 m² per 100 households, exactly the baseline
    enough = run(make(community={"households": 5000, "population": 12000, "service_area_m2": 500}))

    assert not pick(short, "community.service_area_baseline").passed
    assert pick(enough, "community.service_area_baseline").passed
    assert not pick(enough, "community.service_area_target").passed
    assert short.eligible  # a city-wide average: a warning, not a bar


def test_community_rules_do_not_apply_without_figures(make, run, pick):
    result = pick(run(make()), "community.service_area_baseline")

    assert result.passed
    assert "not applicable" in result.message_en


def test_every_failed_finding_carries_a_source(make, fn, run):
    data = make("fitness", "fitness", gross_floor_area_m2=10, construction="new")
    data["functions"].append(fn("laundry", "commercial", floor_area_m2=50))

    failed = [f for f in run(data).findings if not f.passed]

    assert len(failed) >= 5
    assert all(f.source.strip() and f.message_zh and f.message_en for f in failed)


# 121号 二(一) "每百户居民拥有社区综合服务设施面积平均不少于30平方米": 29.96 is less than 30.


def test_community_area_just_below_the_baseline_fails(make, run, pick):
    # (1996 existing + 1000 complex) m² for 10 000 households = 29.96 m² per 100 households
    short = run(make(community={"households": 10000, "population": 25000, "service_area_m2": 1996}))

    result = pick(short, "community.service_area_baseline")
    assert not result.passed
    assert "29.9 m² per 100 households" in result.message_en  # rounded down, never up to 30


def test_shares_are_shown_rounded_down(make, run, pick):
    # 599.6 of 1000 m² is 59.96 %: below 60 %, and shown as 59.9 %
    result = pick(run(make(resident_activity_area_m2=599.6)), "facility.resident_activity_share")
    assert not result.passed
    assert "59.9%" in result.message_en


def test_the_80_m2_target_is_a_warning_for_cities_that_can(make, run, pick):
    result = pick(
        run(make(community={"households": 100, "population": 250, "service_area_m2": 0})),
        "community.service_area_target",
    )
    assert result.severity == "warning"  # 支持有条件的城市: 有条件的 → warning


# 121号 三(十) "政府建设的社区嵌入式服务设施作为非营利性公共服务设施，允许5年内不变更原有土地用途"


def test_government_built_facilities_are_told_of_the_land_use_provision(make, run, pick):
    declared = pick(run(make(government_built=True)), "land.government_facility_use")
    silent = pick(run(make()), "land.government_facility_use")

    assert declared.passed and declared.severity == "info"
    assert "applies to this project" in declared.message_en
    assert "not applicable" in silent.message_en
    assert "121号 三（十）" in declared.source


# 121号 二(四) "优先保障设置婴幼儿托位、具有短期托养功能的护理型养老床位的必要空间"


def test_a_complex_without_infant_places_or_nursing_beds_is_warned(make, fn, run, pick):
    none_declared = run(make("elderly_care", "infant_care", "fitness"))
    with_nursing = make("elderly_care", "infant_care", "fitness")
    with_nursing["functions"][0]["capacity"] = {"beds": 20, "nursing_beds": 12}

    warned = pick(none_declared, "facility.priority_care_space")
    assert (warned.passed, warned.severity) == (False, "warning")
    assert none_declared.eligible  # a priority, not a bar
    assert pick(run(with_nursing), "facility.priority_care_space").passed
