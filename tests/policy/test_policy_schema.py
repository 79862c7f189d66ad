"""Validated packs (issue 12 item 9): the pack format as a schema, no stale citations, the
content hash and snapshots, ``linli policy validate``, and the documented example city."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from linli.cli import main
from linli.policy import PolicyPackError, evaluate, load_pack, load_snapshot, parse_application
from linli.policy.schema import PackFile

DOCS = Path(__file__).resolve().parents[2] / "docs"
HEADER = """
id = "{id}"
extends = "{parent}"
title_zh = "测试市"
title_en = "Test city"
jurisdiction = "CN-XX"
status = "final"
"""


def pack_file(tmp_path, body: str, pack_id: str = "city", parent: str = "beijing-2024") -> Path:
    path = tmp_path / f"{pack_id}.toml"
    path.write_text(HEADER.format(id=pack_id, parent=parent) + body, "utf-8")
    return path


# --- refused at load, naming file, key and reason ---------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[subsidy]\ncap_cny = "5000万"', r"city.toml: subsidy\.cap_cny: must be a number"),
        ("[subsidy]\nbasic_public_rate = 30", r"subsidy\.basic_public_rate: Input should be less"),
        ("[subsidy]\ncap = 1", r"city.toml: subsidy\.cap: unknown key"),
        ('[area_standards.complex_min_gross_floor_area_m2]\nvalue = "800"', r"\.value: must be a"),
        ('[rules."functions.min_scenarios"]\nparams = { minimum = 3.5 }', "must be a whole number"),
        ('[rules."functions.min_scenarios"]\nparams = { minimum = -1 }', "greater than or equal"),
        (
            '[rules."functions.min_scenarios"]\nparams = { minmum = 4 }',
            r"params\.minmum: unknown key",
        ),
        ('[rules."functions.min_scenarios"]\nkinds = ["tower"]', r"kinds\[0\]: 'tower' is not one"),
        ('effective_from = "2026-01-01"', r"effective_from: Input should be a valid date"),
        ("[release]\nmilestones = []", r"release\.milestones: List should have at least 1 item"),
        (
            '[release]\nsource = "s"\nconfidence = "SEED"\nmilestones = ['
            '{ code = "a", name_zh = "甲", name_en = "A", cumulative_share = 0.6 },'
            '{ code = "b", name_zh = "乙", name_en = "B", cumulative_share = 0.3 }]',
            "cumulative_share must not decrease",
        ),
        (
            '[release]\nsource = "s"\nconfidence = "SEED"\nmilestones = ['
            '{ code = "a", name_zh = "甲", name_en = "A", cumulative_share = 0.6 }]',
            r"the last milestone must release the whole subsidy",
        ),
        (
            '[release]\nsource = "s"\nconfidence = "SEED"\nmilestones = ['
            '{ code = "a", name_zh = "甲", name_en = "A", cumulative_share = 1.5 }]',
            r"milestones\[0\]\.cumulative_share: Input should be less than or equal to 1",
        ),
        ('[review]\nsource = "s"\nconfidence = "SEED"\nexception_reason_min_chars = "15"', "whole"),
        (
            "[funding_channels.bank]\nname_zh = 3",
            r"funding_channels\.bank\.name_zh: Input should be",
        ),
    ],
)
def test_a_pack_with_a_typo_or_a_wrong_value_does_not_load(tmp_path, body, message):
    with pytest.raises(PolicyPackError, match=message):
        load_pack(pack_file(tmp_path, body))


def test_a_typo_in_a_parent_is_reported_against_the_parent_file(tmp_path, monkeypatch):
    pack_file(tmp_path, '[review]\nsorce = "x"\n', pack_id="parent-city")
    child = pack_file(tmp_path, "", pack_id="child-city", parent="parent-city")
    monkeypatch.setenv("LINLI_POLICY_PATH", str(tmp_path))

    with pytest.raises(PolicyPackError, match=r"^parent-city.toml: review\.sorce: unknown key"):
        load_pack(child)


def test_every_problem_of_a_file_is_reported_at_once(tmp_path):
    body = "colour = 1\n[subsidy]\ncap_cny = -1\n"
    with pytest.raises(PolicyPackError) as raised:
        load_pack(pack_file(tmp_path, body))

    lines = str(raised.value).splitlines()
    assert any("colour: unknown key" in line for line in lines)
    assert any("subsidy.cap_cny" in line for line in lines)


def test_the_json_schema_forbids_unknown_keys():
    schema = PackFile.model_json_schema()

    assert schema["additionalProperties"] is False
    assert {"release", "review", "funding_channels", "subsidy", "rules"} <= set(
        schema["properties"]
    )


# --- no stale citation -----------------------------------------------------------------------


def test_a_changed_rule_must_cite_its_own_source(tmp_path):
    body = '[rules."functions.min_scenarios"]\nparams = { minimum = 4 }\n'

    with pytest.raises(PolicyPackError, match="changes params of beijing-2024's rule but not its"):
        load_pack(pack_file(tmp_path, body))


def test_a_changed_severity_must_cite_its_own_source(tmp_path):
    body = '[rules."facility.complex_min_floor_area"]\nseverity = "error"\n'

    with pytest.raises(PolicyPackError, match="changes severity"):
        load_pack(pack_file(tmp_path, body))


def test_a_changed_standard_must_cite_its_own_source(tmp_path):
    body = "[area_standards.complex_min_gross_floor_area_m2]\nvalue = 500\n"

    with pytest.raises(PolicyPackError, match="changes the value of beijing-2024's standard"):
        load_pack(pack_file(tmp_path, body))


def test_a_new_source_needs_its_own_confidence(tmp_path):
    body = '[rules."functions.scenario_known"]\nsource = "测试市办法 第一条"\n'

    with pytest.raises(PolicyPackError, match="a new source needs its own confidence"):
        load_pack(pack_file(tmp_path, body))


def test_a_rule_that_changes_its_citation_cites_the_new_source_only(tmp_path):
    body = (
        '[rules."functions.min_scenarios"]\nparams = { minimum = 4 }\n'
        'source = "测试市办法 第八条"\nconfidence = "FOUND-OFFICIAL"\n'
    )
    rule = load_pack(pack_file(tmp_path, body)).rule("functions.min_scenarios")
    beijing = load_pack("beijing-2024").rule("functions.min_scenarios")

    assert rule.source == "测试市办法 第八条"
    assert rule.confidence == "FOUND-OFFICIAL"
    assert beijing.quote == "功能数量上应不少于3项"
    assert rule.quote is None  # Beijing's words are not the city's clause


def test_a_city_makes_the_guideline_area_binding_with_its_own_clause(tmp_path, make, fn):
    body = (
        '[rules."facility.complex_min_floor_area"]\nseverity = "error"\n'
        'source = "测试市办法 第九条"\nconfidence = "FOUND-OFFICIAL"\n'
    )
    pack = load_pack(pack_file(tmp_path, body))
    small = parse_application(
        make("elderly_care", "infant_care", "community_meals", gross_floor_area_m2=599)
    )

    (finding,) = [
        f for f in evaluate(small, pack).findings if f.rule == "facility.complex_min_floor_area"
    ]
    assert (finding.passed, finding.severity, finding.source) == (
        False,
        "error",
        "测试市办法 第九条",
    )
    assert not evaluate(small, pack).eligible
    assert evaluate(small, load_pack("beijing-2024")).eligible


# --- versions and snapshots ------------------------------------------------------------------


def test_the_version_is_a_content_hash_of_the_pack_and_its_parents(tmp_path):
    body = '[subsidy]\ncap_cny = 1000\nsource = "测试市办法"\nconfidence = "SEED"\n'
    path = pack_file(tmp_path, body)
    first = load_pack(path)

    assert load_pack(path).version == first.version
    assert [name for name, _ in first.files] == [
        "city.toml",
        "beijing-2024.toml",
        "national-2023.toml",
    ]
    path.write_text(path.read_text("utf-8").replace("1000", "2000"), "utf-8")
    assert load_pack(path).version != first.version


def test_a_snapshot_loads_the_same_pack_back(tmp_path):
    pack = load_pack("beijing-2024")
    snapshot = json.loads(json.dumps(pack.snapshot(), ensure_ascii=False))

    again = load_snapshot(snapshot)
    assert again == pack
    assert again.version == pack.version


def test_a_tampered_snapshot_is_refused():
    snapshot = load_pack("beijing-2024").snapshot()
    name, text = snapshot["files"][0]
    snapshot["files"][0] = [name, text.replace("cap_cny = 50000000", "cap_cny = 90000000")]

    with pytest.raises(PolicyPackError, match="does not match its version"):
        load_snapshot(snapshot)


def test_a_malformed_snapshot_is_a_pack_error():
    with pytest.raises(PolicyPackError, match="malformed"):
        load_snapshot({"files": "nope"})


# --- linli policy validate -------------------------------------------------------------------


def test_validate_exits_0_with_the_version(capsys):
    assert main(["policy", "validate", "beijing-2024"]) == 0
    assert load_pack("beijing-2024").version in capsys.readouterr().out


def test_validate_exits_2_naming_file_key_and_reason(tmp_path, capsys):
    path = pack_file(tmp_path, '[rules."functions.min_scenarios"]\nparams = { minimun = 4 }\n')

    assert main(["policy", "validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert 'city.toml: rules."functions.min_scenarios".params.minimun: unknown key' in err


@pytest.mark.parametrize(
    "pack_id", ["national-2023", "beijing-2024", "beijing-2024-draft", "shanghai"]
)
def test_every_shipped_pack_validates(pack_id):
    assert main(["policy", "validate", pack_id]) == 0


def test_schema_prints_json_schema(capsys):
    assert main(["policy", "schema"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "PackFile"


# --- the documented example city -------------------------------------------------------------


def documented_example() -> str:
    text = (DOCS / "policy-packs.md").read_text("utf-8")
    return (
        text.split("<!-- example-city-pack -->", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]
    )


def test_the_documented_example_is_the_example_file():
    assert documented_example() == (DOCS / "examples" / "anhe-2026.toml").read_text("utf-8")


def test_the_example_city_loads_and_differs_from_beijing(tmp_path, make):
    path = tmp_path / "anhe-2026.toml"
    path.write_text(documented_example(), "utf-8")
    anhe, beijing = load_pack(path), load_pack("beijing-2024")

    # percentages and cap
    assert (anhe.subsidy.basic_public_rate, anhe.subsidy.inclusive_rate_max) == (
        Decimal("0.35"),
        Decimal("0.25"),
    )
    assert anhe.subsidy.cap_cny == 30_000_000
    assert anhe.subsidy != beijing.subsidy
    assert anhe.subsidy.source == "安禾市管理办法（示例） 第十二条"
    # milestones and thresholds
    milestones = [(m.code, m.cumulative_share) for m in anhe.release.milestones]
    assert milestones == [
        ("start", Decimal("0.20")),
        ("topped_out", Decimal("0.50")),
        ("acceptance", Decimal("0.80")),
        ("first_year", Decimal("1")),
    ]
    assert anhe.release.ceiling("topped_out") == Decimal("0.50")
    assert anhe.review.exception_reason_min_chars == 30
    assert anhe.review.approved_investment_deviation_max == Decimal("0.10")
    if beijing.release is not None:
        assert beijing.release.milestones != anhe.release.milestones
    if beijing.review is not None:
        assert beijing.review.exception_reason_min_chars != 30
        assert beijing.review.approved_investment_deviation_max != Decimal("0.10")
    assert "welfare_lottery" in anhe.funding_channels
    # the city's binding numbers, on its own clauses
    assert anhe.rule("functions.min_scenarios").params["minimum"] == 4
    assert anhe.rule("functions.min_scenarios").source == "安禾市管理办法（示例） 第八条"
    assert anhe.rule("facility.complex_min_floor_area").severity == "error"
    assert anhe.area_standards["complex_min_gross_floor_area_m2"].value == 800

    application = parse_application(
        make("elderly_care", "infant_care", "fitness", "child_play", gross_floor_area_m2=700)
    )
    assert evaluate(application, beijing).eligible
    assert not evaluate(application, anhe).eligible  # 700 m² < 800 m², binding in 安禾
    bigger = parse_application(
        make("elderly_care", "infant_care", "fitness", "child_play", gross_floor_area_m2=800)
    )
    evaluation = evaluate(bigger, anhe)
    assert evaluation.eligible
    # 35 % of the basic functions' share (elderly, fitness, play: 3 × 2.5 M) + 20 % of infant care
    assert evaluation.subsidy.total_cny == Decimal("3125000.00")


# --- a broken city pack on the search path ---------------------------------------------------


def test_a_broken_pack_is_left_out_of_the_choices_and_reported(tmp_path, monkeypatch):
    from linli.policy.pack import invalid_packs, list_packs

    pack_file(tmp_path, "typo = 1\n", pack_id="broken-city")
    monkeypatch.setenv("LINLI_POLICY_PATH", str(tmp_path))

    with pytest.raises(PolicyPackError, match="broken-city.toml: typo: unknown key"):
        list_packs()
    ids = [pack.id for pack in list_packs(skip_invalid=True)]
    assert "broken-city" not in ids and "beijing-2024" in ids
    assert list(invalid_packs()) == ["broken-city"]


def test_the_deployment_check_names_a_broken_pack(tmp_path, monkeypatch):
    from linli.web.checks import check_policy_packs

    assert check_policy_packs(None) == []
    pack_file(tmp_path, "typo = 1\n", pack_id="broken-city")
    monkeypatch.setenv("LINLI_POLICY_PATH", str(tmp_path))

    [error] = check_policy_packs(None)
    assert error.id == "linli.E103"
    assert "broken-city.toml: typo: unknown key" in error.msg
