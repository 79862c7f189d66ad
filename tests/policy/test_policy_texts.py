"""The engine as the two texts write it (issue 12 item 8): names as the texts spell them,
sane bounds, the 导则's numbers only warning, open lists counting consistently."""

from __future__ import annotations

import re

import pytest

from linli.policy import ApplicationInputError, parse_application


def scenarios_of(data):
    return [f.scenario for f in parse_application(data).functions]


# --- names as the texts write them -----------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("养老服务", "elderly_care"),
        ("婴幼儿托育", "infant_care"),
        ("儿童托管", "child_afterschool"),
        ("社区助餐", "community_meals"),
        ("家政便民", "home_services"),
        ("健康服务", "health"),
        ("体育健身", "fitness"),
        ("文化休闲", "culture_leisure"),
        ("儿童游憩", "child_play"),
        ("ELDERLY_CARE", "elderly_care"),
        ("Elderly-Care", "elderly_care"),
        ("elderly care", "elderly_care"),
        ("ｅｌｄｅｒｌｙ＿ｃａｒｅ", "elderly_care"),  # full width
        ("养老\u200b服务", "elderly_care"),  # zero-width space
        ("\ufeff养老服务\u3000", "elderly_care"),  # BOM and an ideographic space
        ("养 老 服 务", "elderly_care"),
    ],
)
def test_a_scenario_is_read_by_code_or_by_the_texts_name(make, written, code):
    data = make()
    data["functions"][0]["scenario"] = written

    assert scenarios_of(data)[0] == code


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("基本公共服务类", "basic_public"),
        ("普惠非基本公共服务类", "inclusive"),
        ("便民商业类", "commercial"),
        ("基本公共服务", "basic_public"),
        ("ＣＯＭＭＥＲＣＩＡＬ", "commercial"),
        ("Basic_Public", "basic_public"),
    ],
)
def test_a_category_is_read_by_code_or_by_the_texts_name(make, written, code):
    data = make()
    data["functions"][0]["category"] = written

    assert parse_application(data).functions[0].category == code


def test_kind_and_construction_by_their_chinese_names(make):
    data = make(kind="插花式", construction="改扩建")

    application = parse_application(data)
    assert (application.kind, application.construction) == ("scattered", "expansion")


def test_an_application_in_the_texts_words_is_eligible_and_funded(make, run):
    # 养老服务 once earned "outside the 9 scenarios" and 0 元.
    data = make(
        functions=[
            {"scenario": "养老服务", "category": "基本公共服务类", "floor_area_m2": 400},
            {"scenario": "婴幼儿托育", "category": "普惠非基本公共服务类", "floor_area_m2": 300},
            {"scenario": "社区助餐", "category": "便民商业类", "floor_area_m2": 200},
        ]
    )
    coded = make()

    assert run(data).eligible
    assert run(data).subsidy == run(coded).subsidy
    assert run(data).subsidy.total_cny > 0


def test_a_name_outside_the_nine_stays_unknown(make, run, pick):
    data = make()
    data["functions"][2] = {"scenario": "就业服务", "category": "commercial", "floor_area_m2": 200}

    evaluation = run(data)
    assert not pick(evaluation, "functions.scenario_known").passed
    assert "就业服务" in pick(evaluation, "functions.scenario_known").message_zh
    assert not evaluation.eligible


def test_an_unknown_category_name_is_an_input_error(make):
    data = make()
    data["functions"][0]["category"] = "公益类"

    with pytest.raises(ApplicationInputError, match=r"^functions\[0\]\.category: must be one of"):
        parse_application(data)


# --- sane bounds ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("total_investment_cny", 1e30),
        ("total_investment_cny", 10**13),
        ("gross_floor_area_m2", 1e9),
        ("functions.0.floor_area_m2", 1e30),
        ("functions.1.investment_cny", 1e30),
        ("community.service_area_m2", 1e20),
        ("community.households", 10**12),
        ("functions.0.capacity.beds", 10**10),
        ("inclusive_subsidy_rate", 5),
    ],
)
def test_numbers_above_a_sane_bound_are_input_errors_naming_the_field(make, field, value):
    data = make(community={"households": 1000, "population": 3000, "service_area_m2": 100})
    data["functions"][0]["capacity"] = {}
    target, *path = field.split(".")
    if not path:
        data[target] = value
    else:
        node = data[target]
        for key in path[:-1]:
            node = node[int(key)] if key.isdigit() else node[key]
        node[path[-1]] = value
    expected = field.replace("functions.0", "functions[0]").replace("functions.1", "functions[1]")

    with pytest.raises(ApplicationInputError, match="^" + re.escape(f"{expected}: ")):
        parse_application(data)


def test_the_bound_message_says_what_to_check(make):
    with pytest.raises(ApplicationInputError, match="above the largest accepted value"):
        parse_application(make(total_investment_cny=1e30))


def test_tiny_fractions_are_refused_not_crashed_on(make):
    with pytest.raises(ApplicationInputError, match="at most 8 decimal places"):
        parse_application(make(gross_floor_area_m2=1e-30))


def test_a_real_project_at_the_largest_figures_still_evaluates(make, run):
    data = make(total_investment_cny=10**12, gross_floor_area_m2=10**8)

    assert run(data).subsidy.capped


# --- numbers from outside the two texts warn -------------------------------------------------


def test_national_complex_of_two_functions_and_400_m2_only_warns(make, run, pick):
    data = make("elderly_care", "infant_care", gross_floor_area_m2=400)

    evaluation = run(data, "national-2023")
    for rule in ("functions.min_scenarios", "facility.complex_min_floor_area"):
        assert not pick(evaluation, rule).passed
        assert pick(evaluation, rule).severity == "warning"
    assert evaluation.eligible


def test_beijing_keeps_its_own_three_functions_binding_but_not_600_m2(make, run, pick):
    data = make("elderly_care", "infant_care", gross_floor_area_m2=400)

    evaluation = run(data)
    assert pick(evaluation, "functions.min_scenarios").severity == "error"
    assert pick(evaluation, "facility.complex_min_floor_area").severity == "warning"
    assert not evaluation.eligible  # for the 3 functions of its own text (四.1), not the 600 m²
    assert run(make("elderly_care", "infant_care", "fitness", gross_floor_area_m2=400)).eligible


# --- open lists count consistently -----------------------------------------------------------


def test_an_unlisted_service_counts_where_the_list_is_open(make, fn, run, pick):
    # 121号 lists the services with 等: an unlisted one only warns, so it is a function too.
    data = make(
        functions=[
            fn("elderly_care", floor_area_m2=300),
            fn("fitness", floor_area_m2=300),
            {"scenario": "社区洗衣", "category": "commercial", "floor_area_m2": 300},
        ]
    )

    evaluation = run(data, "national-2023")
    known = pick(evaluation, "functions.scenario_known")
    assert (known.passed, known.severity) == (False, "warning")
    count = pick(evaluation, "functions.min_scenarios")
    assert count.passed
    assert "申报3项" in count.message_zh and "社区洗衣" in count.message_zh
    assert evaluation.eligible


def test_the_same_unlisted_service_twice_counts_once(make, fn, run, pick):
    data = make(
        functions=[
            fn("elderly_care", floor_area_m2=300),
            {"scenario": "社区洗衣", "category": "commercial", "floor_area_m2": 300},
            {"scenario": "社区\u200b洗衣 ", "category": "commercial", "floor_area_m2": 300},
        ]
    )

    assert not pick(run(data, "national-2023"), "functions.min_scenarios").passed


def test_an_unlisted_service_does_not_count_where_the_list_is_closed(make, fn, run, pick):
    # Beijing: "应符合……等9类服务场景" — nine, counted: a closed list.
    data = make(
        functions=[
            fn("elderly_care", floor_area_m2=300),
            fn("fitness", floor_area_m2=300),
            {"scenario": "社区洗衣", "category": "commercial", "floor_area_m2": 300},
        ]
    )

    evaluation = run(data)
    assert pick(evaluation, "functions.scenario_known").severity == "error"
    assert not pick(evaluation, "functions.min_scenarios").passed
    assert "申报2项" in pick(evaluation, "functions.min_scenarios").message_zh


def test_the_priority_list_is_closed_everywhere(make, fn, run, pick):
    # "养老服务、婴幼儿托育、儿童托管、社区助餐服务应不少于2项": four named, no 等.
    data = make(
        functions=[
            fn("elderly_care", floor_area_m2=300),
            {"scenario": "社区洗衣", "category": "commercial", "floor_area_m2": 300},
            fn("fitness", floor_area_m2=300),
        ]
    )

    result = pick(run(data, "national-2023"), "functions.min_priority_scenarios")
    assert not result.passed
    assert "申报1项" in result.message_zh


def test_the_national_texts_own_name_yang_lao_tuo_yu_is_listed(make, fn, run, pick):
    # 121号: "提供养老托育、社区助餐、家政便民……等一种或多种服务" — 养老托育 is in the list.
    data = make(
        functions=[
            {"scenario": "养老托育", "category": "inclusive", "floor_area_m2": 300},
            fn("community_meals", floor_area_m2=300),
            fn("fitness", floor_area_m2=300),
        ]
    )

    evaluation = run(data, "national-2023")
    assert pick(evaluation, "functions.scenario_known").passed
    assert pick(evaluation, "functions.min_scenarios").passed
    assert evaluation.eligible


def test_yang_lao_tuo_yu_is_not_one_of_beijings_nine(make, fn, run, pick):
    data = make(
        functions=[
            {"scenario": "养老托育", "category": "inclusive", "floor_area_m2": 300},
            fn("community_meals", floor_area_m2=300),
            fn("fitness", floor_area_m2=300),
        ]
    )

    evaluation = run(data)
    assert not pick(evaluation, "functions.scenario_known").passed
    assert not evaluation.eligible


@pytest.mark.parametrize(
    ("field", "written", "code"),
    [
        ("scenario", "婴幼儿托育服务", "infant_care"),  # "养老服务或婴幼儿托育服务功能"
        ("scenario", "社区助餐服务", "community_meals"),  # "儿童托管、社区助餐服务应不少于2项"
        ("scenario", "养老服务功能", "elderly_care"),
        ("category", "基本公共服务类功能", "basic_public"),  # "对项目中基本公共服务类功能给予30%"
        ("category", "普惠非基本公共服务类功能", "inclusive"),
        ("kind", "“插花”式", "scattered"),  # 121号 二(二)
        ("kind", "社区嵌入式服务综合体", "complex"),
        ("construction", "存量设施改造类", "stock_conversion"),  # 政策解读 三(二)
    ],
)
def test_names_as_the_texts_phrase_them(make, field, written, code):
    data = make()
    if field in ("scenario", "category"):
        data["functions"][0][field] = written
        value = getattr(parse_application(data).functions[0], field)
    else:
        data[field] = written
        value = getattr(parse_application(data), field)

    assert value == code
