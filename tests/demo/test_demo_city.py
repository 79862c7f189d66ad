from collections import Counter
from decimal import Decimal

import numpy as np
import pytest
import shapely

from linli.demo import generate_city
from linli.policy import vocabulary
from linli.validators import is_valid_uscc

# DESIGN.md §5 vocabulary.
SCENARIOS = set(vocabulary.SCENARIOS)
CATEGORIES = set(vocabulary.CATEGORIES)
SPACE_SOURCES = {"renovate", "convert", "transfer", "co_build"}
OPERATING_MODELS = {
    "public_built_private_run",
    "private_run_public_aid",
    "government_purchase",
    "self_run",
}
BUILDING_TYPES = {
    "idle_factory",
    "warehouse",
    "collective_building",
    "commercial",
    "community_room",
    "state_owned_property",
    "other",
}


@pytest.fixture(scope="module")
def city():
    return generate_city()


def test_jurisdiction_tree(city):
    levels = Counter(j.level for j in city.jurisdictions)
    assert levels["city"] == 1 and levels["district"] == 1 and levels["street"] == 5
    assert 35 <= levels["community"] <= 45
    assert levels["compound"] >= 2 * levels["community"]
    seen: dict[str, str] = {}
    parent_level = {
        "district": "city",
        "street": "district",
        "community": "street",
        "compound": "community",
    }
    for node in city.jurisdictions:
        assert node.code not in seen
        if node.level == "city":
            assert node.parent_code is None
        else:
            # Parents come before children, one level up.
            assert seen[node.parent_code] == parent_level[node.level]
        expected_length = 15 if node.level == "compound" else 12
        assert len(node.code) == expected_length and node.code.isdigit()
        seen[node.code] = node.level
    district = next(j for j in city.jurisdictions if j.level == "district")
    assert district.name == "示范区"
    names = [j.name for j in city.jurisdictions if j.level == "community"]
    assert all(name.endswith("社区") for name in names) and len(set(names)) == len(names)


def test_codes_nest_like_statistical_division_codes(city):
    by_code = {j.code: j for j in city.jurisdictions}
    for node in city.jurisdictions:
        if node.level == "street":
            assert node.code[:6] == node.parent_code[:6] and node.code.endswith("000")
        if node.level == "community":
            assert node.code[:9] == node.parent_code[:9]
        if node.level == "compound":
            assert node.code[:12] == node.parent_code
            assert by_code[node.parent_code].level == "community"


def test_residents_and_age_structure(city):
    communities = city.communities
    population = sum(c.population for c in communities)
    assert 140_000 <= population <= 160_000
    share_60 = sum(c.aged_60_plus for c in communities) / population
    assert 0.20 <= share_60 <= 0.30
    for c in communities:
        assert c.households * 2.5 <= c.population <= c.households * 2.9
        assert 0 < c.aged_80_plus < c.aged_60_plus < c.population
        assert 0 < c.aged_0_2 and 0 < c.aged_3_5 and 0 < c.aged_6_12
        # 6–12 is seven birth years, 0–2 and 3–5 three each.
        assert c.aged_6_12 > c.aged_3_5
        assert 0.10 < c.aged_60_plus / c.population < 0.40
        assert c.service_area_m2 > 0
    # Some communities fall short of 30 m² per 100 households, some meet it.
    ratios = [c.service_area_m2 / c.households * 100 for c in communities]
    assert min(ratios) < 30 < max(ratios)
    members = Counter(k.community_code for k in city.compounds)
    for c in communities:
        assert sum(k.households for k in city.compounds if k.community_code == c.code) == (
            c.households
        )
        assert 2 <= members[c.code] <= 6


def test_geometry_is_a_plausible_partition_in_wgs84(city):
    boundaries = [c.boundary for c in city.communities]
    assert all(b.is_valid and b.geom_type == "Polygon" for b in boundaries)
    union = shapely.union_all(boundaries)
    # Communities tile the district without overlapping.
    assert sum(b.area for b in boundaries) == pytest.approx(union.area, rel=1e-9)
    lon_min, lat_min, lon_max, lat_max = city.bbox
    assert 100 < lon_min < lon_max < 125 and 25 < lat_min < lat_max < 45
    for c in city.communities:
        assert c.boundary.contains(shapely.Point(c.centroid_lon, c.centroid_lat))
    for k in city.compounds:
        community = next(c for c in city.communities if c.code == k.community_code)
        assert community.boundary.contains(k.boundary)


def test_facilities(city):
    facilities = city.facilities
    assert 100 <= len(facilities) <= 140
    assert len({f.code for f in facilities}) == len(facilities)
    assert len({f.name for f in facilities}) == len(facilities)
    operators = {o.uscc for o in city.operators}
    boundaries = {c.code: c.boundary for c in city.communities}
    scenarios_seen = set()
    for f in facilities:
        assert f.kind in vocabulary.KINDS
        assert f.status in ("planned", "under_construction", "operating", "suspended", "closed")
        assert boundaries[f.community_code].contains(shapely.Point(f.lon, f.lat))
        assert f.operator_uscc is None or f.operator_uscc in operators
        assert f.operating_model is None or f.operating_model in OPERATING_MODELS
        assert 0 < f.resident_activity_area_m2 < f.gross_floor_area_m2
        assert sum(fn.floor_area_m2 for fn in f.functions) <= f.gross_floor_area_m2
        assert (len(f.functions) >= 3) == (f.kind == "complex")
        if f.land_use_grace_expiry is not None:
            assert f.opening_date is not None and f.land_use_grace_expiry > f.opening_date
        for fn in f.functions:
            assert fn.scenario in SCENARIOS and fn.category in CATEGORIES
            scenarios_seen.add(fn.scenario)
            assert fn.capacity.nursing_beds <= fn.capacity.beds
            assert fn.capacity.respite_beds <= fn.capacity.beds
        by_scenario = {fn.scenario: fn.capacity for fn in f.functions}
        if "infant_care" in by_scenario:
            assert by_scenario["infant_care"].infant_slots > 0
        if "community_meals" in by_scenario:
            assert by_scenario["community_meals"].canteen_seats > 0
    assert scenarios_seen == SCENARIOS


def test_deliberate_gaps(city):
    offered = {(f.community_code, fn.scenario) for f in city.facilities for fn in f.functions}
    codes = [c.code for c in city.communities]
    for scenario in SCENARIOS:
        served = sum((code, scenario) in offered for code in codes)
        assert 0 < served < len(codes), scenario
    lacking_elderly = [code for code in codes if (code, "elderly_care") not in offered]
    assert 5 <= len(lacking_elderly) <= 20
    # The newest street has no elderly care at all.
    newest_street = city.jurisdictions[6].code
    assert all(
        (c.code, "elderly_care") not in offered
        for c in city.communities
        if c.street_code == newest_street
    )


def test_candidate_sites(city):
    sites = city.sites
    assert 50 <= len(sites) <= 70
    assert set(Counter(s.space_source for s in sites)) == SPACE_SOURCES
    boundaries = {c.code: c.boundary for c in city.communities}
    for s in sites:
        assert s.building_type in BUILDING_TYPES
        assert s.status in ("available", "reserved", "used")
        assert s.floor_area_m2 > 0 and s.floors >= 1
        assert isinstance(s.renovation_cost_cny, Decimal)
        assert s.renovation_cost_cny > 0 and s.renovation_cost_cny.as_tuple().exponent == -2
        assert boundaries[s.community_code].contains(shapely.Point(s.lon, s.lat))
    assert {"idle_factory", "warehouse"} & {s.building_type for s in sites}


def test_operators_have_valid_credit_codes(city):
    assert len(city.operators) == 3
    assert all(is_valid_uscc(o.uscc) for o in city.operators)
    assert len({o.uscc for o in city.operators}) == 3


def test_same_seed_same_city_other_seed_other_city(city):
    again = generate_city(2026)
    assert again == city
    assert repr(again) == repr(city)
    other = generate_city(7)
    assert other != city
    assert [j.level for j in other.jurisdictions[:7]] == [j.level for j in city.jurisdictions[:7]]
    population = sum(c.population for c in other.communities)
    assert 140_000 <= population <= 160_000
    assert np.isclose(sum(c.aged_60_plus for c in other.communities) / population, 0.25, atol=0.05)
