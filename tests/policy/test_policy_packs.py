"""The shipped packs, the pack format and inheritance."""

from __future__ import annotations

from decimal import Decimal

import pytest

from linli.policy import PolicyPackError, list_packs, load_pack
from linli.policy.pack import PACKS_DIR

SHIPPED = sorted(path.stem for path in PACKS_DIR.glob("*.toml"))

MINIMAL_CITY = """
id = "{id}"
extends = "beijing-2024"
title_zh = "测试市"
title_en = "Test city"
jurisdiction = "CN-XX"
status = "final"

[rules."functions.min_scenarios"]
params = {{ minimum = 4 }}
source = "测试市管理办法 第三条"
confidence = "FOUND-OFFICIAL"
title_zh = "功能数量应不少于{{minimum}}项"
title_en = "At least {{minimum}} distinct service scenarios"
"""


def test_the_four_packs_ship():
    assert SHIPPED == ["beijing-2024", "beijing-2024-draft", "national-2023", "shanghai"]


@pytest.mark.parametrize("pack_id", SHIPPED)
def test_every_shipped_pack_loads_with_cited_rules(pack_id):
    pack = load_pack(pack_id)

    assert pack.id == pack_id
    assert pack.rules and pack.sources
    assert all(rule.source.strip() and rule.title_zh and rule.title_en for rule in pack.rules)


@pytest.mark.parametrize("pack_id", SHIPPED)
def test_no_recalled_number_is_an_error(pack_id):
    pack = load_pack(pack_id)

    assert [r.id for r in pack.rules if r.confidence == "RECALLED" and r.severity == "error"] == []


def test_list_packs_returns_every_shipped_pack():
    # A running platform also finds the packs of its data directory (the demo city's, say).
    shipped = [pack.id for pack in list_packs() if pack.id in SHIPPED]
    assert shipped == SHIPPED


def test_beijing_extends_national_and_overrides_by_rule_id():
    national, beijing = load_pack("national-2023"), load_pack("beijing-2024")

    assert beijing.extends == "national-2023"
    assert national.rule("functions.min_scenarios").kinds == ("complex",)
    assert national.rule("functions.min_scenarios").severity == "warning"  # the 导则's number
    assert beijing.rule("functions.min_scenarios").kinds == ("complex", "scattered")
    assert beijing.rule("functions.min_scenarios").severity == "error"
    assert beijing.rule("functions.min_scenarios").params["minimum"] == 3  # inherited param
    assert beijing.rule("facility.complex_min_floor_area").source.startswith("《城市社区嵌入式")
    assert beijing.effective_from is None  # metadata is not inherited


def test_draft_and_final_differ_on_community_meals_and_rate():
    final, draft = load_pack("beijing-2024"), load_pack("beijing-2024-draft")

    assert final.scenarios["community_meals"] == ("commercial",)
    assert "inclusive" in draft.scenarios["community_meals"]
    rates = (final.subsidy.inclusive_rate_min, draft.subsidy.inclusive_rate_min)
    assert rates == (Decimal("0"), Decimal("0.30"))
    assert final.subsidy.cap_cny == draft.subsidy.cap_cny == 50_000_000


def test_planning_figures_are_plain_data():
    pack = load_pack("beijing-2024")

    distances = [pack.life_circles[f"walk_{m}min_m"].value for m in (5, 10, 15)]
    assert distances == [300, 500, 1000]
    assert pack.area_standards["community_service_m2_per_100_households"].value == 30
    assert pack.area_standards["community_service_m2_per_100_households_target"].value == 80
    assert pack.capacity_ratios["elderly_beds_per_1000_aged_60_plus"].value == 40
    assert pack.capacity_ratios["infant_slots_per_1000_people"].value == 4.5
    assert pack.capacity_ratios["nursing_bed_share"].value == 0.55
    assert sum(weight.value for weight in pack.priority_weights.values()) == pytest.approx(1)


def test_shanghai_numbers_carry_their_confidence_and_cite_shanghai():
    pack = load_pack("shanghai")

    share = pack.capacity_ratios["nursing_bed_share"]
    assert (share.value, share.confidence) == (0.60, "FOUND-2ND")
    rule = pack.rule("capacity.nursing_bed_share")
    assert "沪府办发〔2022〕3号" in rule.source  # a rule on a standard cites the standard
    assert pack.rule("facility.complex_recommended_floor_area").severity == "warning"


def test_a_city_pack_on_the_search_path_extends_a_shipped_one(tmp_path, monkeypatch):
    (tmp_path / "test-city.toml").write_text(MINIMAL_CITY.format(id="test-city"), "utf-8")
    monkeypatch.setenv("LINLI_POLICY_PATH", str(tmp_path))

    pack = load_pack("test-city")

    assert pack.rule("functions.min_scenarios").params["minimum"] == 4
    assert pack.subsidy == load_pack("beijing-2024").subsidy
    assert "test-city" in [p.id for p in list_packs()]


def test_a_pack_file_can_be_loaded_by_path(tmp_path):
    path = tmp_path / "draft-city.toml"
    path.write_text(MINIMAL_CITY.format(id="draft-city"), "utf-8")

    assert load_pack(path).id == "draft-city"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            '[rules."functions.min_priority_scenarios"]\nseverity = "fatal"',
            "severity: 'fatal' is not one",
        ),
        ('[rules."x.y"]\ncheck = "nope"', r"""bad.toml: rules\."x\.y"\.check: 'nope' is not one"""),
        (
            '[rules."x.y"]\ncheck = "scenario_count"\nseverity = "error"\nconfidence = "RECALLED"\n'
            'title_zh = "a"\ntitle_en = "b"\nsource = "c"\nparams = { minimum = 1 }',
            "RECALLED number must not have severity error",
        ),
        (
            '[rules."x.y"]\ncheck = "scenario_count"',
            r'rules\."x\.y"\.params\.minimum: is required \(check scenario_count\)',
        ),
        ("[scenarios.laundry]\ncategories = []", "scenarios.laundry: 'laundry' is not one"),
        (
            '[subsidy]\ninclusive_rate_max = 0.1\nsource = "s"\nconfidence = "SEED"',
            "rates must satisfy",
        ),
        (
            "[subsidy]\ninclusive_rate_max = 0.1",
            "changes inclusive_rate_max of beijing-2024 but not",
        ),
        (
            "[subsidy]\ncap_cny = -1",
            r"subsidy\.cap_cny: Input should be greater than or equal to 0",
        ),
        (
            '[rules."functions.elderly_or_infant"]\nparams = { minimum = "4" }',
            r"params\.minimum: must be a whole",
        ),
        (
            '[rules."functions.elderly_or_infant"]\nparams = { minimun = 4 }',
            r"params\.minimun: unknown key",
        ),
        (
            '[review]\nexception_reason_min_chars = 0\nsource = "s"\nconfidence = "SEED"',
            "greater than or equal to 1",
        ),
        ('[[sources]]\ntitle = "t"\nconfidence = "GUESSED"', "confidence: 'GUESSED' is not one"),
        (
            '[rules."functions.elderly_or_infant"]\nseverty = "info"',
            r'rules\."functions\.elderly_or_infant"\.severty: unknown key',
        ),
        ("[area_standards]\nx = 3", "area_standards.x: Input should be a valid dictionary"),
        ('[rules."functions.elderly_or_infant"]\ntitle_en = "{maximum}"', "cannot be filled"),
    ],
)
def test_malformed_packs_are_rejected_naming_the_key(tmp_path, extra, message):
    path = tmp_path / "bad.toml"
    path.write_text(MINIMAL_CITY.format(id="bad") + "\n" + extra, "utf-8")

    with pytest.raises(PolicyPackError, match=message):
        load_pack(path)


def test_pack_id_must_match_its_file_name(tmp_path):
    path = tmp_path / "one.toml"
    path.write_text(MINIMAL_CITY.format(id="other"), "utf-8")

    with pytest.raises(PolicyPackError, match="id must equal the file name"):
        load_pack(path)


def test_extends_cycle_is_rejected(tmp_path, monkeypatch):
    for pack_id, parent in (("a-city", "b-city"), ("b-city", "a-city")):
        text = MINIMAL_CITY.format(id=pack_id).replace("beijing-2024", parent)
        (tmp_path / f"{pack_id}.toml").write_text(text, "utf-8")
    monkeypatch.setenv("LINLI_POLICY_PATH", str(tmp_path))

    with pytest.raises(PolicyPackError, match="cycle"):
        load_pack("a-city")


def test_unknown_pack_lists_the_available_ones():
    with pytest.raises(PolicyPackError, match="unknown policy 'atlantis'; available: beijing-2024"):
        load_pack("atlantis")


def test_an_unknown_top_level_key_is_refused(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("subsidies = 1\n" + MINIMAL_CITY.format(id="bad"), "utf-8")

    with pytest.raises(PolicyPackError, match=r"^bad.toml: subsidies: unknown key"):
        load_pack(path)
