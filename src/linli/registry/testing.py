"""Registry objects for tests, made through the services (so they are audited too)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from linli.accounts.models import User
from linli.accounts.roles import Role
from linli.core.testing import TestTree, make_user
from linli.registry.models import CandidateSite, Community, Facility, Jurisdiction, Operator
from linli.registry.services import facility_save, registry_create

SAMPLE_USCC = "91419902MA0000001K"  # passes the GB 32100 check character


@dataclass
class RegistrySample:
    """One of each registry object in community A (in scope) and community B (outside)."""

    community_a: Community
    community_b: Community
    facility_a: Facility
    facility_b: Facility
    site_a: CandidateSite
    site_b: CandidateSite
    operator: Operator


def _community(keeper: User, node: Jurisdiction, lon: float) -> Community:
    return registry_create(
        actor=keeper,
        model=Community,
        jurisdiction=node,
        households=1200,
        population=3300,
        aged_0_2=90,
        aged_3_5=100,
        aged_6_12=260,
        aged_60_plus=800,
        aged_80_plus=120,
        service_area_m2=Decimal("300"),
        centroid_lon=lon,
        centroid_lat=34.75,
        boundary={
            "type": "Polygon",
            "coordinates": [
                [
                    [lon - 0.002, 34.748],
                    [lon + 0.002, 34.748],
                    [lon + 0.002, 34.752],
                    [lon - 0.002, 34.752],
                    [lon - 0.002, 34.748],
                ]
            ],
        },
    )


def _facility(keeper: User, code: str, node: Jurisdiction, operator: Operator, lon: float):
    return facility_save(
        actor=keeper,
        facility=None,
        code=code,
        name=f"{node.name}养老服务驿站",
        kind="scattered",
        status="operating",
        jurisdiction=node,
        lon=lon,
        lat=34.75,
        gross_floor_area_m2=Decimal("400"),
        operator=operator,
        functions=[
            dict(scenario="elderly_care", category="basic_public", beds=20, nursing_beds=12)
        ],
    )


def _site(keeper: User, code: str, node: Jurisdiction, lon: float) -> CandidateSite:
    return registry_create(
        actor=keeper,
        model=CandidateSite,
        code=code,
        name=f"{node.name}闲置仓库",
        jurisdiction=node,
        lon=lon,
        lat=34.751,
        building_type="warehouse",
        floor_area_m2=Decimal("900"),
        space_source="convert",
        renovation_cost_cny=Decimal("1800000.00"),
    )


def make_registry(tree: TestTree) -> RegistrySample:
    """Entered by a city programme officer, who keeps the registry for the whole city."""
    keeper = make_user(tree, Role.CITY_ADMIN, tree.city, "registry-keeper")
    operator = registry_create(
        actor=keeper,
        model=Operator,
        name="示范养老服务有限公司",
        uscc=SAMPLE_USCC,
        operator_type="enterprise",
    )
    return RegistrySample(
        community_a=_community(keeper, tree.community_a, 113.60),
        community_b=_community(keeper, tree.community_b, 113.62),
        facility_a=_facility(keeper, "F-A-1", tree.community_a, operator, 113.601),
        facility_b=_facility(keeper, "F-B-1", tree.community_b, operator, 113.621),
        site_a=_site(keeper, "S-A-1", tree.community_a, 113.602),
        site_b=_site(keeper, "S-B-1", tree.community_b, 113.622),
        operator=operator,
    )
