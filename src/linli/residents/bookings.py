"""Booking services: book (or join the waiting list), cancel by the rule and promote the next,
recurring series, the operator's record of the visit, ratings, reminders with a calendar file.

Every write checks permission and scope, runs in one transaction and audits; the places of a
session change only here, under the session row's lock, and the database refuses more places
taken than there are (``session_never_overbooked``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import icalendar
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.audit.models import AuditAction
from linli.audit.services import audit_record
from linli.core.permissions import require_model_permission, require_permission, restrict
from linli.operations.models import Service, TimetableSlot
from linli.residents.choices import ACTIVE_STATES, BookingState, ConsentKind
from linli.residents.models import Booking, FamilyMember, Rating, Resident, Series, Session
from linli.residents.services import resident_tell, standing_consent


def _facts(booking: Booking) -> dict:
    """What the audit keeps of a booking: no names (see linli.residents.services)."""
    return {
        "id": booking.pk,
        "session": booking.session_id,
        "resident": booking.resident_id,
        "member": booking.member_id,
        "party_size": booking.party_size,
        "state": booking.state,
        "series": booking.series_id,
    }


# --- sessions ------------------------------------------------------------------------------


def bookable_days(service: Service, today: dt.date | None = None) -> list[dt.date]:
    today = today or timezone.localdate()
    return [today + dt.timedelta(days=n) for n in range(service.booking_window_days + 1)]


def _aware(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


def upcoming(
    service: Service, today: dt.date | None = None
) -> list[tuple[TimetableSlot, dt.date, Session | None]]:
    """The sessions residents may book now: each slot on each day of the window, with its
    session row where one exists (places taken); sessions already begun are left out."""
    now = timezone.now()
    slots = list(service.slots.all()) if hasattr(service, "slots") else []
    if not slots:
        slots = list(TimetableSlot.objects.filter(service=service))
    existing = {
        (s.slot_id, s.date): s
        for s in Session.objects.filter(service=service, date__in=bookable_days(service, today))
    }
    found = []
    for day in bookable_days(service, today):
        for slot in slots:
            if slot.weekday == day.weekday() and _aware(day, slot.start) > now:
                found.append((slot, day, existing.get((slot.pk, day))))
    return sorted(found, key=lambda item: (item[1], item[0].start))


def session_for(slot: TimetableSlot, day: dt.date) -> Session:
    """The session row of ``slot`` on ``day``, made on first booking (two at once: one wins)."""
    try:
        with transaction.atomic():
            session, _created = Session.objects.get_or_create(
                slot=slot,
                date=day,
                defaults=dict(
                    service=slot.service,
                    starts_at=_aware(day, slot.start),
                    ends_at=_aware(day, slot.end),
                    capacity=slot.service.capacity_per_slot,
                ),
            )
    except IntegrityError:
        session = Session.objects.get(slot=slot, date=day)
    return session


# --- booking -------------------------------------------------------------------------------


def _check_consent(resident: Resident, member: FamilyMember | None) -> None:
    """Consent before processing (PIPL 第二十九、三十一条): the resident's own; a child's
    guardian consent; for health notes the separate consent for sensitive data."""
    if not standing_consent(resident, ConsentKind.GENERAL):
        raise ValidationError(
            {"resident": _("Consent: the resident's consent to the processing is not on record.")}
        )
    if member is None:
        return
    if member.is_child() and not standing_consent(resident, ConsentKind.GUARDIAN, member):
        raise ValidationError(
            {
                "member": _(
                    "For whom: a child under 14 can be booked only with the guardian's consent; "
                    "give it under My family first."
                )
            }
        )
    if member.health_notes and not standing_consent(resident, ConsentKind.SENSITIVE):
        raise ValidationError(
            {
                "member": _(
                    "For whom: the health notes of this person may be passed on only with your "
                    "consent for sensitive data; give it under My family first."
                )
            }
        )


def _check_quota(resident: Resident, member, service: Service, party_size: int) -> None:
    if party_size < 1 or party_size > settings.BOOKING_MAX_PARTY:
        raise ValidationError(
            {
                "party_size": _("People: book for 1 to %(max)d people at a time.")
                % {"max": settings.BOOKING_MAX_PARTY}
            }
        )
    live = Booking.objects.filter(
        resident=resident,
        member=member,
        session__service=service,
        state__in=ACTIVE_STATES,
        session__starts_at__gte=timezone.now(),
    ).count()
    if live >= settings.BOOKING_MAX_UPCOMING:
        raise ValidationError(
            {
                "session": _(
                    "Session: each person holds at most %(max)d upcoming bookings of a service; "
                    "cancel one first."
                )
                % {"max": settings.BOOKING_MAX_UPCOMING}
            }
        )


def _require_acting_for(actor, resident: Resident) -> None:
    """The resident themselves, or the desk of their community (线上线下融合)."""
    require_model_permission(actor, "add", Booking)
    require_permission(actor, "change", resident)


def _book(actor, resident, member, slot, day, party_size, series=None) -> Booking:
    slot = TimetableSlot.objects.select_related("service__facility").get(pk=slot.pk)
    service = slot.service
    if not service.published:
        raise ValidationError({"session": _("Session: this service is not open for booking.")})
    if day not in bookable_days(service) or _aware(day, slot.start) <= timezone.now():
        raise ValidationError(
            {
                "session": _(
                    "Session: bookings open %(days)d days ahead and close when the session starts."
                )
                % {"days": service.booking_window_days}
            }
        )
    if slot.weekday != day.weekday():
        raise ValidationError({"session": _("Session: the service does not run on that day.")})
    if member is not None and member.resident_id != resident.pk:
        raise PermissionDenied
    _check_consent(resident, member)
    _check_quota(resident, member, service, party_size)
    session = session_for(slot, day)
    # The session row is locked until commit: whoever comes next waits, then sees our places.
    session = Session.objects.select_for_update().get(pk=session.pk)
    booking = Booking(
        session=session,
        resident=resident,
        member=member,
        party_size=party_size,
        series=series,
        booked_by=actor,
    )
    if session.booked + party_size <= session.capacity:
        Session.objects.filter(pk=session.pk).update(booked=F("booked") + party_size)
        booking.confirm()
    else:
        booking.waitlist()
    try:
        with transaction.atomic():
            booking.full_clean(
                exclude=["session", "resident", "member", "series", "booked_by", "state"]
            )
            booking.save()
    except IntegrityError as error:
        raise ValidationError(
            {"session": _("Session: this person is already booked for it.")}
        ) from error
    audit_record(actor=actor, action=AuditAction.CREATE, obj=booking, after=_facts(booking))
    return booking


def _tell_booked(booking: Booking) -> None:
    session = booking.session
    when = timezone.localtime(session.starts_at)
    if booking.state == BookingState.CONFIRMED:
        subject = _("Booked: %(service)s") % {"service": session.service}
        body = _("%(service)s at %(facility)s on %(when)s is booked.") % {
            "service": session.service,
            "facility": session.service.facility,
            "when": f"{when:%Y-%m-%d %H:%M}",
        }
        resident_tell(booking.resident, subject, body, [calendar_file(booking)])
    else:
        subject = _("Waiting list: %(service)s") % {"service": session.service}
        body = _(
            "%(service)s on %(when)s is full; you are on the waiting list and will be told "
            "at once if a place frees up."
        ) % {"service": session.service, "when": f"{when:%Y-%m-%d %H:%M}"}
        resident_tell(booking.resident, subject, body)


@transaction.atomic
def booking_create(
    *,
    actor,
    resident: Resident,
    slot: TimetableSlot,
    day: dt.date,
    party_size: int = 1,
    member: FamilyMember | None = None,
) -> Booking:
    """Book a session: confirmed while places last, else on the waiting list."""
    _require_acting_for(actor, resident)
    booking = _book(actor, resident, member, slot, day, party_size)
    _tell_booked(booking)
    return booking


@transaction.atomic
def series_create(
    *,
    actor,
    resident: Resident,
    service: Service,
    weekdays: list[int],
    until: dt.date,
    party_size: int = 1,
    member: FamilyMember | None = None,
) -> Series:
    """A recurring booking: every session of ``service`` on ``weekdays`` until ``until``, booked
    now within the window and later by :func:`series_book_due` as days come into it."""
    _require_acting_for(actor, resident)
    if not weekdays:
        raise ValidationError({"weekdays": _("Weekdays: choose at least one day.")})
    if until <= timezone.localdate():
        raise ValidationError({"until": _("Until: choose a date after today.")})
    series = Series.objects.create(
        resident=resident,
        member=member,
        service=service,
        weekdays=",".join(str(d) for d in sorted(set(weekdays))),
        until=until,
        party_size=party_size,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=series,
        after={"id": series.pk, "service": service.pk, "weekdays": series.weekdays},
    )
    booked = _series_book(actor, series)
    if not booked:
        raise ValidationError(
            {"weekdays": _("Weekdays: the service has no sessions on these days.")}
        )
    return series


def _series_book(actor, series: Series) -> list[Booking]:
    days = set(series.weekday_list())
    booked = []
    for slot, day, _session in upcoming(series.service):
        if day.weekday() not in days or day > series.until:
            continue
        exists = Booking.objects.filter(
            series=series, session__slot=slot, session__date=day
        ).exists()
        if exists:
            continue
        try:
            with transaction.atomic():
                booked.append(
                    _book(
                        actor, series.resident, series.member, slot, day, series.party_size, series
                    )
                )
        except ValidationError:
            continue  # that day is not possible (quota, already booked): the others go ahead
    return booked


def series_book_due() -> int:
    """Daily: book the sessions that came into the window for every live series."""
    count = 0
    for series in Series.objects.filter(ended_at__isnull=True, until__gte=timezone.localdate()):
        actor = series.resident.user
        if actor is None or not actor.is_active:
            continue
        with transaction.atomic():
            count += len(_series_book(actor, series))
    return count


# --- cancellation and the waiting list ----------------------------------------------------


def _promote(actor, session: Session) -> list[Booking]:
    """Give freed places to the waiting list, first come first served (a party too large for
    what is free waits; smaller ones behind it may go ahead)."""
    promoted = []
    for waiting in session.bookings.filter(state=BookingState.WAITLISTED).order_by(
        "created_at", "pk"
    ):
        session.refresh_from_db(fields=["booked"])
        if session.booked + waiting.party_size > session.capacity:
            continue
        Session.objects.filter(pk=session.pk).update(booked=F("booked") + waiting.party_size)
        waiting.promote()
        waiting.save()
        audit_record(
            actor=actor,
            action=AuditAction.TRANSITION,
            obj=waiting,
            after=_facts(waiting),
            transition="promote",
        )
        promoted.append(waiting)
        when = timezone.localtime(session.starts_at)
        resident_tell(
            waiting.resident,
            _("A place for you: %(service)s") % {"service": session.service},
            _("A place freed up: %(service)s on %(when)s is now booked for you.")
            % {"service": session.service, "when": f"{when:%Y-%m-%d %H:%M}"},
            [calendar_file(waiting)],
        )
    return promoted


@transaction.atomic
def booking_cancel(*, actor, booking: Booking) -> Booking:
    """Cancel by the service's rule: a resident up to ``cancel_hours_before`` the start; the
    operator at any time (a closure). Freed places go to the waiting list at once."""
    booking = get_for_action(actor, booking, "change")
    session = Session.objects.select_for_update().get(pk=booking.session_id)
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if booking.state not in ACTIVE_STATES:
        raise ValidationError(_("This booking can no longer be cancelled."))
    operator = getattr(actor, "operator_scoped", False)
    hours = session.service.cancel_hours_before
    if not operator and timezone.now() > session.starts_at - dt.timedelta(hours=hours):
        raise ValidationError(
            _(
                "Cancellation: this service takes cancellations up to %(hours)d hours before "
                "the start; ask the facility directly."
            )
            % {"hours": hours}
        )
    held = booking.state == BookingState.CONFIRMED
    booking.cancel()
    booking.cancelled_at = timezone.now()
    booking.save()
    audit_record(
        actor=actor,
        action=AuditAction.TRANSITION,
        obj=booking,
        after=_facts(booking),
        transition="cancel",
    )
    if held:
        Session.objects.filter(pk=session.pk).update(booked=F("booked") - booking.party_size)
        _promote(actor, session)
    if operator:
        resident_tell(
            booking.resident,
            _("Cancelled by the facility: %(service)s") % {"service": session.service},
            _("The facility cancelled your booking of %(when)s. We are sorry.")
            % {"when": f"{timezone.localtime(session.starts_at):%Y-%m-%d %H:%M}"},
        )
    return booking


def get_for_action(actor, booking: Booking, action: str) -> Booking:
    found = restrict(Booking.objects.filter(pk=booking.pk), actor, action).first()
    if found is None:
        raise PermissionDenied
    return found


# --- the visit and its rating -------------------------------------------------------------


@transaction.atomic
def booking_record_visit(*, actor, booking: Booking, attended: bool) -> Booking:
    """The operator records whether the person came (from the session's start)."""
    booking = get_for_action(actor, booking, "attend")
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if timezone.now() < booking.session.starts_at:
        raise ValidationError(_("A visit is recorded once the session has started."))
    if booking.state != BookingState.CONFIRMED:
        raise ValidationError(_("Only a confirmed booking can be marked as a visit."))
    booking.attend() if attended else booking.miss()
    booking.save()
    audit_record(
        actor=actor,
        action=AuditAction.TRANSITION,
        obj=booking,
        after=_facts(booking),
        transition="attend" if attended else "miss",
    )
    return booking


@transaction.atomic
def booking_rate(*, actor, booking: Booking, stars: int, comment: str = "") -> Rating:
    booking = get_for_action(actor, booking, "rate")
    if booking.state != BookingState.ATTENDED:
        raise ValidationError({"stars": _("Stars: a visit can be rated once it took place.")})
    if Rating.objects.filter(booking=booking).exists():
        raise ValidationError({"stars": _("Stars: this visit is rated already.")})
    rating = Rating(booking=booking, stars=stars, comment=(comment or "").strip())
    rating.full_clean()
    rating.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=rating,
        after={"id": rating.pk, "booking": booking.pk, "stars": stars},
    )
    return rating


# --- reminders -----------------------------------------------------------------------------


def calendar_file(booking: Booking) -> tuple[str, bytes, str]:
    """The booking as an iCalendar event (RFC 5545) with an alarm an hour before."""
    session = booking.session
    facility = session.service.facility
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//linli//bookings//ZH")
    calendar.add("version", "2.0")
    event = icalendar.Event()
    event.add("uid", f"booking-{booking.pk}@linli")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    event.add("summary", f"{session.service} · {facility}")
    event.add("location", facility.address or facility.name)
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", str(session.service))
    alarm.add("trigger", dt.timedelta(hours=-1))
    event.add_component(alarm)
    calendar.add_component(event)
    return (f"booking-{booking.pk}.ics", calendar.to_ical(), "text/calendar")


def send_reminders(now: dt.datetime | None = None) -> int:
    """Remind every confirmed booking that starts within a day (run hourly or daily)."""
    now = now or timezone.now()
    due = Booking.objects.filter(
        state=BookingState.CONFIRMED,
        reminded_at__isnull=True,
        session__starts_at__gt=now,
        session__starts_at__lte=now + dt.timedelta(hours=settings.BOOKING_REMIND_HOURS),
    ).select_related("session__service__facility", "resident__user")
    count = 0
    for booking in due:
        with transaction.atomic():
            when = timezone.localtime(booking.session.starts_at)
            resident_tell(
                booking.resident,
                _("Reminder: %(service)s") % {"service": booking.session.service},
                _("%(service)s at %(facility)s, %(when)s.")
                % {
                    "service": booking.session.service,
                    "facility": booking.session.service.facility,
                    "when": f"{when:%Y-%m-%d %H:%M}",
                },
                [calendar_file(booking)],
            )
            Booking.objects.filter(pk=booking.pk).update(reminded_at=now)
            count += 1
    return count


def price_text(service: Service, day: dt.date | None = None) -> str:
    prices = service.prices_on(day or timezone.localdate())
    return " · ".join(
        f"{p.label + ' ' if p.label else ''}¥{p.amount:.2f} {p.get_unit_display()}" for p in prices
    )


def lowest_price(service: Service, day: dt.date | None = None) -> Decimal | None:
    prices = service.prices_on(day or timezone.localdate())
    return min((p.amount for p in prices), default=None)


# --- complaints filed by residents (the operator answers; late ones go to the street) ------


@transaction.atomic
def complaint_file(*, actor, facility, subject: str, detail: str = "", service=None):
    """A resident's complaint about a facility; the operator answers by the deadline
    (``LINLI_COMPLAINT_ANSWER_DAYS``), else it is escalated to the street."""
    from linli.operations.models import Complaint

    require_model_permission(actor, "portal", Resident)
    if not restrict(facility._meta.model.objects.filter(pk=facility.pk), actor).exists():
        raise PermissionDenied
    if not (subject or "").strip():
        raise ValidationError({"subject": _("Subject: say in a few words what went wrong.")})
    if service is not None and service.facility_id != facility.pk:
        raise ValidationError({"service": _("Service: choose a service of this facility.")})
    today = timezone.localdate()
    complaint = Complaint(
        facility=facility,
        service=service,
        resident=actor,
        received_on=today,
        channel="online",
        subject=subject.strip(),
        detail=(detail or "").strip(),
        deadline=today + dt.timedelta(days=settings.COMPLAINT_ANSWER_DAYS),
        recorded_by=actor,
    )
    complaint.full_clean(exclude=["state"])
    complaint.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=complaint,
        after={"id": complaint.pk, "facility": facility.pk, "deadline": str(complaint.deadline)},
    )
    return complaint


def complaints_escalate_late(today: dt.date | None = None) -> int:
    """Daily: open complaints past their deadline go to the street of the facility, whose
    officers are told (e-mail and the complaint list); returns how many."""
    from linli.accounts.models import User
    from linli.notifications import Message, notify
    from linli.operations.choices import ComplaintState
    from linli.operations.models import Complaint
    from linli.registry.models import Jurisdiction

    today = today or timezone.localdate()
    late = Complaint.objects.filter(state=ComplaintState.OPEN, deadline__lt=today)
    count = 0
    for complaint in late.select_related("facility__jurisdiction"):
        with transaction.atomic():
            complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
            if complaint.state != ComplaintState.OPEN:
                continue
            complaint.escalate()
            complaint.save()
            audit_record(
                actor=None,
                action=AuditAction.TRANSITION,
                obj=complaint,
                after={"id": complaint.pk, "state": complaint.state},
                transition="escalate",
            )
            street_path = complaint.facility.jurisdiction.path[: 3 * Jurisdiction.steplen]
            officers = User.objects.filter(
                role="street_officer", is_active=True, jurisdiction__path=street_path
            ).exclude(email="")
            for officer in officers:
                notify(
                    Message(
                        subject=_("Complaint not answered in time: %(facility)s")
                        % {"facility": complaint.facility},
                        body=_("“%(subject)s” was due for an answer on %(deadline)s.")
                        % {"subject": complaint.subject, "deadline": complaint.deadline},
                        email=officer.email,
                    )
                )
            count += 1
    return count
