"""The per-community gap report on the demo city (its network, residents and facilities)."""

import numpy as np
import pandas as pd
import pytest

from linli.demo.city import generate_city
from linli.demo.osm import write_osm
from linli.planning.gaps import SCENARIOS, SUPPLY_FIELD, gap_report, standards_from_pack
from linli.planning.network import read_walk_graph
from linli.policy import load_pack


@pytest.fixture(scope="module")
def city_tables(tmp_path_factory):
    city = generate_city()
    path = write_osm(city, tmp_path_factory.mktemp("city") / "city.osm.pbf")
    communities = pd.DataFrame(
        [
            {
                "code": c.code,
                "name": c.name,
                "street": c.street_code,
                "households": c.households,
                "population": c.population,
                "aged_0_2": c.aged_0_2,
                "aged_3_5": c.aged_3_5,
                "aged_60_plus": c.aged_60_plus,
                "service_area_m2": c.service_area_m2,
            }
            for c in city.communities
        ]
    )
    households = pd.DataFrame(
        [(c.community_code, c.households, c.centroid_lon, c.centroid_lat) for c in city.compounds],
        columns=["community", "households", "lon", "lat"],
    )
    population = communities.set_index("code")["population"]
    share = households["households"] / households.groupby("community")["households"].transform(
        "sum"
    )
    demand = households.assign(
        population=share * population.loc[households["community"]].to_numpy()
    )
    functions = pd.DataFrame(
        [
            {
                "facility": f.code,
                "scenario": fn.scenario,
                "lon": f.lon,
                "lat": f.lat,
                "community": f.community_code,
                "supply": float(getattr(fn.capacity, SUPPLY_FIELD[fn.scenario]))
                if fn.scenario in SUPPLY_FIELD
                else 1.0,
                "beds": fn.capacity.beds,
                "nursing_beds": fn.capacity.nursing_beds,
                "infant_slots": fn.capacity.infant_slots,
            }
            for f in city.facilities
            if f.status == "operating"
            for fn in f.functions
        ]
    )
    sites = pd.DataFrame(
        [
            {"community": s.community_code, "floor_area_m2": s.floor_area_m2}
            for s in city.sites
            if s.status == "available"
        ]
    )
    return city, read_walk_graph(path), communities, demand, functions, sites


@pytest.fixture(scope="module")
def report(city_tables):
    _city, graph, communities, demand, functions, sites = city_tables
    standards = standards_from_pack(load_pack("beijing-2024"))
    return gap_report(graph, communities, demand, functions, sites, standards)


def test_every_community_is_ranked_once(report, city_tables):
    table = report.communities
    assert sorted(table["code"]) == sorted(city_tables[2]["code"])
    assert list(table["priority_rank"]) == list(range(1, len(table) + 1))
    assert table["priority_score"].between(0, 1).all()
    assert table["priority_score"].is_monotonic_decreasing


def test_area_standard_is_computed_from_the_figures(report):
    table = report.communities
    expected = table["service_area_m2"] / table["households"] * 100
    assert np.allclose(table["area_per_100_households"], expected)
    assert (table["meets_area_baseline"] == (expected >= 30)).all()
    assert (table["meets_area_target"] == (expected >= 80)).all()


def test_the_street_without_elderly_care_shows_the_gap(report, city_tables):
    city = city_tables[0]
    by_street = report.communities.groupby("street")["covered_elderly_care"].mean()
    gap_street = by_street.idxmin()
    # 东风街道 has no elderly care by design: the lowest coverage and no reachable beds inside.
    assert by_street[gap_street] < by_street.drop(gap_street).min()
    names = {spec.code: spec.name for spec in city.jurisdictions}
    assert names[gap_street] == "东风街道"


def test_coverage_grows_with_the_life_circle(report):
    wide = report.coverage.pivot_table(
        index=["community_id", "scenario"], columns="life_circle_m", values="share"
    )
    circles = sorted(wide.columns)
    for small, large in zip(circles, circles[1:], strict=False):
        assert (wide[large].fillna(0) >= wide[small].fillna(0) - 1e-12).all()
    assert set(report.coverage["scenario"]) == set(SCENARIOS)


def test_reachable_beds_match_an_independent_count(report, city_tables):
    """Area-wide, 2SFCA conserves supply: beds reached sum to the beds that reach anyone."""
    _city, _graph, communities, _demand, functions, _sites = city_tables
    table = report.communities.set_index("code")
    aged = communities.set_index("code")["aged_60_plus"]
    reached = (
        table["beds_per_1000_aged_60_plus"].fillna(0) / 1000 * aged.reindex(table.index)
    ).sum()
    total_beds = functions.loc[functions["scenario"] == "elderly_care", "beds"].sum()
    assert 0 < reached <= total_beds * (1 + 1e-9)


def test_standards_carry_their_sources():
    standards = standards_from_pack(load_pack("national-2023"))
    assert standards.life_circles_m == (300, 500, 1000)
    assert standards.gap_circle_m == 500
    assert "121号" in standards.area_per_100_households.source
    assert standards.beds_per_1000_aged_60_plus.value == 40
    assert set(standards.weights) == {
        "service_gap",
        "elderly_and_children_demand",
        "site_readiness",
        "operating_conditions",
    }


def _one_street(report, city_tables, context: bool):
    """The gap report of one street: alone, or with the rest of the city as its surroundings."""
    _city, graph, communities, demand, functions, sites = city_tables
    street = communities["street"].iloc[0]
    in_street = communities["street"] == street
    own_codes = set(communities.loc[in_street, "code"])
    standards = standards_from_pack(load_pack("beijing-2024"))
    if context:
        tables = (communities.assign(in_area=in_street), demand, functions)
    else:
        tables = (
            communities[in_street],
            demand[demand["community"].isin(own_codes)],
            functions[functions["community"].isin(own_codes)],
        )
    return own_codes, gap_report(graph, *tables, sites, standards)


def test_surroundings_are_used_but_not_reported(report, city_tables):
    own_codes, street = _one_street(report, city_tables, context=True)
    assert set(street.communities["code"]) == own_codes
    assert set(street.coverage["community_id"]) == own_codes
    assert "in_area" not in street.communities
    assert list(street.communities["priority_rank"]) == list(range(1, len(own_codes) + 1))


def test_a_street_with_its_surroundings_sees_what_the_whole_city_sees(report, city_tables):
    """Walking ignores the boundary: the street's figures equal those of the city-wide run."""
    own_codes, street = _one_street(report, city_tables, context=True)
    city = report.communities.set_index("code").loc[sorted(own_codes)]
    mine = street.communities.set_index("code").loc[sorted(own_codes)]
    for column in [f"covered_{s}" for s in SCENARIOS] + [f"sfca_{s}" for s in SCENARIOS]:
        assert np.allclose(mine[column], city[column], equal_nan=True), column
    assert np.allclose(mine["beds_per_1000_aged_60_plus"], city["beds_per_1000_aged_60_plus"])


def test_a_street_alone_misses_the_services_across_its_boundary(report, city_tables):
    own_codes, alone = _one_street(report, city_tables, context=False)
    _codes, surrounded = _one_street(report, city_tables, context=True)
    key = ["community_id", "scenario", "life_circle_m"]
    merged = alone.coverage.merge(surrounded.coverage, on=key, suffixes=("_alone", "_with"))
    gained = merged["share_with"].fillna(0) - merged["share_alone"].fillna(0)
    assert (gained >= -1e-12).all()  # services across the boundary only add coverage
    assert (gained > 0.01).any()  # and the demo city's border residents do reach some
