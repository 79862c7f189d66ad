"""A deterministic demo city: jurisdictions, residents, facilities, candidate sites, operators.

``generate_city(seed)`` returns plain frozen dataclasses (no Django); the same seed gives the
same city, and :func:`linli.demo.osm.write_osm` writes its walking network byte for byte the
same. The city is fictional but shaped like an inland Chinese city district: superblocks of
300–500 m bounded by arterials, gated compounds (小区) with few gates, a river with three
crossings and a motorway pedestrians may not use.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import shapely
from shapely.geometry import Polygon

from linli.demo import names
from linli.demo.layout import Block, Rect, make_plan, split_block
from linli.demo.osm import StreetNetwork, build_network
from linli.demo.services import (
    CandidateSite,
    CommunityArea,
    Facility,
    Operator,
    make_facilities,
    make_operators,
    make_sites,
)
from linli.geo.crs import WGS84, transform, utm_crs

# The district's south-west corner: an inland city on the North China Plain.
ORIGIN_LON = 113.585
ORIGIN_LAT = 34.735
# The city's area extends this far beyond the district on every side (motorway, river ends).
CITY_MARGIN_M = 500.0

# 41 is Henan; prefecture 99 does not exist, so demo codes never collide with real ones.
CITY_CODE = "419900000000"
DISTRICT_CODE = "419902000000"

LEVELS = ("city", "district", "street", "community", "compound")
COMPOUND_SETBACK_M = 15.0  # compound fence to street centre line
# Estates approved from this year on fall under the 四同步 rule (plan, build, accept and hand
# over community service space together with the housing).
NEW_ESTATE_YEAR = 2019
TARGET_HOUSEHOLDS = 55_500  # about 150 000 residents at 2.7 persons per household


@dataclass(frozen=True, slots=True)
class JurisdictionSpec:
    """A node of the jurisdiction tree. ``level`` is one of :data:`LEVELS`.

    Codes follow the 12-digit statistical division code (省2 市2 县2 乡镇3 村居3); a compound
    has no national code, so it gets its community's code plus a 3-digit sequence (15 digits).
    """

    code: str
    name: str
    level: str
    parent_code: str | None


@dataclass(frozen=True, slots=True)
class Community:
    """A community (社区) with its residents, service area and boundary in WGS 84."""

    code: str
    name: str
    street_code: str
    households: int
    population: int
    aged_0_2: int
    aged_3_5: int
    aged_6_12: int
    aged_60_plus: int
    aged_80_plus: int
    service_area_m2: float  # 社区综合服务设施面积
    boundary: Polygon
    centroid_lon: float
    centroid_lat: float


@dataclass(frozen=True, slots=True)
class Compound:
    """A residential compound (小区); gated, reached from the street only through its gates."""

    code: str
    name: str
    community_code: str
    households: int
    year_built: int
    new_estate: bool  # built under the 四同步 rule, which requires co-built service space
    boundary: Polygon
    centroid_lon: float
    centroid_lat: float


@dataclass(frozen=True, slots=True)
class DemoCity:
    """The generated city. ``jurisdictions`` lists parents before children."""

    seed: int
    name: str
    jurisdictions: tuple[JurisdictionSpec, ...]
    communities: tuple[Community, ...]
    compounds: tuple[Compound, ...]
    operators: tuple[Operator, ...]
    facilities: tuple[Facility, ...]
    sites: tuple[CandidateSite, ...]
    bbox: tuple[float, float, float, float]  # the city's area: lon_min, lat_min, lon_max, lat_max
    network: StreetNetwork  # the walking network; write it with linli.demo.osm.write_osm


class _CommunityDraft(NamedTuple):
    code: str
    name: str
    street_code: str
    blocks: tuple[Block, ...]


class _CompoundDraft(NamedTuple):
    code: str
    community_code: str
    parcel: Rect  # inside the fence, local metres
    year_built: int
    name: str


class _Frame:
    """Local metres (x east, y north from the district's south-west corner) to WGS 84."""

    def __init__(self) -> None:
        self.crs = utm_crs(ORIGIN_LON, ORIGIN_LAT)
        east, north = transform([ORIGIN_LON], [ORIGIN_LAT], WGS84, self.crs)
        self.east0, self.north0 = float(east[0]), float(north[0])

    def lonlat(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lon, lat = transform(x + self.east0, y + self.north0, self.crs, WGS84)
        return np.round(lon, 7), np.round(lat, 7)

    def polygon(self, geometry: Polygon) -> Polygon:
        return shapely.transform(
            geometry, lambda xy: np.column_stack(self.lonlat(xy[:, 0], xy[:, 1]))
        )


def _box(rect: Rect | Block) -> Polygon:
    return shapely.box(rect.x0, rect.y0, rect.x1, rect.y1)


def _name_pool(rng: random.Random, stems: tuple[str, ...], suffixes: tuple[str, ...]) -> list[str]:
    """All stem + suffix names in a seeded order, to be taken from the end without repeats."""
    pool = [stem + suffix for stem in stems for suffix in suffixes]
    rng.shuffle(pool)
    return pool


def generate_city(seed: int = 2026) -> DemoCity:
    """Generate the demo city for ``seed``; the same seed always gives the same city.

    Each part draws from its own random stream, so that changing how one part is drawn
    (facilities, say) leaves the others (the jurisdiction tree, the network) as they were.
    """
    rng = random.Random(f"{seed}:plan")
    frame = _Frame()
    plan = make_plan(rng)

    jurisdictions = [
        JurisdictionSpec(CITY_CODE, names.CITY_NAME, "city", None),
        JurisdictionSpec(DISTRICT_CODE, names.DISTRICT_NAME, "district", CITY_CODE),
    ]
    street_codes = [f"{DISTRICT_CODE[:6]}{i + 1:03d}000" for i in range(len(plan.streets))]
    jurisdictions += [
        JurisdictionSpec(code, name, "street", DISTRICT_CODE)
        for code, name in zip(street_codes, names.STREET_NAMES, strict=True)
    ]

    community_stems = rng.sample(names.COMMUNITY_STEMS, sum(len(s) for s in plan.streets))
    community_rows: list[_CommunityDraft] = []
    compound_rows: list[_CompoundDraft] = []
    compound_jurisdictions = []
    danwei_names = _name_pool(rng, names.DANWEI_STEMS, names.DANWEI_SUFFIXES)
    estate_names = _name_pool(rng, names.ESTATE_STEMS, names.ESTATE_SUFFIXES)
    for street_code, street in zip(street_codes, plan.streets, strict=True):
        for index, blocks in enumerate(street):
            code = f"{street_code[:9]}{index + 1:03d}"
            name = community_stems[len(community_rows)] + "社区"
            jurisdictions.append(JurisdictionSpec(code, name, "community", street_code))
            community_rows.append(_CommunityDraft(code, name, street_code, blocks))
            # Older compounds (danwei housing of the 1980s–90s) sit south of the river and in
            # the north-west; the north-east is a newer area.
            old_area = blocks[0].col < 5 or blocks[0].row < 3
            halves = [
                half for block in blocks if block.residential for half in split_block(block)[2]
            ]
            for number, half in enumerate(halves, start=1):
                old = old_area and rng.random() < 0.75
                year = rng.randint(1982, 1999) if old else rng.randint(2000, 2023)
                compound_code = f"{code}{number:03d}"
                compound_name = (danwei_names if old else estate_names).pop()
                compound_jurisdictions.append(
                    JurisdictionSpec(compound_code, compound_name, "compound", code)
                )
                compound_rows.append(
                    _CompoundDraft(
                        compound_code, code, half.inset(COMPOUND_SETBACK_M), year, compound_name
                    )
                )
    jurisdictions += compound_jurisdictions

    residents_rng = random.Random(f"{seed}:residents")
    compounds = _compounds(residents_rng, frame, compound_rows)
    communities = _communities(residents_rng, frame, community_rows, compounds)
    areas = _areas(community_rows, compound_rows, communities, street_codes)
    services_rng = random.Random(f"{seed}:services")
    operators = make_operators(services_rng)

    lon, lat = frame.lonlat(
        np.array([-CITY_MARGIN_M, plan.width + CITY_MARGIN_M]),
        np.array([-CITY_MARGIN_M, plan.height + CITY_MARGIN_M]),
    )
    return DemoCity(
        seed=seed,
        name=names.CITY_NAME,
        jurisdictions=tuple(jurisdictions),
        communities=communities,
        compounds=compounds,
        operators=operators,
        facilities=make_facilities(services_rng, areas, operators, plan, frame.lonlat),
        sites=make_sites(services_rng, areas, plan, frame.lonlat),
        bbox=(float(lon[0]), float(lat[0]), float(lon[1]), float(lat[1])),
        network=build_network(
            random.Random(f"{seed}:network"),
            plan,
            [row.name for row in compound_rows],
            COMPOUND_SETBACK_M,
            frame.lonlat,
        ),
    )


def _compounds(
    rng: random.Random, frame: _Frame, rows: list[_CompoundDraft]
) -> tuple[Compound, ...]:
    # Households per m² of compound land: older compounds are low-rise walk-ups with courtyards
    # and workshops, newer ones denser towers. Scaled so the district has about TARGET_HOUSEHOLDS.
    raw = [
        (row.parcel.x1 - row.parcel.x0)
        * (row.parcel.y1 - row.parcel.y0)
        * (
            rng.uniform(1 / 205, 1 / 143)
            if row.year_built < 2000
            else rng.uniform(1 / 160, 1 / 103)
        )
        for row in rows
    ]
    scale = TARGET_HOUSEHOLDS / sum(raw)
    centres = np.array([row.parcel.centre for row in rows])
    lons, lats = frame.lonlat(centres[:, 0], centres[:, 1])
    return tuple(
        Compound(
            code=row.code,
            name=row.name,
            community_code=row.community_code,
            households=int(round(households * scale, -1)),
            year_built=row.year_built,
            new_estate=row.year_built >= NEW_ESTATE_YEAR,
            boundary=frame.polygon(_box(row.parcel)),
            centroid_lon=float(lon),
            centroid_lat=float(lat),
        )
        for row, households, lon, lat in zip(rows, raw, lons, lats, strict=True)
    )


def _communities(
    rng: random.Random,
    frame: _Frame,
    rows: list[_CommunityDraft],
    compounds: tuple[Compound, ...],
) -> tuple[Community, ...]:
    communities = []
    for code, name, street_code, blocks in rows:
        members = [c for c in compounds if c.community_code == code]
        households = sum(c.households for c in members)
        old_share = sum(c.households for c in members if c.year_built < 2000) / households
        population = int(households * rng.uniform(2.55, 2.85))
        # Old danwei compounds have aged in place; new estates hold young families.
        share_60 = 0.16 + 0.15 * old_share + rng.uniform(-0.02, 0.03)
        aged_60 = int(population * share_60)
        boundary = shapely.union_all([_box(block) for block in blocks])
        # An L-shaped community's centroid can fall outside it; then take a point inside.
        centre = boundary.centroid
        if not boundary.contains(centre):
            centre = boundary.point_on_surface()
        lon, lat = frame.lonlat(np.array([centre.x]), np.array([centre.y]))
        communities.append(
            Community(
                code=code,
                name=name,
                street_code=street_code,
                households=households,
                population=population,
                aged_0_2=int(population * rng.uniform(0.014, 0.026) * (1.2 - old_share * 0.4)),
                aged_3_5=int(population * rng.uniform(0.020, 0.030) * (1.2 - old_share * 0.4)),
                aged_6_12=int(population * rng.uniform(0.055, 0.080) * (1.2 - old_share * 0.4)),
                aged_60_plus=aged_60,
                aged_80_plus=int(aged_60 * rng.uniform(0.12, 0.19)),
                # Many older communities fall short of the 30 m² per 100 households standard.
                service_area_m2=float(round(households / 100 * rng.uniform(14.0, 48.0), -1)),
                boundary=frame.polygon(boundary),
                centroid_lon=float(lon[0]),
                centroid_lat=float(lat[0]),
            )
        )
    return tuple(communities)


def _areas(
    community_rows: list[_CommunityDraft],
    compound_rows: list[_CompoundDraft],
    communities: tuple[Community, ...],
    street_codes: list[str],
) -> tuple[CommunityArea, ...]:
    """Each community's metric layout and its demand per scenario, for siting services."""
    areas = []
    for (code, name, street_code, blocks), community in zip(
        community_rows, communities, strict=True
    ):
        children = community.aged_3_5 + community.aged_6_12
        demand = dict.fromkeys(
            ("home_services", "health", "fitness", "culture_leisure"), float(community.population)
        ) | {
            "elderly_care": float(community.aged_60_plus),
            "community_meals": float(community.aged_60_plus),
            "infant_care": float(community.aged_0_2),
            "child_afterschool": float(community.aged_6_12),
            "child_play": float(children),
        }
        areas.append(
            CommunityArea(
                code=code,
                name=name,
                street_index=street_codes.index(street_code),
                blocks=blocks,
                compounds=tuple(
                    (row.parcel, row.year_built >= NEW_ESTATE_YEAR)
                    for row in compound_rows
                    if row.community_code == code
                ),
                demand=demand,
            )
        )
    return tuple(areas)
