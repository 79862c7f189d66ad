"""What an operator (运营主体) runs in a facility: services, rooms and their weekly timetable,
prices with their cost basis, monthly use, inspections and complaints.

Every model is scoped twice (see :func:`linli.core.permissions.restrict`): officials see the
facilities in their jurisdiction subtree (``scope_path``), an operator account sees its own
operator's facilities wherever they are (``operator_path``). Writes go through
:mod:`linli.operations.services`.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from linli.core.permissions import RestrictedQuerySet
from linli.core.vocabulary import choices
from linli.operations.choices import (
    AgeGroup,
    ComplaintChannel,
    ComplaintState,
    InspectionKind,
    InspectionResult,
    PriceUnit,
    UseSource,
    Weekday,
)
from linli.policy import vocabulary

_NON_NEGATIVE = [MinValueValidator(0)]


class FacilityScoped(models.Model):
    """Scoped by the facility's community, or, for an operator account, its operator."""

    facility = models.ForeignKey(
        "registry.Facility",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("facility"),
    )

    objects = RestrictedQuerySet.as_manager()
    scope_path = "facility__jurisdiction__path"
    operator_path = "facility__operator"

    class Meta:
        abstract = True


class Service(FacilityScoped):
    """One service residents can use, under one of the facility's functions (scenario)."""

    public_to_residents = True  # what is on offer, seen city-wide (core.permissions)

    facility = models.ForeignKey(
        "registry.Facility",
        on_delete=models.CASCADE,
        related_name="services",
        verbose_name=_("facility"),
    )
    scenario = models.CharField(_("scenario"), max_length=32, choices=choices(vocabulary.SCENARIOS))
    name = models.CharField(_("service name"), max_length=100)
    description = models.TextField(_("what it offers"), blank=True)
    age_group = models.CharField(
        _("who it is for"), max_length=16, choices=AgeGroup.choices, default=AgeGroup.ALL
    )
    hours = models.CharField(
        _("opening hours"),
        max_length=200,
        help_text=_("In words people read, e.g. 周一至周五 11:00–13:00."),
    )
    # A change of hours residents rely on is announced ahead: the new hours and their date.
    next_hours = models.CharField(_("new opening hours"), max_length=200, blank=True)
    next_hours_from = models.DateField(_("new hours from"), null=True, blank=True)
    capacity_per_slot = models.PositiveIntegerField(
        _("places per session"), default=1, validators=[MinValueValidator(1)]
    )
    booking_window_days = models.PositiveSmallIntegerField(
        _("bookable days ahead"), default=7, validators=[MinValueValidator(1)]
    )
    cancel_hours_before = models.PositiveSmallIntegerField(
        _("cancel at least hours before"), default=2
    )
    published = models.BooleanField(_("published to residents"), default=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["facility", "scenario", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "name"],
                name="service_name_unique_in_facility",
                violation_error_message=_(
                    "This facility already has a service of that name: choose another name."
                ),
            ),
            models.CheckConstraint(
                name="service_capacity_positive",
                condition=models.Q(capacity_per_slot__gte=1),
                violation_error_message=_("Places per session must be at least 1."),
            ),
            models.CheckConstraint(
                name="service_next_hours_dated",
                condition=models.Q(next_hours="") | models.Q(next_hours_from__isnull=False),
                violation_error_message=_("New opening hours need the date they start from."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("operations:service_detail", args=[self.facility_id, self.pk])

    def hours_on(self, day: date) -> str:
        """The opening hours in force on ``day`` (the announced new hours from their date)."""
        if self.next_hours and self.next_hours_from and day >= self.next_hours_from:
            return self.next_hours
        return self.hours

    def prices_on(self, day: date) -> list[Price]:
        """The price of each item (label and unit) in force on ``day``."""
        current: dict[tuple[str, str], Price] = {}
        for price in self.prices.filter(effective_from__lte=day).order_by("effective_from", "pk"):
            current[(price.label, price.unit)] = price
        return list(current.values())


class Room(FacilityScoped):
    """A room of the facility; several services may use it at different times (错时使用)."""

    facility = models.ForeignKey(
        "registry.Facility",
        on_delete=models.CASCADE,
        related_name="rooms",
        verbose_name=_("facility"),
    )
    name = models.CharField(_("room"), max_length=100)
    capacity = models.PositiveIntegerField(
        _("capacity (people)"), default=1, validators=[MinValueValidator(1)]
    )
    area_m2 = models.DecimalField(
        _("area (m²)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=_NON_NEGATIVE,
    )

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["facility", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "name"],
                name="room_name_unique_in_facility",
                violation_error_message=_(
                    "This facility already has a room of that name: choose another name."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TimetableSlot(models.Model):
    """A weekly session of a service in a room. Sessions in one room never overlap: the
    service that creates a slot locks the room and refuses an overlap (错时使用)."""

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="slots", verbose_name=_("service")
    )
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, related_name="slots", verbose_name=_("room")
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("starts"))
    end = models.TimeField(_("ends"))

    objects = RestrictedQuerySet.as_manager()
    public_to_residents = True
    scope_path = "service__facility__jurisdiction__path"
    operator_path = "service__facility__operator"

    class Meta:
        verbose_name = _("timetable slot")
        verbose_name_plural = _("timetable slots")
        ordering = ["room", "weekday", "start"]
        constraints = [
            models.CheckConstraint(
                name="slot_ends_after_start",
                condition=models.Q(end__gt=models.F("start")),
                violation_error_message=_("A session must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M} {self.service}"

    def overlapping(self) -> models.QuerySet[TimetableSlot]:
        """Other sessions in the same room on the same day whose times intersect this one."""
        return (
            TimetableSlot.objects.filter(
                room=self.room_id, weekday=self.weekday, start__lt=self.end, end__gt=self.start
            )
            .exclude(pk=self.pk)
            .select_related("service")
        )


class Price(models.Model):
    """One price of a service from a date on, with the cost it is built on (服务成本+合理利润).

    Prices are never edited in place: a change is a new row with its own effective date, so
    residents see what they pay today and what they will pay from when.
    """

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="prices", verbose_name=_("service")
    )
    label = models.CharField(
        _("price item"),
        max_length=100,
        blank=True,
        help_text=_("e.g. 80岁以上老人; blank: standard"),
    )
    amount = models.DecimalField(
        _("price (CNY)"), max_digits=10, decimal_places=2, validators=_NON_NEGATIVE
    )
    unit = models.CharField(_("unit"), max_length=16, choices=PriceUnit.choices)
    cost_basis = models.DecimalField(
        _("cost per unit (CNY)"), max_digits=10, decimal_places=2, validators=_NON_NEGATIVE
    )
    effective_from = models.DateField(_("effective from"))
    # The inclusive-price check as it ran when the price was set: findings with citations.
    findings = models.JSONField(_("inclusive-price check"), default=list, blank=True)
    passed = models.BooleanField(_("passes the inclusive-price check"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    public_to_residents = True
    scope_path = "service__facility__jurisdiction__path"
    operator_path = "service__facility__operator"

    class Meta:
        verbose_name = _("price")
        verbose_name_plural = _("prices")
        ordering = ["service", "label", "-effective_from", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "label", "unit", "effective_from"],
                name="one_price_per_item_and_date",
                violation_error_message=_(
                    "This item already has a price from that date: choose another date."
                ),
            ),
            models.CheckConstraint(
                name="price_non_negative",
                condition=models.Q(amount__gte=0) & models.Q(cost_basis__gte=0),
                violation_error_message=_("Price and cost cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.label} {self.amount} {self.get_unit_display()}"


def first_of_month(day: date) -> date:
    return day.replace(day=1)


class UseRecord(FacilityScoped):
    """A month of use of one function of a facility: visits, meals, beds, infant places."""

    facility = models.ForeignKey(
        "registry.Facility",
        on_delete=models.CASCADE,
        related_name="use_records",
        verbose_name=_("facility"),
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    scenario = models.CharField(_("scenario"), max_length=32, choices=choices(vocabulary.SCENARIOS))
    visits = models.PositiveIntegerField(_("visits"), default=0)
    meals = models.PositiveIntegerField(_("meals served"), default=0)
    beds_occupied = models.PositiveIntegerField(_("beds occupied (monthly average)"), default=0)
    infant_places_filled = models.PositiveIntegerField(_("infant places filled"), default=0)
    source = models.CharField(
        _("source"), max_length=16, choices=UseSource.choices, default=UseSource.ENTERED
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now=True)

    class Meta:
        verbose_name = _("monthly use record")
        verbose_name_plural = _("monthly use records")
        ordering = ["facility", "-month", "scenario"]
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "month", "scenario"],
                name="one_use_record_per_month_and_scenario",
                violation_error_message=_(
                    "This month already has a record for that scenario: change that record."
                ),
            ),
            models.CheckConstraint(
                name="use_month_is_first_day",
                condition=models.Q(month__day=1),
                violation_error_message=_("The month must be given as its first day."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facility} {self.month:%Y-%m} {self.get_scenario_display()}"


class Inspection(FacilityScoped):
    """An inspection of the facility (supervision, safety, fire, food) and its rectification."""

    facility = models.ForeignKey(
        "registry.Facility",
        on_delete=models.CASCADE,
        related_name="inspections",
        verbose_name=_("facility"),
    )
    inspected_on = models.DateField(_("inspected on"))
    kind = models.CharField(_("kind"), max_length=24, choices=InspectionKind.choices)
    inspector = models.CharField(_("inspecting body"), max_length=100)
    result = models.CharField(_("result"), max_length=16, choices=InspectionResult.choices)
    findings = models.TextField(_("findings"), blank=True)
    rectify_by = models.DateField(_("rectify by"), null=True, blank=True)
    rectified_on = models.DateField(_("rectified on"), null=True, blank=True)
    rectification = models.TextField(_("rectification"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["facility", "-inspected_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="inspection_rectify_date_when_required",
                condition=~models.Q(result="rectify") | models.Q(rectify_by__isnull=False),
                violation_error_message=_(
                    "A rectification is required: give the date it must be done by."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facility} {self.inspected_on} {self.get_kind_display()}"


class Complaint(FSMModelMixin, FacilityScoped):
    """A complaint about a facility, handled by its operator within a deadline.

    ``resident`` is the account that filed it online (None for one taken at the desk or on the
    phone, or after the resident's data was deleted). States (DESIGN.md §8): open → answered →
    closed; open → escalated (to the street, when late) → answered/closed.
    """

    facility = models.ForeignKey(
        "registry.Facility",
        on_delete=models.CASCADE,
        related_name="complaints",
        verbose_name=_("facility"),
    )
    service = models.ForeignKey(
        Service,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("service"),
    )
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("resident"),
    )
    received_on = models.DateField(_("received on"))
    channel = models.CharField(
        _("channel"),
        max_length=16,
        choices=ComplaintChannel.choices,
        default=ComplaintChannel.PHONE,
    )
    subject = models.CharField(_("subject"), max_length=200)
    detail = models.TextField(_("what happened"), blank=True)
    deadline = models.DateField(_("answer by"))
    state = FSMField(
        _("state"), default=ComplaintState.OPEN, choices=ComplaintState.choices, protected=True
    )
    handling_notes = models.TextField(_("handling and answer"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["facility", "-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="complaint_deadline_after_receipt",
                condition=models.Q(deadline__gte=models.F("received_on")),
                violation_error_message=_("The answer deadline cannot be before the complaint."),
            ),
        ]

    # A resident sees the complaints they filed (linli.residents); operators and offices as set.
    owner_path = "resident"

    def __str__(self) -> str:
        return self.subject

    def is_late(self, today: date) -> bool:
        return self.state == ComplaintState.OPEN and today > self.deadline

    # --- transitions (called only from services) ---------------------------------------

    @transition(
        field=state,
        source=[ComplaintState.OPEN, ComplaintState.ESCALATED],
        target=ComplaintState.ANSWERED,
    )
    def answer(self):
        """The operator answers the resident."""

    @transition(field=state, source=ComplaintState.OPEN, target=ComplaintState.ESCALATED)
    def escalate(self):
        """Late or serious: handed to the street."""

    @transition(
        field=state,
        source=[ComplaintState.ANSWERED, ComplaintState.ESCALATED],
        target=ComplaintState.CLOSED,
    )
    def close(self):
        """Settled."""
