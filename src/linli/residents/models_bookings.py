"""Bookings on the operators' timetable: dated sessions that hold their places, bookings with
a waiting list, recurring series, and ratings of a visit.

Capacity is the database's to guard: each dated session is one :class:`Session` row whose
``booked`` may never exceed ``capacity`` (a check constraint, on SQLite and PostgreSQL), and a
booking takes its places while holding that row locked (``SELECT … FOR UPDATE`` on PostgreSQL;
SQLite's write lock, ``transaction_mode=IMMEDIATE``, serialises writers). Two residents racing
for the last place: one gets it, the other joins the waiting list.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from linli.core.permissions import RestrictedQuerySet
from linli.residents.choices import ACTIVE_STATES, BookingState


class Session(models.Model):
    """One dated occurrence of a timetable slot, with its places."""

    slot = models.ForeignKey(
        "operations.TimetableSlot",
        on_delete=models.CASCADE,
        related_name="sessions",
        verbose_name=_("timetable slot"),
    )
    service = models.ForeignKey(
        "operations.Service",
        on_delete=models.CASCADE,
        related_name="sessions",
        verbose_name=_("service"),
    )
    date = models.DateField(_("date"))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    capacity = models.PositiveIntegerField(_("places"))
    booked = models.PositiveIntegerField(_("places taken"), default=0)

    objects = RestrictedQuerySet.as_manager()
    public_to_residents = True
    scope_path = "service__facility__jurisdiction__path"
    operator_path = "service__facility__operator"

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["slot", "date"],
                name="one_session_per_slot_and_day",
                violation_error_message=_(
                    "Date: this time slot already has a session on that day; choose another day."
                ),
            ),
            models.CheckConstraint(
                name="session_never_overbooked",
                condition=models.Q(booked__lte=models.F("capacity")),
                violation_error_message=_("Places: this session is full."),
            ),
        ]

    def __str__(self) -> str:
        local = timezone.localtime(self.starts_at)
        return f"{self.service} · {local:%Y-%m-%d %H:%M}"

    @property
    def places_left(self) -> int:
        return max(0, self.capacity - self.booked)


class Series(models.Model):
    """A recurring booking (daily lunch at the canteen): the sessions of the chosen weekdays
    are booked as they come into the booking window, until ``until``."""

    resident = models.ForeignKey(
        "residents.Resident", on_delete=models.CASCADE, related_name="series"
    )
    member = models.ForeignKey(
        "residents.FamilyMember", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    service = models.ForeignKey("operations.Service", on_delete=models.CASCADE, related_name="+")
    weekdays = models.CharField(_("weekdays"), max_length=20)  # "0,1,2,3,4"
    party_size = models.PositiveSmallIntegerField(_("people"), default=1)
    until = models.DateField(_("until"))
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_path = "resident__jurisdiction__path"
    owner_path = "resident__user"

    class Meta:
        verbose_name = _("recurring booking")
        verbose_name_plural = _("recurring booking")

    def __str__(self) -> str:
        return f"{self.service} · {self.weekdays}"

    def weekday_list(self) -> list[int]:
        return [int(d) for d in self.weekdays.split(",") if d != ""]


class Booking(FSMModelMixin, models.Model):
    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("session")
    )
    resident = models.ForeignKey(
        "residents.Resident",
        on_delete=models.PROTECT,
        related_name="bookings",
        verbose_name=_("resident"),
    )
    member = models.ForeignKey(
        "residents.FamilyMember",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bookings",
        verbose_name=_("for"),
    )
    party_size = models.PositiveSmallIntegerField(
        _("people"), default=1, validators=[MinValueValidator(1)]
    )
    state = FSMField(
        _("state"), default=BookingState.REQUESTED, choices=BookingState.choices, protected=True
    )
    series = models.ForeignKey(
        Series, on_delete=models.SET_NULL, null=True, blank=True, related_name="bookings"
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("booked"), default=timezone.now, db_index=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_path = "resident__jurisdiction__path"
    owner_path = "resident__user"
    operator_path = "session__service__facility__operator"

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["session__starts_at", "created_at", "pk"]
        permissions = [
            ("attend_booking", _("Can record whether the person came")),
            ("rate_booking", _("Can rate a visit")),
        ]
        constraints = [
            models.CheckConstraint(
                name="booking_party_at_least_one",
                condition=models.Q(party_size__gte=1),
                violation_error_message=_("People: at least one person."),
            ),
            # One live booking per person per session: a second would double the places.
            models.UniqueConstraint(
                fields=["session", "resident"],
                condition=models.Q(state__in=ACTIVE_STATES, member__isnull=True),
                name="one_live_booking_per_resident_and_session",
                violation_error_message=_("Session: you have already booked this session."),
            ),
            models.UniqueConstraint(
                fields=["session", "member"],
                condition=models.Q(state__in=ACTIVE_STATES, member__isnull=False),
                name="one_live_booking_per_member_and_session",
                violation_error_message=_("Session: this person is already booked for it."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session} · {self.get_state_display()}"

    # --- transitions (called only from linli.residents.bookings) ----------------------------
    @transition(field=state, source=BookingState.REQUESTED, target=BookingState.CONFIRMED)
    def confirm(self):
        pass

    @transition(field=state, source=BookingState.REQUESTED, target=BookingState.WAITLISTED)
    def waitlist(self):
        pass

    @transition(field=state, source=BookingState.WAITLISTED, target=BookingState.CONFIRMED)
    def promote(self):
        pass

    @transition(field=state, source=list(ACTIVE_STATES), target=BookingState.CANCELLED)
    def cancel(self):
        pass

    @transition(field=state, source=BookingState.CONFIRMED, target=BookingState.ATTENDED)
    def attend(self):
        pass

    @transition(field=state, source=BookingState.CONFIRMED, target=BookingState.NO_SHOW)
    def miss(self):
        pass


class Rating(models.Model):
    """A resident's rating of a visit (1–5 stars), one per attended booking."""

    booking = models.OneToOneField(
        Booking, on_delete=models.CASCADE, related_name="rating", verbose_name=_("booking")
    )
    stars = models.PositiveSmallIntegerField(
        _("stars"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("rated"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()
    scope_path = "booking__session__service__facility__jurisdiction__path"
    owner_path = "booking__resident__user"
    operator_path = "booking__session__service__facility__operator"

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="rating_one_to_five_stars",
                condition=models.Q(stars__gte=1, stars__lte=5),
                violation_error_message=_("Stars: give from 1 to 5 stars."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.stars}★ · {self.booking.session}"
