"""Booking pages: a service's sessions and the booking form, my bookings (cancel, calendar
file, rating, complaint), and the operator's sessions where visits are recorded."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from linli.core.permissions import get_restricted_or_404, restrict
from linli.core.views import requires
from linli.operations.models import Complaint, Service, TimetableSlot
from linli.registry.models import Facility
from linli.residents import bookings, views
from linli.residents.choices import ACTIVE_STATES, BookingState
from linli.residents.models import Booking, FamilyMember, Resident, Session
from linli.residents.privacy import mask_phone, shown


class BookForm(forms.Form):
    slot = forms.IntegerField(widget=forms.HiddenInput)
    day = forms.DateField(widget=forms.HiddenInput)
    member = forms.TypedChoiceField(
        label=_l("For whom"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    party_size = forms.IntegerField(
        label=_l("People"),
        min_value=1,
        initial=1,
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [("", _l("Myself"))] + [(m.pk, m.name) for m in members]


class SeriesForm(forms.Form):
    weekdays = forms.TypedMultipleChoiceField(
        label=_l("Every"),
        coerce=int,
        choices=[
            (0, _l("Monday")),
            (1, _l("Tuesday")),
            (2, _l("Wednesday")),
            (3, _l("Thursday")),
            (4, _l("Friday")),
            (5, _l("Saturday")),
            (6, _l("Sunday")),
        ],
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    until = forms.DateField(
        label=_l("Until"), widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )
    member = forms.TypedChoiceField(
        label=_l("For whom"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [("", _l("Myself"))] + [(m.pk, m.name) for m in members]


def _members(request, resident):
    return list(restrict(FamilyMember.objects.filter(resident=resident), request.user))


def _member(request, resident, pk):
    if pk is None:
        return None
    member = restrict(FamilyMember.objects.filter(resident=resident, pk=pk), request.user).first()
    if member is None:
        raise PermissionDenied
    return member


def facility_services(user, facility: Facility):
    """The facility page's section: its published services with hours, prices and places."""
    services = restrict(Service.objects.filter(facility=facility, published=True), user)
    today = timezone.localdate()
    rows = [
        {
            "service": s,
            "hours": s.hours_on(today),
            "prices": bookings.price_text(s, today),
        }
        for s in services
    ]
    return render_to_string(
        "residents/_facility_services.html", {"rows": rows, "facility": facility}
    )


views.FACILITY_SECTIONS.append(facility_services)


def price_filter(results, max_price):
    """Keep what costs at most ``max_price`` (a facility without a price set is kept)."""
    today = timezone.localdate()
    kept = []
    for found in results:
        services = found.facility.services.filter(published=True)
        lows = [p for p in (bookings.lowest_price(s, today) for s in services) if p is not None]
        found.price = f"¥{min(lows):.2f}" if lows else ""
        if max_price is None or not lows or min(lows) <= max_price:
            kept.append(found)
    return kept


views.PRICE_FILTERS.append(price_filter)


@requires(Resident, "portal")
def service(request, pk):
    """A service's sessions, the booking form and the recurring booking."""
    found = get_restricted_or_404(Service.objects.filter(published=True), request.user, pk=pk)
    resident = views.own_resident(request)
    members = _members(request, resident)
    form = BookForm(request.POST or None, members=members)
    series_form = SeriesForm(
        request.POST if "series" in request.POST else None, members=members, prefix="series"
    )
    if request.method == "POST" and "series" in request.POST:
        if series_form.is_valid():
            data = series_form.cleaned_data
            try:
                bookings.series_create(
                    actor=request.user,
                    resident=resident,
                    service=found,
                    weekdays=data["weekdays"],
                    until=data["until"],
                    member=_member(request, resident, data["member"]),
                )
            except ValidationError as error:
                views._form_errors(series_form, error)
            else:
                messages.success(request, _("Recurring booking made."))
                return redirect("residents:bookings")
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        slot = get_restricted_or_404(
            TimetableSlot.objects.filter(service=found), request.user, pk=data["slot"]
        )
        try:
            booking = bookings.booking_create(
                actor=request.user,
                resident=resident,
                slot=slot,
                day=data["day"],
                party_size=data["party_size"],
                member=_member(request, resident, data["member"]),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if booking.state == BookingState.CONFIRMED:
                messages.success(request, _("Booked. A calendar file is in your messages."))
            else:
                messages.warning(request, _("The session is full: you are on the waiting list."))
            return redirect("residents:bookings")
    sessions = [
        {
            "slot": slot,
            "day": day,
            "left": session.places_left if session else found.capacity_per_slot,
        }
        for slot, day, session in bookings.upcoming(found)
    ]
    return render(
        request,
        "residents/service.html",
        {
            "service": found,
            "hours": found.hours_on(timezone.localdate()),
            "prices": bookings.price_text(found),
            "sessions": sessions,
            "form": form,
            "series_form": series_form,
            "title": found.name,
        },
    )


@requires(Resident, "portal")
def my_bookings(request):
    resident = views.own_resident(request)
    own = (
        restrict(Booking.objects.filter(resident=resident), request.user)
        .select_related("session__service__facility", "member")
        .order_by("-session__starts_at")
    )
    now = timezone.now()
    rows = []
    for b in own[:100]:
        rows.append(
            {
                "booking": b,
                "for": shown(request.user, b.member, ("name",), request.path)["name"]
                if b.member
                else "",
                "can_cancel": b.state in ACTIVE_STATES and b.session.starts_at > now,
                "can_rate": b.state == BookingState.ATTENDED and not hasattr(b, "rating"),
            }
        )
    complaints = restrict(Complaint.objects.filter(resident=request.user), request.user)
    return render(
        request,
        "residents/bookings.html",
        {"rows": rows, "complaints": complaints, "title": _("My bookings")},
    )


@require_POST
@requires(Booking, "change")
def booking_cancel(request, pk):
    booking = get_restricted_or_404(Booking.objects.all(), request.user, "change", pk=pk)
    try:
        bookings.booking_cancel(actor=request.user, booking=booking)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.info(request, _("Booking cancelled."))
    if getattr(request.user, "operator_scoped", False):
        return redirect("residents:session_detail", pk=booking.session_id)
    return redirect("residents:bookings")


@requires(Booking, "view")
def booking_calendar(request, pk):
    booking = get_restricted_or_404(Booking.objects.all(), request.user, pk=pk)
    name, content, mimetype = bookings.calendar_file(booking)
    response = HttpResponse(content, content_type=mimetype)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
@requires(Booking, "rate")
def booking_rate(request, pk):
    booking = get_restricted_or_404(Booking.objects.all(), request.user, "rate", pk=pk)
    try:
        bookings.booking_rate(
            actor=request.user,
            booking=booking,
            stars=int(request.POST.get("stars") or 0),
            comment=request.POST.get("comment", ""),
        )
    except (ValidationError, ValueError) as error:
        messages.error(
            request,
            " ".join(error.messages)
            if isinstance(error, ValidationError)
            else _("Stars: give from 1 to 5 stars."),
        )
    else:
        messages.success(request, _("Thank you for your rating."))
    return redirect("residents:bookings")


class ComplaintForm(forms.Form):
    subject = forms.CharField(
        label=_l("What went wrong"),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    detail = forms.CharField(
        label=_l("Details (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 4}),
    )


@requires(Resident, "portal")
def complaint_new(request, pk):
    facility = get_restricted_or_404(Facility.objects.all(), request.user, pk=pk)
    form = ComplaintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            bookings.complaint_file(actor=request.user, facility=facility, **form.cleaned_data)
        except ValidationError as error:
            views._form_errors(form, error)
        else:
            messages.success(
                request, _("Complaint sent. The facility answers within a few working days.")
            )
            return redirect("residents:bookings")
    return render(
        request,
        "residents/complaint_form.html",
        {"form": form, "facility": facility, "title": _("Complaint")},
    )


# --- the operator ---------------------------------------------------------------------------


@requires(Session, "view")
def session_list(request):
    """The operator's sessions with bookings, from yesterday on."""
    if not getattr(request.user, "operator_scoped", False):
        raise PermissionDenied
    since = timezone.now() - dt.timedelta(days=1)
    sessions = (
        restrict(Session.objects.filter(ends_at__gte=since), request.user)
        .select_related("service__facility")
        .order_by("starts_at")[:200]
    )
    return render(
        request, "residents/session_list.html", {"sessions": sessions, "title": _("Bookings")}
    )


@requires(Session, "view")
def session_detail(request, pk):
    if not getattr(request.user, "operator_scoped", False):
        raise PermissionDenied
    session = get_restricted_or_404(Session.objects.all(), request.user, pk=pk)
    rows = []
    for b in session.bookings.select_related("resident", "member").order_by("created_at", "pk"):
        member = (
            shown(request.user, b.member, ("name", "health_notes"), request.path)
            if b.member
            else {}
        )
        rows.append(
            {
                "booking": b,
                "name": b.resident.name,
                "phone": mask_phone(b.resident.phone),
                "member": member,
            }
        )
    return render(
        request,
        "residents/session_detail.html",
        {
            "session": session,
            "rows": rows,
            "started": timezone.now() >= session.starts_at,
            "title": str(session),
        },
    )


@require_POST
@requires(Booking, "attend")
def booking_visit(request, pk):
    booking = get_restricted_or_404(Booking.objects.all(), request.user, "attend", pk=pk)
    try:
        bookings.booking_record_visit(
            actor=request.user, booking=booking, attended=request.POST.get("attended") == "yes"
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Visit recorded."))
    return redirect("residents:session_detail", pk=booking.session_id)
