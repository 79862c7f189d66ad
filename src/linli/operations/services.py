"""Writes of operations: each checks the actor's permission and that the facility is the
actor's to run or supervise (an operator's own facility; an official's area), runs in one
transaction and writes the audit record in it.

Changes residents rely on are dated: a price is a new row from its effective date, new
opening hours are announced with the date they start (:meth:`Service.hours_on`).
"""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from linli.audit.models import AuditAction
from linli.audit.services import audit_record, snapshot
from linli.core.permissions import require_model_permission, require_permission, restrict
from linli.operations.models import (
    Complaint,
    Inspection,
    Price,
    Room,
    Service,
    TimetableSlot,
    UseRecord,
)
from linli.policy import load_pack
from linli.policy.pricing import PricingTerms, price_check
from linli.registry.models import Facility, FacilityFunction

SERVICE_FIELDS = (
    "scenario",
    "name",
    "description",
    "age_group",
    "hours",
    "capacity_per_slot",
    "booking_window_days",
    "cancel_hours_before",
)
USE_FIGURES = ("visits", "meals", "beds_occupied", "infant_places_filled")


def require_facility(actor, facility: Facility) -> None:
    """The facility is one the actor runs (operator) or supervises (its area): else 403."""
    if not restrict(Facility.objects.filter(pk=facility.pk), actor).exists():
        raise PermissionDenied(
            _("%(facility)s is not among your facilities.") % {"facility": facility}
        )


def _create(actor, obj: models.Model) -> None:
    # a protected state field (django-fsm) cannot be set back by clean_fields
    obj.full_clean(exclude=["state"] if isinstance(obj, Complaint) else None)
    obj.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=obj, after=snapshot(obj))


def _update(actor, obj: models.Model, **fields) -> models.Model:
    obj = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    before = snapshot(obj)
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    audit_record(
        actor=actor, action=AuditAction.UPDATE, obj=obj, before=before, after=snapshot(obj)
    )
    return obj


def _delete(actor, obj: models.Model) -> None:
    audit_record(actor=actor, action=AuditAction.DELETE, obj=obj, before=snapshot(obj))
    obj.delete()


def _require_function(facility: Facility, scenario: str) -> None:
    if not FacilityFunction.objects.filter(facility=facility, scenario=scenario).exists():
        raise ValidationError(
            {
                "scenario": _(
                    "%(facility)s has no such function in the registry: choose one of its "
                    "functions, or ask the registry office to add it."
                )
                % {"facility": facility}
            }
        )


def _not_before_today(day: date, field: str) -> None:
    if day < timezone.localdate():
        raise ValidationError(
            {field: _("Changes residents rely on take effect from today or a later date.")}
        )


# --- services ----------------------------------------------------------------------------


@transaction.atomic
def service_create(*, actor, facility: Facility, **fields) -> Service:
    require_model_permission(actor, "add", Service)
    require_facility(actor, facility)
    service = Service(facility=facility, **{k: v for k, v in fields.items() if k in SERVICE_FIELDS})
    _require_function(facility, service.scenario)
    _create(actor, service)
    return service


@transaction.atomic
def service_update(*, actor, service: Service, **fields) -> Service:
    """Change what a service is; its hours change through :func:`service_hours_change`."""
    require_permission(actor, "change", service)
    changes = {k: v for k, v in fields.items() if k in SERVICE_FIELDS and k != "hours"}
    if "scenario" in changes:
        _require_function(service.facility, changes["scenario"])
    return _update(actor, service, **changes)


@transaction.atomic
def service_hours_change(*, actor, service: Service, hours: str, effective_from: date) -> Service:
    """New opening hours from ``effective_from`` (today: at once; later: announced ahead)."""
    require_permission(actor, "change", service)
    _not_before_today(effective_from, "effective_from")
    if not hours.strip():
        raise ValidationError({"hours": _("Write the new opening hours.")})
    today = timezone.localdate()
    current = service.hours_on(today)  # an announced change that has begun is now the rule
    if effective_from <= today or not service.published:
        # nobody relies on an unpublished service's hours yet: they change at once
        return _update(actor, service, hours=hours, next_hours="", next_hours_from=None)
    return _update(actor, service, hours=current, next_hours=hours, next_hours_from=effective_from)


@transaction.atomic
def service_publish(*, actor, service: Service, published: bool) -> Service:
    """Show the service to residents (it needs a price and a weekly session), or withdraw it."""
    require_permission(actor, "change", service)
    if published:
        if not service.slots.exists():
            raise ValidationError(
                _("Add at least one weekly session to the timetable before publishing.")
            )
        if not service.prices.exists():
            raise ValidationError(_("Set a price (zero for a free service) before publishing."))
    return _update(
        actor,
        service,
        published=published,
        published_at=timezone.now() if published else None,
    )


# --- rooms and the weekly timetable (错时使用) ---------------------------------------------


@transaction.atomic
def room_create(*, actor, facility: Facility, name: str, capacity: int, area_m2=None) -> Room:
    require_model_permission(actor, "add", Room)
    require_facility(actor, facility)
    room = Room(facility=facility, name=name, capacity=capacity, area_m2=area_m2)
    _create(actor, room)
    return room


@transaction.atomic
def room_update(*, actor, room: Room, **fields) -> Room:
    require_permission(actor, "change", room)
    return _update(
        actor, room, **{k: v for k, v in fields.items() if k in ("name", "capacity", "area_m2")}
    )


@transaction.atomic
def room_delete(*, actor, room: Room) -> None:
    require_permission(actor, "delete", room)
    if room.slots.exists():
        raise ValidationError(_("Sessions still use this room: move or delete them first."))
    _delete(actor, room)


@transaction.atomic
def slot_create(
    *, actor, service: Service, room: Room, weekday: int, start: time, end: time
) -> TimetableSlot:
    """A weekly session; the room is locked so that two sessions never overlap in it."""
    require_model_permission(actor, "add", TimetableSlot)
    require_permission(actor, "change", service)
    room = Room.objects.select_for_update().get(pk=room.pk)  # serialise bookings of this room
    if room.facility_id != service.facility_id:
        raise ValidationError({"room": _("Choose a room of the service's own facility.")})
    slot = TimetableSlot(service=service, room=room, weekday=weekday, start=start, end=end)
    if start >= end:
        raise ValidationError({"end": _("A session must end after it starts.")})
    clash = slot.overlapping().first()
    if clash is not None:
        raise ValidationError(
            {
                "start": _(
                    "%(room)s is taken by %(service)s on %(day)s from %(start)s to %(end)s: "
                    "choose another time or room."
                )
                % {
                    "room": room,
                    "service": clash.service,
                    "day": clash.get_weekday_display(),
                    "start": f"{clash.start:%H:%M}",
                    "end": f"{clash.end:%H:%M}",
                }
            }
        )
    _create(actor, slot)
    return slot


@transaction.atomic
def slot_delete(*, actor, slot: TimetableSlot) -> None:
    require_permission(actor, "delete", slot)
    _delete(actor, slot)


# --- prices and the inclusive-price check --------------------------------------------------


def pricing_terms() -> PricingTerms | None:
    """The installation's pack's pricing terms (None: the pack sets none)."""
    return load_pack(settings.POLICY_PACK).pricing


def price_preview(*, service: Service, unit: str, amount: Decimal, cost_basis: Decimal) -> list:
    """The check's findings as dicts, for the form before it is saved."""
    terms = pricing_terms()
    if terms is None:
        return []
    findings = price_check(
        terms, scenario=service.scenario, unit=unit, amount=amount, cost=cost_basis
    )
    return [finding.to_dict() for finding in findings]


@transaction.atomic
def price_set(
    *,
    actor,
    service: Service,
    amount: Decimal,
    unit: str,
    cost_basis: Decimal,
    effective_from: date,
    label: str = "",
) -> Price:
    """A price from ``effective_from`` on, checked against cost plus the reasonable margin
    (and the city's reference price). A failed ``error`` finding refuses it; a failed
    ``warning`` (a number not yet confirmed, RULES.md RECALLED) is recorded and shown."""
    require_model_permission(actor, "add", Price)
    require_permission(actor, "change", service)
    if service.published:  # residents rely on a published price: changes are announced ahead
        _not_before_today(effective_from, "effective_from")
    findings = price_preview(service=service, unit=unit, amount=amount, cost_basis=cost_basis)
    blocking = [f for f in findings if not f["passed"] and f["severity"] == "error"]
    if blocking:
        raise ValidationError(
            {"amount": [f["message_zh"] + f"（{f['source']}）" for f in blocking]}
        )
    price = Price(
        service=service,
        label=label,
        amount=amount,
        unit=unit,
        cost_basis=cost_basis,
        effective_from=effective_from,
        findings=findings,
        passed=all(f["passed"] for f in findings),
        created_by=actor,
    )
    _create(actor, price)
    return price


# --- monthly use -----------------------------------------------------------------------------

_CAPACITY_OF = {"beds_occupied": "beds", "infant_places_filled": "infant_slots"}


def use_record_problems(facility: Facility, month: date, scenario: str, figures: dict) -> dict:
    """Field → message for a month of use that cannot be right (empty when it can)."""
    problems = {}
    if month.day != 1:
        problems["month"] = _("Give the month as its first day.")
    elif month > timezone.localdate().replace(day=1):
        problems["month"] = _("Use is recorded once the month has begun, not ahead.")
    function = FacilityFunction.objects.filter(facility=facility, scenario=scenario).first()
    if function is None:
        problems["scenario"] = _(
            "%(facility)s has no such function in the registry: choose one of its functions."
        ) % {"facility": facility}
        return problems
    for field, capacity_field in _CAPACITY_OF.items():
        capacity = getattr(function, capacity_field)
        if figures.get(field, 0) > capacity:
            problems[field] = _(
                "%(value)s is more than the %(capacity)s the registry records for this function: "
                "correct the figure or the registry."
            ) % {"value": figures[field], "capacity": capacity}
    for field in USE_FIGURES:
        value = figures.get(field, 0)
        if not isinstance(value, int) or value < 0:
            problems[field] = _("Enter a whole number, zero or more.")
    return problems


def _save_use(actor, facility, month, scenario, figures, source) -> UseRecord:
    existing = (
        UseRecord.objects.select_for_update()
        .filter(facility=facility, month=month, scenario=scenario)
        .first()
    )
    if existing is not None:
        return _update(actor, existing, source=source, recorded_by=actor, **figures)
    record = UseRecord(
        facility=facility,
        month=month,
        scenario=scenario,
        source=source,
        recorded_by=actor,
        **figures,
    )
    _create(actor, record)
    return record


@transaction.atomic
def use_record_save(
    *, actor, facility: Facility, month: date, scenario: str, **figures
) -> UseRecord:
    """Enter (or correct) a month of use of one function of the facility."""
    require_model_permission(actor, "add", UseRecord)
    require_model_permission(actor, "change", UseRecord)
    require_facility(actor, facility)
    figures = {k: figures.get(k, 0) for k in USE_FIGURES}
    problems = use_record_problems(facility, month, scenario, figures)
    if problems:
        raise ValidationError(problems)
    return _save_use(actor, facility, month, scenario, figures, "entered")


@transaction.atomic
def use_records_import(*, actor, facility: Facility, rows: list[dict]) -> list[UseRecord]:
    """Rows already read and checked by :mod:`linli.operations.imports`: all or nothing."""
    require_model_permission(actor, "add", UseRecord)
    require_model_permission(actor, "change", UseRecord)
    require_facility(actor, facility)
    return [
        _save_use(
            actor,
            facility,
            row["month"],
            row["scenario"],
            {k: row[k] for k in USE_FIGURES},
            "imported",
        )
        for row in rows
    ]


# --- inspections ---------------------------------------------------------------------------

INSPECTION_FIELDS = ("inspected_on", "kind", "inspector", "result", "findings", "rectify_by")


@transaction.atomic
def inspection_record(*, actor, facility: Facility, **fields) -> Inspection:
    require_model_permission(actor, "add", Inspection)
    require_facility(actor, facility)
    inspection = Inspection(
        facility=facility,
        recorded_by=actor,
        **{k: v for k, v in fields.items() if k in INSPECTION_FIELDS},
    )
    if inspection.inspected_on and inspection.inspected_on > timezone.localdate():
        raise ValidationError({"inspected_on": _("An inspection is recorded once it took place.")})
    _create(actor, inspection)
    return inspection


@transaction.atomic
def inspection_rectify(
    *, actor, inspection: Inspection, rectified_on: date, rectification: str
) -> Inspection:
    require_permission(actor, "change", inspection)
    if inspection.result == "passed":
        raise ValidationError(_("This inspection asked for no rectification."))
    if not rectification.strip():
        raise ValidationError({"rectification": _("Say what was rectified.")})
    if not inspection.inspected_on <= rectified_on <= timezone.localdate():
        raise ValidationError(
            {"rectified_on": _("The date lies between the inspection and today.")}
        )
    return _update(actor, inspection, rectified_on=rectified_on, rectification=rectification)


# --- complaints ----------------------------------------------------------------------------


@transaction.atomic
def complaint_record(
    *,
    actor,
    facility: Facility,
    received_on: date,
    subject: str,
    deadline: date,
    channel: str = "phone",
    detail: str = "",
    service: Service | None = None,
    resident=None,
) -> Complaint:
    """A complaint taken by the operator (phone, in person) or referred to it."""
    require_model_permission(actor, "add", Complaint)
    require_facility(actor, facility)
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": _("A complaint is recorded once received.")})
    if service is not None and service.facility_id != facility.pk:
        raise ValidationError({"service": _("Choose a service of this facility.")})
    complaint = Complaint(
        facility=facility,
        service=service,
        resident=resident,
        received_on=received_on,
        channel=channel,
        subject=subject,
        detail=detail,
        deadline=deadline,
        recorded_by=actor,
    )
    _create(actor, complaint)
    return complaint


def _complaint_transition(actor, complaint: Complaint, name: str, **fields) -> Complaint:
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    before = snapshot(complaint)
    method = getattr(complaint, name)
    if not can_proceed(method):
        raise ValidationError(
            _("This step is not possible while the complaint is “%(state)s”.")
            % {"state": complaint.get_state_display()}
        )
    for field, value in fields.items():
        setattr(complaint, field, value)
    method()
    complaint.save()
    audit_record(
        actor=actor,
        action=AuditAction.TRANSITION,
        obj=complaint,
        before=before,
        after=snapshot(complaint),
        transition=name,
    )
    return complaint


@transaction.atomic
def complaint_answer(*, actor, complaint: Complaint, handling_notes: str) -> Complaint:
    """The operator's handling and answer to the resident."""
    require_permission(actor, "change", complaint)
    if not handling_notes.strip():
        raise ValidationError(
            {"handling_notes": _("Say how it was handled and what was answered.")}
        )
    return _complaint_transition(
        actor,
        complaint,
        "answer",
        handling_notes=handling_notes,
        answered_on=timezone.localdate(),
    )


@transaction.atomic
def complaint_close(*, actor, complaint: Complaint) -> Complaint:
    require_permission(actor, "change", complaint)
    return _complaint_transition(actor, complaint, "close", closed_on=timezone.localdate())
