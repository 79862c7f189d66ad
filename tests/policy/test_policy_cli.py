"""``linli check`` and ``linli policy`` through the real CLI entry point (DESIGN §6)."""

from __future__ import annotations

import json

import pytest

from linli.cli import main


@pytest.fixture
def write(tmp_path):
    def write(data, name="application.json"):
        path = tmp_path / name
        path.write_text(data if isinstance(data, str) else json.dumps(data), "utf-8")
        return path

    return write


def check_json(capsys, *argv):
    code = main(["check", *map(str, argv)])
    return code, json.loads(capsys.readouterr().out)


def test_check_prints_exactly_the_design_json(make, write, capsys):
    code, answer = check_json(capsys, write(make(total_investment_cny=9_000_000)))

    assert code == 0
    assert set(answer) == {"policy", "eligible", "findings", "subsidy"}
    assert answer["policy"] == "beijing-2024"
    assert answer["eligible"] is True
    assert {tuple(sorted(f)) for f in answer["findings"]} == {
        ("message_en", "message_zh", "passed", "rule", "severity", "source")
    }
    assert answer["subsidy"] == {
        "basic_public_cny": "1200000.00",
        "inclusive_cny": "900000.00",
        "commercial_cny": "0.00",
        "total_cny": "2100000.00",
        "cap_cny": "50000000.00",
        "capped": False,
        "allocation": "pro_rata_floor_area",
    }


def test_ineligible_application_still_exits_0(make, write, capsys):
    code, answer = check_json(capsys, write(make("elderly_care", "infant_care")))

    assert code == 0
    assert answer["eligible"] is False
    failed = [f for f in answer["findings"] if not f["passed"]]
    blocking = [f["rule"] for f in failed if f["severity"] in ("error", "override")]
    assert blocking == ["functions.min_scenarios"]
    assert all(f["source"] for f in failed)


def test_unknown_scenario_is_a_failed_finding_not_an_input_error(make, fn, write, capsys):
    data = make()
    data["functions"].append(fn("karaoke", "commercial", floor_area_m2=10))

    code, answer = check_json(capsys, write(data))

    assert code == 0
    (known,) = [f for f in answer["findings"] if f["rule"] == "functions.scenario_known"]
    assert known["passed"] is False and "karaoke" in known["message_zh"]


def test_policy_option_selects_the_pack(make, fn, write, capsys):
    data = make("elderly_care", "infant_care")
    data["functions"].append(fn("community_meals", "inclusive", floor_area_m2=100))
    path = write(data)

    assert check_json(capsys, path)[1]["eligible"] is False
    _, draft = check_json(capsys, path, "--policy", "beijing-2024-draft")
    assert (draft["policy"], draft["eligible"]) == ("beijing-2024-draft", True)


def test_policy_option_accepts_a_pack_file(make, write, tmp_path, capsys):
    pack = tmp_path / "try-city.toml"
    pack.write_text(
        'id = "try-city"\nextends = "beijing-2024"\ntitle_zh = "试"\ntitle_en = "Try"\n'
        'jurisdiction = "CN-XX"\nstatus = "draft"\n[subsidy]\ncap_cny = 1000\n'
        'source = "试行办法 第五条"\nconfidence = "FOUND-OFFICIAL"\n',
        "utf-8",
    )

    _, answer = check_json(capsys, write(make()), "--policy", pack)

    assert answer["subsidy"]["total_cny"] == "1000.00"
    assert answer["subsidy"]["capped"] is True


def test_text_format_is_a_bilingual_report(make, write, capsys):
    code = main(["check", str(write(make())), "--format", "text"])

    out = capsys.readouterr().out
    assert code == 0
    assert "结论 Result: 符合申报条件 ELIGIBLE" in out
    assert "功能数量应不少于3项" in out and "At least 3 distinct service scenarios" in out
    assert (
        "依据 Source: 《北京市社区嵌入式服务设施项目建设运营管理办法（试行）》政策解读 四.1" in out
    )
    assert "合计 total:" in out and "1,333,333.33" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"name": "x",', "malformed JSON at line 1"),
        ('{"gross_floor_area_m2": NaN}', "NaN is not a number JSON allows"),
        ("[]", "application: must be an object"),
    ],
)
def test_unreadable_input_exits_2_naming_the_file(write, capsys, content, message):
    path = write(content)

    code = main(["check", str(path)])

    err = capsys.readouterr().err
    assert code == 2
    assert str(path) in err and message in err


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"gross_floor_area_m2": -1}, "gross_floor_area_m2: must be a non-negative number"),
        ({"total_investment_cny": None}, "total_investment_cny: is required"),
        (
            {"inclusive_subsidy_rate": 0.35},
            "inclusive_subsidy_rate: 0.35 is above the maximum 0.30",
        ),
    ],
)
def test_invalid_input_exits_2_naming_the_field(make, write, capsys, change, field):
    code = main(["check", str(write(make(**change)))])

    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert field in captured.err


def test_negative_function_area_names_its_index(make, write, capsys):
    data = make()
    data["functions"][2]["floor_area_m2"] = -3

    assert main(["check", str(write(data))]) == 2
    assert "functions[2].floor_area_m2: must be a non-negative number" in capsys.readouterr().err


def test_missing_file_and_unknown_policy_exit_2(make, write, tmp_path, capsys):
    assert main(["check", str(tmp_path / "absent.json")]) == 2
    assert "absent.json: cannot read" in capsys.readouterr().err
    assert main(["check", str(write(make())), "--policy", "atlantis"]) == 2
    assert "unknown policy 'atlantis'" in capsys.readouterr().err


def test_policy_list_names_every_pack(capsys):
    assert main(["policy", "list"]) == 0

    out = capsys.readouterr().out
    for pack_id in ("national-2023", "beijing-2024", "beijing-2024-draft", "shanghai"):
        assert f"{pack_id}  [" in out


def test_policy_show_prints_rules_with_citations(capsys):
    assert main(["policy", "show", "beijing-2024"]) == 0

    out = capsys.readouterr().out
    assert "functions.elderly_or_infant  [原则上 override] [SEED" in out
    assert "原文 quote: 原则上应配置养老服务或婴幼儿托育服务功能" in out
    assert "依据 source: 国办函〔2023〕121号 三（十）" in out
    assert "上限 cap: 50,000,000.00 元 CNY" in out
    assert "资金下达" in out


def test_policy_show_unknown_pack_exits_2(capsys):
    assert main(["policy", "show", "atlantis"]) == 2
    assert "unknown policy 'atlantis'" in capsys.readouterr().err
