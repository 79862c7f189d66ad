"""Load the demo city into the database through the services (so it is audited too)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from shapely.geometry import mapping

from linli.accounts import twofactor
from linli.accounts.models import User
from linli.accounts.roles import Department, Role
from linli.accounts.services import ADMINISTRATOR_ROLES, user_create_administrator
from linli.demo import DEMO_PASSWORD
from linli.demo.accounts import open_account
from linli.demo.city import DemoCity, generate_city
from linli.demo.osm import write_osm
from linli.funding.demo import load_funding_demo
from linli.jobs.services import job_submit
from linli.plans.handlers import DIAGNOSE, SITE_PLAN
from linli.policy import DEFAULT_POLICY
from linli.registry.models import (
    CandidateSite,
    Community,
    Compound,
    Jurisdiction,
    Operator,
)
from linli.registry.services import (
    facility_save,
    jurisdiction_create,
    jurisdiction_create_root,
    registry_create,
)

# Demo only: printed by `linli demo`, never used outside the demo data dir.


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role_label: str
    scope: str
    totp_key: str = ""  # base32, for an authenticator app; empty: no second factor


def _scope_codes(city: DemoCity) -> dict[str, str]:
    """The jurisdiction each demo role is bound to: its natural office in the demo city."""
    first = {}
    for spec in city.jurisdictions:
        first.setdefault(spec.level, spec.code)
    return {
        Role.CITY_ADMIN: first["city"],
        Role.CITY_DEPARTMENT: first["city"],
        Role.DISTRICT_OFFICER: first["district"],
        Role.STREET_OFFICER: first["street"],
        Role.COMMUNITY_WORKER: first["community"],
        Role.OPERATOR: first["district"],
        Role.RESIDENT: first["community"],
        Role.SYSTEM_ADMIN: first["city"],
        Role.SECURITY_ADMIN: first["city"],
        Role.AUDITOR: first["city"],
    }


def _load_tree(city: DemoCity, actor: User, root: Jurisdiction) -> dict[str, Jurisdiction]:
    nodes = {root.code: root}
    for spec in city.jurisdictions[1:]:
        nodes[spec.code] = jurisdiction_create(
            actor=actor,
            parent=nodes[spec.parent_code],
            name=spec.name,
            level=spec.level,
            code=spec.code,
        )
    return nodes


def _load_registry(city: DemoCity, actor: User, nodes: dict[str, Jurisdiction]) -> None:
    """Residents, facilities, operators and sites, entered as the city office would."""
    for c in city.communities:
        registry_create(
            actor=actor,
            model=Community,
            jurisdiction=nodes[c.code],
            **{figure: getattr(c, figure) for figure in Community.RESIDENT_FIGURES},
            service_area_m2=_decimal(c.service_area_m2),
            boundary=mapping(c.boundary),
            centroid_lon=c.centroid_lon,
            centroid_lat=c.centroid_lat,
        )
    for c in city.compounds:
        registry_create(
            actor=actor,
            model=Compound,
            jurisdiction=nodes[c.code],
            households=c.households,
            centroid_lon=c.centroid_lon,
            centroid_lat=c.centroid_lat,
            year_built=c.year_built,
            new_estate=c.new_estate,
        )
    operators = {
        o.uscc: registry_create(
            actor=actor,
            model=Operator,
            name=o.name,
            uscc=o.uscc,
            operator_type=o.operator_type,
            contact_name=o.contact_name,
            contact_phone=o.contact_phone,
        )
        for o in city.operators
    }
    for f in city.facilities:
        facility_save(
            actor=actor,
            facility=None,
            code=f.code,
            name=f.name,
            kind=f.kind,
            status=f.status,
            jurisdiction=nodes[f.community_code],
            lon=f.lon,
            lat=f.lat,
            address=f.address,
            gross_floor_area_m2=_decimal(f.gross_floor_area_m2),
            resident_activity_area_m2=_decimal(f.resident_activity_area_m2),
            floors_used=f.floors_used,
            basement=f.basement,
            operator=operators.get(f.operator_uscc),
            operating_model=f.operating_model or "",
            opening_date=f.opening_date,
            land_use_grace_expiry=f.land_use_grace_expiry,
            functions=[
                dict(
                    scenario=fn.scenario,
                    category=fn.category,
                    floor_area_m2=_decimal(fn.floor_area_m2),
                    opening_hours=fn.opening_hours,
                    beds=fn.capacity.beds,
                    nursing_beds=fn.capacity.nursing_beds,
                    respite_beds=fn.capacity.respite_beds,
                    infant_slots=fn.capacity.infant_slots,
                    afterschool_places=fn.capacity.afterschool_places,
                    canteen_seats=fn.capacity.canteen_seats,
                )
                for fn in f.functions
            ],
        )
    for site in city.sites:
        registry_create(
            actor=actor,
            model=CandidateSite,
            code=site.code,
            name=site.name,
            jurisdiction=nodes[site.community_code],
            lon=site.lon,
            lat=site.lat,
            building_type=site.building_type,
            floor_area_m2=_decimal(site.floor_area_m2),
            floors=site.floors,
            ownership=site.ownership,
            space_source=site.space_source,
            renovation_cost_cny=site.renovation_cost_cny,
            status=site.status,
            notes=site.notes,
        )


def _decimal(value: float) -> Decimal:
    return Decimal(str(round(value, 2)))


def _plan_district() -> None:
    """A finished gap diagnosis and site plan of the district, as its officer would run them."""
    officer = User.objects.get(username=f"demo_{Role.DISTRICT_OFFICER}")
    job_submit(
        actor=officer,
        kind=DIAGNOSE,
        jurisdiction=officer.jurisdiction,
        params={"policy": DEFAULT_POLICY},
        inline=True,
    )
    job_submit(
        actor=officer,
        kind=SITE_PLAN,
        jurisdiction=officer.jurisdiction,
        inline=True,
        params={
            "policy": DEFAULT_POLICY,
            "budget_cny": 20_000_000,
            "max_sites": 6,
            "radius_m": 500,
            "scenarios": ["elderly_care", "infant_care", "child_afterschool", "community_meals"],
            "min_floor_area_m2": 150,
            "fundable_complexes": True,
        },
    )


def demo_network_path() -> Path:
    """Where the demo city's walking network (OpenStreetMap) is written."""
    return settings.DATA_DIR / "demo" / "network.osm.pbf"


# The demo officials' names; the header shows each beside its post and jurisdiction.
DEMO_NAMES = {
    Role.CITY_ADMIN: "李明",
    Role.CITY_DEPARTMENT: "王芳",
    Role.DISTRICT_OFFICER: "张伟",
    Role.STREET_OFFICER: "刘洋",
    Role.COMMUNITY_WORKER: "陈静",
    Role.OPERATOR: "赵磊",
    Role.RESIDENT: "孙丽",
    Role.SYSTEM_ADMIN: "周强",
    Role.SECURITY_ADMIN: "吴敏",
    Role.AUDITOR: "郑华",
}


@transaction.atomic
def _load(city: DemoCity) -> None:
    city_spec = city.jurisdictions[0]
    root = jurisdiction_create_root(name=city_spec.name, code=city_spec.code)
    scope = _scope_codes(city)
    administrators = {
        role: user_create_administrator(
            username=f"demo_{role.value}",
            password=DEMO_PASSWORD,
            role=role,
            jurisdiction=root,
            display_name=DEMO_NAMES[role],
        )
        for role in Role
        if role in ADMINISTRATOR_ROLES
    }
    for administrator in administrators.values():
        twofactor.authenticator_install(user=administrator)
    nodes = _load_tree(city, administrators[Role.SYSTEM_ADMIN], root)
    for role in Role:
        if role not in ADMINISTRATOR_ROLES:
            open_account(
                username=f"demo_{role.value}",
                role=role,
                jurisdiction=nodes[scope[role]],
                display_name=DEMO_NAMES[role],
                department=Department.CIVIL_AFFAIRS if role == Role.CITY_DEPARTMENT else "",
            )
    city_admin = User.objects.get(username=f"demo_{Role.CITY_ADMIN}")
    _load_registry(city, city_admin, nodes)
    load_funding_demo()


def load_demo(seed: int = 2026) -> list[DemoAccount]:
    """Load the demo city once (a second run keeps what is there) and list the accounts."""
    if not Jurisdiction.objects.get_root_nodes().exists():
        city = generate_city(seed)
        demo_network_path().parent.mkdir(parents=True, exist_ok=True)
        write_osm(city, demo_network_path())
        _load(city)
        _plan_district()
    users = User.objects.filter(username__in=[f"demo_{role.value}" for role in Role])
    by_role = {user.role: user for user in users.select_related("jurisdiction")}
    return [
        DemoAccount(
            user.username,
            DEMO_PASSWORD,
            str(user.get_role_display()),
            user.jurisdiction.name,
            twofactor.key_text(device) if (device := twofactor.authenticator(user)) else "",
        )
        for role in Role
        if (user := by_role.get(role.value))
    ]
