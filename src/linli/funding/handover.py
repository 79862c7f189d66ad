"""From project to facility: what the funding steps change in the registry.

The candidate site follows the project (reserved when the city selects it, in use from the
start of construction), and at 投入运营 the project becomes a registry facility with its
functions, capacities, areas, operator, operating model and land-use grace, linked both ways
(``application.facility`` / ``facility.funded_project``). Each is called from the funding
service that takes the step, inside its transaction, and writes through the registry's
services, so the actor's permission and scope are checked and every change is audited.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from linli.audit.models import AuditAction
from linli.audit.services import audit_record, snapshot
from linli.funding.models import Application
from linli.registry.choices import FacilityStatus, SiteStatus
from linli.registry.models import CandidateSite, Facility, Level
from linli.registry.services import facility_save, registry_update

# An application's ``seats`` are a canteen's in 社区助餐 and after-school places in 儿童托管.
_SEATS_FIELD = {"community_meals": "canteen_seats", "child_afterschool": "afterschool_places"}


def site_reserve(*, actor, application: Application) -> None:
    """At selection: the project's site is taken off the market (site plans skip it)."""
    site = application.site
    if site is None:
        return
    site = CandidateSite.objects.select_for_update().get(pk=site.pk)
    if site.status != SiteStatus.AVAILABLE:
        raise ValidationError(
            {
                "site": _(
                    "The candidate site %(site)s is already %(status)s for another project: "
                    "choose another site before selecting this project."
                )
                % {"site": site, "status": site.get_status_display()}
            }
        )
    registry_update(actor=actor, obj=site, status=SiteStatus.RESERVED)


def site_occupy(*, actor, application: Application) -> None:
    """At the start of construction: the site is in use."""
    if application.site is not None:
        registry_update(actor=actor, obj=application.site, status=SiteStatus.USED)


def _place(application: Application) -> tuple[object, float, float, str]:
    """Community, longitude, latitude and address of the facility the project becomes."""
    site = application.site
    community = application.community
    if community is None and site is not None:
        node = site.jurisdiction
        community = node.get_parent() if node.level == Level.COMPOUND else node
        if community.level != Level.COMMUNITY:
            community = None
    if community is None:
        raise ValidationError(
            {
                "community": _(
                    "Name the community the project serves before recording 投入运营: "
                    "the facility is registered there."
                )
            }
        )
    if site is not None:
        return community, site.lon, site.lat, site.address or application.location
    record = getattr(community, "community", None)
    if record is None or record.centroid_lon is None or record.centroid_lat is None:
        raise ValidationError(
            {
                "site": _(
                    "The project has no candidate site and its community no centre point: "
                    "choose the site (or enter the community's centre) before recording 投入运营."
                )
            }
        )
    return community, record.centroid_lon, record.centroid_lat, application.location


def _functions(application: Application) -> list[dict]:
    """The facility's functions from the project's, one per scenario (capacities summed)."""
    merged: dict[str, dict] = {}
    for function in application.functions.order_by("pk"):
        row = merged.setdefault(
            function.scenario,
            dict(scenario=function.scenario, category=function.category, floor_area_m2=None),
        )
        if function.floor_area_m2 is not None:
            row["floor_area_m2"] = (row["floor_area_m2"] or 0) + function.floor_area_m2
        capacities = {
            "beds": function.beds,
            "nursing_beds": function.nursing_beds,
            "infant_slots": function.infant_slots,
            _SEATS_FIELD.get(function.scenario, "canteen_seats"): function.seats,
        }
        for field, value in capacities.items():
            if value:
                row[field] = row.get(field, 0) + value
    return list(merged.values())


def facility_from_project(*, actor, application: Application, opened_on: date) -> Facility:
    """投入运营: register the facility the project became and link the two."""
    community, lon, lat, address = _place(application)
    approval = getattr(application, "subsidy_approval", None)
    facility = facility_save(
        actor=actor,
        facility=None,
        functions=_functions(application),
        code=f"XM{application.pk:06d}",
        name=application.name,
        jurisdiction=community,
        kind=application.kind,
        status=FacilityStatus.OPERATING,
        lon=lon,
        lat=lat,
        address=address[:200],
        gross_floor_area_m2=application.gross_floor_area_m2,
        resident_activity_area_m2=application.resident_activity_area_m2,
        operator=application.operator,
        operating_model=application.operating_model,
        opening_date=opened_on,
        land_use_grace_expiry=approval.land_use_grace_expiry if approval else None,
    )
    before = snapshot(application)
    application.facility = facility
    application.save(update_fields=["facility"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=application,
        before=before,
        after=snapshot(application),
    )
    return facility
