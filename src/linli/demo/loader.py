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
from linli.accounts.roles import Role
from linli.accounts.services import ADMINISTRATOR_ROLES, user_create_administrator
from linli.demo import DEMO_PASSWORD
from linli.demo.accounts import DEMO_ACCOUNTS, demo_username, open_account
from linli.demo.city import DemoCity, generate_city
from linli.demo.osm import write_osm
from linli.demo.policy import DEMO_POLICY, install_demo_pack
from linli.funding.demo import load_funding_demo
from linli.jobs.services import job_submit
from linli.monitoring.demo import load_monitoring_demo
from linli.operations.demo import load_operations_demo, tie_demo_operator
from linli.participation.demo import load_participation_demo
from linli.plans.handlers import DIAGNOSE, SITE_PLAN
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
from linli.residents.demo import load_residents_demo

# Demo only: printed by `linli demo`, never used outside the demo data dir.


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role_label: str
    scope: str
    totp_key: str = ""  # base32, for an authenticator app; empty: no second factor


def _scope_nodes(city: DemoCity) -> dict[str, str]:
    """The code of the demo city's first node of each level: where each account is bound."""
    first = {}
    for spec in city.jurisdictions:
        first.setdefault(spec.level, spec.code)
    return first


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
    officer = User.objects.get(username=demo_username(Role.DISTRICT_OFFICER))
    job_submit(
        actor=officer,
        kind=DIAGNOSE,
        jurisdiction=officer.jurisdiction,
        params={"policy": DEMO_POLICY},
        inline=True,
    )
    job_submit(
        actor=officer,
        kind=SITE_PLAN,
        jurisdiction=officer.jurisdiction,
        inline=True,
        params={
            "policy": DEMO_POLICY,
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


@transaction.atomic
def _load(city: DemoCity) -> None:
    city_spec = city.jurisdictions[0]
    root = jurisdiction_create_root(name=city_spec.name, code=city_spec.code)
    scope = _scope_nodes(city)
    nodes = {root.code: root}
    # The three administrators come first: they keep the tree and open the other accounts.
    for spec in DEMO_ACCOUNTS:
        if spec.role in ADMINISTRATOR_ROLES:
            administrator = user_create_administrator(
                username=spec.username,
                password=DEMO_PASSWORD,
                role=spec.role,
                jurisdiction=nodes[scope[spec.scope]],
                display_name=spec.name,
            )
            twofactor.authenticator_install(user=administrator)
    nodes = _load_tree(city, User.objects.get(username=demo_username(Role.SYSTEM_ADMIN)), root)
    for spec in DEMO_ACCOUNTS:
        if spec.role not in ADMINISTRATOR_ROLES:
            open_account(
                username=spec.username,
                role=spec.role,
                jurisdiction=nodes[scope[spec.scope]],
                display_name=spec.name,
                department=spec.department,
            )
    city_admin = User.objects.get(username=demo_username(Role.CITY_ADMIN))
    _load_registry(city, city_admin, nodes)
    operator = tie_demo_operator()
    load_funding_demo(operator=operator)
    load_operations_demo()
    load_residents_demo()
    load_participation_demo()


def _post(user: User) -> str:
    """The account's post as the header shows it: role, and department for a reviewer."""
    labels = (user.get_role_display(), user.get_department_display())
    return " · ".join(str(label) for label in labels if label)


def load_demo(seed: int = 2026) -> list[DemoAccount]:
    """Load the demo city once (a second run keeps what is there) and list the accounts."""
    install_demo_pack(settings.DATA_DIR)  # before anything cites it (again on every start)
    if not Jurisdiction.objects.get_root_nodes().exists():
        city = generate_city(seed)
        demo_network_path().parent.mkdir(parents=True, exist_ok=True)
        write_osm(city, demo_network_path())
        _load(city)
        _plan_district()
        load_monitoring_demo()
    users = User.objects.select_related("jurisdiction").in_bulk(
        [spec.username for spec in DEMO_ACCOUNTS], field_name="username"
    )
    return [
        DemoAccount(
            user.username,
            DEMO_PASSWORD,
            _post(user),
            user.jurisdiction.name,
            twofactor.key_text(device) if (device := twofactor.authenticator(user)) else "",
        )
        for spec in DEMO_ACCOUNTS
        if (user := users.get(spec.username))
    ]
