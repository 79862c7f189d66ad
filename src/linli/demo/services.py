"""The demo city's operators, existing facilities and candidate sites.

Facilities cover the nine scenarios with deliberate gaps, so that gap diagnosis has something to
find: the newest street (东风街道) has no elderly care or community meals, the oldest has no
infant care, one street has no after-school care, and scattered facilities go where demand is.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import numpy as np

from linli.demo import names
from linli.demo.layout import Block, Plan, Rect
from linli.policy import vocabulary
from linli.validators import USCC_ALPHABET, org_code_check_digit, uscc_check_digit

SCENARIOS = tuple(vocabulary.SCENARIOS)
N_COMPLEXES = 15
# Scattered facilities per scenario: 105 in all, about 120 with the complexes.
SCATTERED_COUNTS = {
    "elderly_care": 26,
    "community_meals": 18,
    "home_services": 14,
    "health": 12,
    "infant_care": 10,
    "child_afterschool": 10,
    "fitness": 6,
    "culture_leisure": 5,
    "child_play": 4,
}
# A community service centre always offers these where the street has them at all.
COMPLEX_CORE = ("elderly_care", "community_meals")
# Deliberate gaps: scenario → indices of streets (in plan order) with no such facility.
GAP_STREETS = {
    "elderly_care": (4,),
    "community_meals": (4,),
    "infant_care": (0,),
    "child_afterschool": (2,),
}
N_SITES_PER_SOURCE = 15
SPACE_SOURCES = tuple(vocabulary.SPACE_SOURCES)
BUILDING_TYPES = tuple(vocabulary.BUILDING_TYPES)
OPERATING_MODELS = tuple(vocabulary.OPERATING_MODELS)
DEMO_DIVISION_CODE = "419902"  # the district's 6-digit division code inside each USCC


@dataclass(frozen=True, slots=True)
class Capacity:
    beds: int = 0
    nursing_beds: int = 0  # of the beds, those with nursing care
    respite_beds: int = 0  # of the beds, those kept for short respite stays (喘息服务)
    infant_slots: int = 0
    afterschool_places: int = 0
    canteen_seats: int = 0


@dataclass(frozen=True, slots=True)
class FacilityFunction:
    scenario: str
    category: str  # basic_public | inclusive | commercial
    floor_area_m2: float
    capacity: Capacity
    opening_hours: str  # OpenStreetMap opening_hours syntax


@dataclass(frozen=True, slots=True)
class Facility:
    code: str
    name: str
    kind: str  # complex | scattered
    status: str  # planned | under_construction | operating | suspended | closed
    community_code: str
    lon: float
    lat: float
    address: str
    gross_floor_area_m2: float
    resident_activity_area_m2: float
    floors_used: int
    basement: bool
    operator_uscc: str | None
    operating_model: str | None
    opening_date: date | None
    land_use_grace_expiry: date | None  # end of the 5-year grace for a building of other use
    functions: tuple[FacilityFunction, ...]


@dataclass(frozen=True, slots=True)
class Operator:
    uscc: str  # 统一社会信用代码
    name: str
    operator_type: str  # enterprise | social_organization | public_institution
    contact_name: str
    contact_phone: str


@dataclass(frozen=True, slots=True)
class CandidateSite:
    code: str
    name: str
    community_code: str
    lon: float
    lat: float
    building_type: str
    floor_area_m2: float
    floors: int
    ownership: str
    space_source: str  # renovate | convert | transfer | co_build
    renovation_cost_cny: Decimal
    status: str  # available | reserved | used
    notes: str


@dataclass(frozen=True, slots=True)
class CommunityArea:
    """What the facility and site generators need to know of a community, in local metres."""

    code: str
    name: str
    street_index: int
    blocks: tuple[Block, ...]
    compounds: tuple[tuple[Rect, bool], ...]  # compound parcel, new estate
    demand: dict[str, float]  # scenario → residents it serves


@dataclass(frozen=True, slots=True)
class _ScenarioProfile:
    category: str
    suffixes: tuple[str, ...]
    area_m2: tuple[float, float]
    opening_hours: str


PROFILES = {
    "elderly_care": _ScenarioProfile(
        "basic_public", ("养老服务驿站", "日间照料中心"), (200, 700), "Mo-Su 08:00-18:00"
    ),
    "infant_care": _ScenarioProfile(
        "inclusive", ("托育园", "普惠托育点"), (300, 800), "Mo-Fr 07:30-18:00"
    ),
    "child_afterschool": _ScenarioProfile(
        "inclusive", ("儿童托管中心", "四点半课堂"), (150, 500), "Mo-Fr 15:30-19:30"
    ),
    "community_meals": _ScenarioProfile(
        "inclusive", ("老年餐桌", "社区食堂"), (120, 400), "Mo-Su 10:30-13:30,16:30-19:00"
    ),
    "home_services": _ScenarioProfile(
        "commercial", ("家政服务站", "便民维修点", "便民服务站"), (40, 200), "Mo-Su 08:00-20:00"
    ),
    "health": _ScenarioProfile(
        "basic_public", ("社区卫生服务站",), (150, 600), "Mo-Su 08:00-17:30"
    ),
    "fitness": _ScenarioProfile(
        "basic_public", ("健身驿站", "全民健身中心"), (150, 1200), "Mo-Su 06:00-22:00"
    ),
    "culture_leisure": _ScenarioProfile(
        "basic_public", ("文化活动室", "社区书屋"), (100, 800), "Tu-Su 09:00-21:00"
    ),
    "child_play": _ScenarioProfile(
        "basic_public", ("儿童之家", "儿童游乐场"), (100, 500), "Mo-Su 08:00-20:00"
    ),
}


def make_operators(rng: random.Random) -> tuple[Operator, ...]:
    """Three operators, each with a unified social credit code that passes its check digits."""
    specs = (
        ("9", "1", f"{names.CITY_NAME}颐康养老服务有限公司", "enterprise", "王建华"),
        ("5", "2", f"{names.CITY_NAME}乐育托育服务中心", "social_organization", "李晓梅"),
        ("9", "1", f"{names.CITY_NAME}邻里社区服务有限公司", "enterprise", "张志强"),
    )
    operators = []
    for authority, entity_type, name, operator_type, contact in specs:
        # Post-2015 registrations start their organisation code with "MA"; older ones are digits.
        body = (
            "MA" + "".join(rng.choice(USCC_ALPHABET) for _ in range(6))
            if authority == "9"
            else f"{rng.randrange(10**8):08d}"
        )
        org_code = body + org_code_check_digit(body)
        first17 = f"{authority}{entity_type}{DEMO_DIVISION_CODE}{org_code}"
        operators.append(
            Operator(
                uscc=first17 + uscc_check_digit(first17),
                name=name,
                operator_type=operator_type,
                contact_name=contact,
                contact_phone=f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
            )
        )
    return tuple(operators)


ToLonLat = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


class _Locator:
    """Places points in a community and names the road they front, in local metres."""

    def __init__(self, plan: Plan, to_lonlat: ToLonLat) -> None:
        self.plan = plan
        self.to_lonlat = to_lonlat

    def in_rect(self, rng: random.Random, rect: Rect, margin: float) -> tuple[float, float]:
        return (
            round(rng.uniform(rect.x0 + margin, rect.x1 - margin), 1),
            round(rng.uniform(rect.y0 + margin, rect.y1 - margin), 1),
        )

    def lonlat(self, point: tuple[float, float]) -> tuple[float, float]:
        lon, lat = self.to_lonlat(np.array([point[0]]), np.array([point[1]]))
        return float(lon[0]), float(lat[0])

    def address(self, point: tuple[float, float]) -> str:
        """The nearest north–south road and a house number counted from its south end."""
        x, y = point
        index = int(np.argmin([abs(x - line) for line in self.plan.x_lines]))
        number = int(y // 20) * 2 + (1 if x >= self.plan.x_lines[index] else 2)
        return f"{names.NS_ROAD_NAMES[index]}{number}号"


def _function(rng: random.Random, scenario: str, large: bool) -> FacilityFunction:
    profile = PROFILES[scenario]
    low, high = profile.area_m2
    area = float(round(rng.uniform(low, high) * (2.0 if large else 1.0), -1))
    capacity = Capacity()
    if scenario == "elderly_care":
        beds = rng.randint(20, 60) if large else rng.choice((0, 0, 4, 6, 8, 10))
        capacity = Capacity(
            beds=beds,
            nursing_beds=int(beds * rng.uniform(0.35, 0.75)),
            respite_beds=min(beds, rng.randint(2, 6)) if beds else 0,
        )
    elif scenario == "infant_care":
        capacity = Capacity(infant_slots=int(area / rng.uniform(8.0, 12.0)))
    elif scenario == "child_afterschool":
        capacity = Capacity(afterschool_places=int(area / rng.uniform(3.0, 5.0)))
    elif scenario == "community_meals":
        capacity = Capacity(canteen_seats=int(area / rng.uniform(2.0, 3.5)))
    # Community canteens run as businesses in some places (Beijing's final list moved 社区助餐
    # to 便民商业类), so a few are declared commercial.
    category = (
        "commercial" if scenario == "community_meals" and rng.random() < 0.3 else profile.category
    )
    return FacilityFunction(scenario, category, area, capacity, profile.opening_hours)


def _unique(name: str, used: set[str]) -> str:
    """``name``, or the same name with 二部, 三部 … when it is taken (as second branches are)."""
    candidate = name
    for ordinal in "二三四五六七八九":
        if candidate not in used:
            break
        candidate = f"{name}{ordinal}部"
    else:
        raise ValueError(f"too many facilities named {name!r}")
    used.add(candidate)
    return candidate


def _allowed(area: CommunityArea, scenario: str) -> bool:
    return area.street_index not in GAP_STREETS.get(scenario, ())


def make_facilities(
    rng: random.Random,
    areas: tuple[CommunityArea, ...],
    operators: tuple[Operator, ...],
    plan: Plan,
    to_lonlat: ToLonLat,
) -> tuple[Facility, ...]:
    """About 120 facilities: complexes with several functions and single-function scattered
    ones, none of a scenario in that scenario's gap streets."""
    locator = _Locator(plan, to_lonlat)
    drafts: list[tuple[CommunityArea, str, tuple[FacilityFunction, ...]]] = []
    for area in rng.sample(list(areas), N_COMPLEXES):
        core = [s for s in COMPLEX_CORE if _allowed(area, s)]
        others = [s for s in SCENARIOS if s not in COMPLEX_CORE and _allowed(area, s)]
        n_others = rng.randint(max(2, 3 - len(core)), 4)  # at least three functions
        chosen = sorted(core + rng.sample(others, n_others), key=SCENARIOS.index)
        drafts.append((area, "complex", tuple(_function(rng, s, large=True) for s in chosen)))
    for scenario, count in SCATTERED_COUNTS.items():
        allowed = [a for a in areas if _allowed(a, scenario)]
        served = [
            sum(a is d[0] and scenario in [f.scenario for f in d[2]] for d in drafts)
            for a in allowed
        ]
        for _ in range(count):
            # Demand draws facilities, but a community already served draws fewer, as a
            # programme office would spread them.
            weights = [
                a.demand[scenario] / (1 + 3 * n) for a, n in zip(allowed, served, strict=True)
            ]
            index = rng.choices(range(len(allowed)), weights=weights)[0]
            served[index] += 1
            drafts.append((allowed[index], "scattered", (_function(rng, scenario, large=False),)))

    used: set[str] = set()
    return tuple(
        _facility(rng, locator, number, area, kind, functions, operators, used)
        for number, (area, kind, functions) in enumerate(drafts, start=1)
    )


def _facility(
    rng: random.Random,
    locator: _Locator,
    number: int,
    area: CommunityArea,
    kind: str,
    functions: tuple[FacilityFunction, ...],
    operators: tuple[Operator, ...],
    used_names: set[str],
) -> Facility:
    stem = area.name.removesuffix("社区")
    if kind == "complex":
        block = rng.choice([b for b in area.blocks if b.residential])
        point = locator.in_rect(rng, Rect(block.x0, block.y0, block.x1, block.y1), 20.0)
        name = f"{stem}社区综合服务中心"
        operator = operators[0] if functions[0].scenario == "elderly_care" else operators[2]
    else:
        parcel, _new = rng.choice(area.compounds)
        point = locator.in_rect(rng, parcel, 5.0)
        name = stem + rng.choice(PROFILES[functions[0].scenario].suffixes)
        operator = {"infant_care": operators[1], "child_afterschool": operators[1]}.get(
            functions[0].scenario, rng.choice((operators[0], operators[2]))
        )
    name = _unique(name, used_names)
    status = rng.choices(
        ("operating", "suspended", "under_construction", "planned", "closed"),
        weights=(85, 4, 6, 3, 2),
    )[0]
    gross = float(sum(f.floor_area_m2 for f in functions) / rng.uniform(0.8, 0.95))
    opened = status in ("operating", "suspended", "closed")
    opening_date = date(2012, 1, 1) + timedelta(days=rng.randrange(13 * 365)) if opened else None
    # About one in six sits in a building converted from another use, which 121号 三(十)
    # lets keep its original land use for 5 years.
    converted = opening_date is not None and rng.random() < 0.17
    model = "public_built_private_run" if kind == "complex" else rng.choice(OPERATING_MODELS)
    lon, lat = locator.lonlat(point)
    return Facility(
        code=f"F{number:03d}",
        name=name,
        kind=kind,
        status=status,
        community_code=area.code,
        lon=lon,
        lat=lat,
        address=locator.address(point),
        gross_floor_area_m2=round(gross, -1),
        resident_activity_area_m2=round(gross * rng.uniform(0.55, 0.8), -1),
        floors_used=rng.randint(2, 4) if kind == "complex" else rng.choice((1, 1, 1, 2)),
        basement=functions[0].scenario in ("fitness", "culture_leisure") and rng.random() < 0.3,
        operator_uscc=operator.uscc if status != "planned" else None,
        operating_model=None if status == "planned" else model,
        opening_date=opening_date,
        land_use_grace_expiry=(
            opening_date.replace(year=opening_date.year + 5, day=min(opening_date.day, 28))
            if converted and opening_date
            else None
        ),
        functions=functions,
    )


@dataclass(frozen=True, slots=True)
class _SiteProfile:
    building_types: tuple[str, ...]
    area_m2: tuple[float, float]
    floors: tuple[int, int]
    ownerships: tuple[str, ...]
    unit_cost_cny: tuple[int, int]  # renovation cost per m² of floor area


# 121号 二(三)(五): renovate community rooms, convert idle factories, warehouses and shops,
# transfer state-owned and collective property, and have developers co-build space in new
# estates (补改、转型、划转、配建).
SITE_PROFILES = {
    "renovate": _SiteProfile(
        ("community_room", "collective_building", "other"),
        (150, 800),
        (1, 2),
        ("社区居委会", "街道办事处"),
        (800, 1600),
    ),
    "convert": _SiteProfile(
        ("idle_factory", "warehouse", "commercial"),
        (600, 4000),
        (1, 4),
        ("国有企业", "民营企业", "个人"),
        (1500, 3800),
    ),
    "transfer": _SiteProfile(
        ("state_owned_property", "collective_building"),
        (300, 2000),
        (1, 3),
        ("区机关事务管理局", "国有企业", "村集体经济组织"),
        (1000, 2500),
    ),
    "co_build": _SiteProfile(
        ("other", "commercial"),
        (300, 1500),
        (1, 2),
        ("开发企业",),
        (600, 1200),
    ),
}
SITE_LABELS = {
    "idle_factory": "闲置厂房",
    "warehouse": "仓库",
    "collective_building": "集体用房",
    "commercial": "沿街商业用房",
    "community_room": "社区用房",
    "state_owned_property": "国有闲置房屋",
    "other": "配套用房",
}
SITE_NOTES = (
    "产权清晰，可整体使用",
    "需结构加固，消防需重新验收",
    "一层临街，具备独立出入口",
    "权属单位有意向，待协商",
    "现状部分出租，租约年底到期",
    "周边老年人口集中",
)


def make_sites(
    rng: random.Random, areas: tuple[CommunityArea, ...], plan: Plan, to_lonlat: ToLonLat
) -> tuple[CandidateSite, ...]:
    """Candidate sites, N_SITES_PER_SOURCE per space source, placed where that kind of building
    stands: factories and warehouses on industrial blocks, co-built space in new estates."""
    locator = _Locator(plan, to_lonlat)
    industrial = [a for a in areas if any(b.use == "industrial" for b in a.blocks)]
    new_estates = [a for a in areas if any(new for _parcel, new in a.compounds)]
    sites: list[CandidateSite] = []
    used_names: set[str] = set()
    for source in SPACE_SOURCES:
        profile = SITE_PROFILES[source]
        for _ in range(N_SITES_PER_SOURCE):
            building_type = rng.choice(profile.building_types)
            if building_type in ("idle_factory", "warehouse") and industrial:
                area = rng.choice(industrial)
                block = rng.choice([b for b in area.blocks if b.use == "industrial"])
                rect = Rect(block.x0, block.y0, block.x1, block.y1)
                point = locator.in_rect(rng, rect, 40.0)
            else:
                area = rng.choice(new_estates if source == "co_build" and new_estates else areas)
                parcels = [p for p, new in area.compounds if new or source != "co_build"]
                point = locator.in_rect(rng, rng.choice(parcels), 5.0)
            floor_area = float(round(rng.uniform(*profile.area_m2), -1))
            unit_cost = rng.randint(*profile.unit_cost_cny)
            lon, lat = locator.lonlat(point)
            sites.append(
                CandidateSite(
                    code=f"S{len(sites) + 1:03d}",
                    name=_unique(
                        f"{area.name.removesuffix('社区')}{SITE_LABELS[building_type]}", used_names
                    ),
                    community_code=area.code,
                    lon=lon,
                    lat=lat,
                    building_type=building_type,
                    floor_area_m2=floor_area,
                    floors=rng.randint(*profile.floors),
                    ownership=rng.choice(profile.ownerships),
                    space_source=source,
                    renovation_cost_cny=(Decimal(int(floor_area)) * unit_cost).quantize(
                        Decimal("0.01")
                    ),
                    status=rng.choices(("available", "reserved", "used"), weights=(7, 2, 1))[0],
                    notes=rng.choice(SITE_NOTES),
                )
            )
    return tuple(sites)
