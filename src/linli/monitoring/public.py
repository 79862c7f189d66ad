"""What residents may read without an account: only projects the city marked public.

These pages have no user, so they cannot read through ``restrict``; the public flag
(:class:`ProjectPlan.public`, set by the city through :func:`services.project_publish`, audited)
is their only way in. Each selector returns plain fields chosen for the public, never a model
row a template could walk from: no names of officials, no consultation records, no reviews.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet, Sum
from django.urls import reverse
from django.utils import timezone

from linli.funding.choices import ApplicationState
from linli.funding.models import Application, Attachment, Ledger, Milestone
from linli.registry.choices import FacilityStatus
from linli.registry.models import Jurisdiction, Level

S = ApplicationState
IMAGE_TYPES = ("image/jpeg", "image/png")


def public_projects() -> QuerySet[Application]:
    return Application.objects.filter(monitoring_plan__public=True)


def _district_of(node: Jurisdiction) -> Jurisdiction | None:
    if node.level == Level.DISTRICT:
        return node
    return Jurisdiction.objects.get_ancestors(node).filter(level=Level.DISTRICT).first()


def public_districts() -> list[tuple[Jurisdiction, int]]:
    """Districts with at least one public project, and how many."""
    counts: dict[int, tuple[Jurisdiction, int]] = {}
    for project in public_projects().select_related("jurisdiction"):
        district = _district_of(project.jurisdiction)
        if district is not None:
            found = counts.get(district.pk, (district, 0))
            counts[district.pk] = (district, found[1] + 1)
    return sorted(counts.values(), key=lambda pair: pair[0].path)


def district_projects(district: Jurisdiction) -> QuerySet[Application]:
    return public_projects().filter(jurisdiction__path__startswith=district.path).order_by("name")


@dataclass(frozen=True)
class PublicMilestone:
    label: str
    achieved_on: date
    photo_url: str


@dataclass(frozen=True)
class PublicProject:
    pk: int
    name: str
    status: str
    district: str
    district_url: str
    street: str
    community: str
    address: str
    lon: float | None
    lat: float | None
    functions: list[dict]
    approved_cny: Decimal | None
    released_cny: Decimal | None
    milestones: list[PublicMilestone]
    operating: bool
    opening_hours: list[tuple[str, str]]
    prices: str
    url: str


def _place(project: Application) -> dict[str, Jurisdiction]:
    node = project.community or project.jurisdiction
    chain = {j.level: j for j in Jurisdiction.objects.get_ancestors(node)}
    chain[node.level] = node
    return chain


def photo_url(project: Application, attachment: Attachment | None) -> str:
    if attachment is None or attachment.content_type not in IMAGE_TYPES:
        return ""
    return reverse("progress:photo", args=[project.pk, attachment.pk])


def public_project(project: Application) -> PublicProject:
    place = _place(project)
    district = place.get(Level.DISTRICT)
    site = project.site
    ledger = Ledger.objects.filter(application=project).first()
    milestones = [
        PublicMilestone(m.get_kind_display(), m.achieved_on, photo_url(project, m.evidence))
        for m in Milestone.objects.filter(application=project).select_related("evidence")
    ]
    operating = project.state == S.OPERATING
    return PublicProject(
        pk=project.pk,
        name=project.name,
        status=project.get_public_status_display(),
        district=district.name if district else "",
        district_url=reverse("progress:district", args=[district.pk]) if district else "",
        street=place[Level.STREET].name if Level.STREET in place else "",
        community=place[Level.COMMUNITY].name if Level.COMMUNITY in place else "",
        address=(site.address or site.name) if site else project.location,
        lon=site.lon if site else None,
        lat=site.lat if site else None,
        functions=[
            {
                "scenario": f.get_scenario_display(),
                "category": f.get_category_display(),
                "floor_area_m2": f.floor_area_m2,
                "capacity": [
                    (f._meta.get_field(column).verbose_name, getattr(f, column))
                    for column in ("beds", "nursing_beds", "infant_slots", "seats")
                    if getattr(f, column)
                ],
            }
            for f in project.functions.all()
        ],
        approved_cny=ledger.approved_cny if ledger else None,
        released_cny=ledger.released_cny if ledger else None,
        milestones=milestones,
        operating=operating,
        opening_hours=opening_hours(project) if operating else [],
        prices=project.price_schedule if operating else "",
        url=reverse("progress:project", args=[project.pk]),
    )


def opening_hours(project: Application) -> list[tuple[str, str, list[str]]]:
    """The services the facility the project became publishes to residents (operations), with
    today's hours and prices: (service, hours, prices)."""
    from linli.operations.models import Service

    facility = project.facility
    if facility is None or facility.status != FacilityStatus.OPERATING:
        return []
    today = timezone.localdate()
    shown = []
    for service in Service.objects.filter(facility=facility, published=True):
        prices = [
            f"{price.label or ''}{price.amount:.2f} 元/{price.get_unit_display()}"
            for price in service.prices_on(today)
        ]
        shown.append((service.name, service.hours_on(today), prices))
    return shown


def district_money(district: Jurisdiction) -> dict:
    return Ledger.objects.filter(application__in=district_projects(district)).aggregate(
        approved=Sum("approved_cny"), released=Sum("released_cny")
    )
