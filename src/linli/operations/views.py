"""The operator portal, one facility at a time: services, rooms and the weekly timetable,
prices with the inclusive-price check, monthly use, inspections and complaints.

Thin views: the facility and everything under it are read through ``restrict`` (an operator's
account sees its own operator's facilities, an official its area); writes call
:mod:`linli.operations.services`, whose refusals come back as form errors.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core.permissions import get_restricted_or_404, has_permission, restrict
from linli.core.views import requires
from linli.operations import forms, imports, services
from linli.operations.choices import ComplaintState, Weekday
from linli.operations.models import (
    Complaint,
    Inspection,
    Price,
    Room,
    Service,
    TimetableSlot,
    UseRecord,
)
from linli.registry.models import Facility


def _facility(request, pk: int) -> Facility:
    return get_restricted_or_404(Facility.objects.all(), request.user, pk=pk)


def _of_facility(request, model, facility, pk, action="view", through="facility"):
    queryset = model._default_manager.filter(**{through: facility})
    return get_restricted_or_404(queryset, request.user, action, pk=pk)


def _refused(form, error: ValidationError) -> None:
    """Put a service's refusal on the form: on its field when the form has one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _form_page(request, facility, form, title, *, back=None, extra=None, multipart=False):
    context = {
        "facility": facility,
        "form": form,
        "title": title,
        "back": back or facility_url(facility),
        "multipart": multipart,
        **(extra or {}),
    }
    return render(request, "operations/form.html", context)


def facility_url(facility) -> str:
    return reverse("operations:facility", args=[facility.pk])


# --- the facilities and the portal --------------------------------------------------------


@requires(UseRecord, "view")  # the portal is for operators and officials, not residents
def facility_list(request):
    """The facilities the user runs (operator) or supervises, with what is open on each."""
    today = timezone.localdate()
    facilities = (
        restrict(Facility.objects.all(), request.user)
        .select_related("jurisdiction", "operator")
        .annotate(
            service_count=Count("services", distinct=True),
            published_count=Count("services", filter=Q(services__published=True), distinct=True),
            open_complaints=Count(
                "complaints",
                filter=Q(complaints__state__in=[ComplaintState.OPEN, ComplaintState.ESCALATED]),
                distinct=True,
            ),
        )
        .order_by("code")
    )
    return render(
        request,
        "operations/facility_list.html",
        {"facilities": facilities, "title": _("Operations"), "today": today},
    )


def _timetable(facility) -> list[dict]:
    """Rooms with their sessions per weekday (错时使用 at a glance)."""
    rooms = []
    slots = (
        TimetableSlot.objects.filter(room__facility=facility)
        .select_related("service", "room")
        .order_by("room__name", "weekday", "start")
    )
    by_room: dict[int, dict] = {}
    for room in Room.objects.filter(facility=facility).order_by("name"):
        by_room[room.pk] = {"room": room, "days": [[] for _ in Weekday]}
        rooms.append(by_room[room.pk])
    for slot in slots:
        by_room[slot.room_id]["days"][slot.weekday].append(slot)
    return rooms


@requires(UseRecord, "view")  # the portal is for operators and officials, not residents
def facility_portal(request, pk):
    facility = _facility(request, pk)
    user, today = request.user, timezone.localdate()
    services_ = list(
        restrict(Service.objects.filter(facility=facility), user).prefetch_related("prices")
    )
    for service in services_:
        service.current_hours = service.hours_on(today)
        service.current_prices = service.prices_on(today)
        service.coming_prices = [p for p in service.prices.all() if p.effective_from > today]
    context = {
        "facility": facility,
        "title": facility.name,
        "services": services_,
        "timetable": _timetable(facility) if has_permission(user, Room, "view") else [],
        "weekdays": Weekday.choices,
        "use_records": restrict(UseRecord.objects.filter(facility=facility), user)[:12],
        "inspections": restrict(Inspection.objects.filter(facility=facility), user)[:10],
        "complaints": restrict(Complaint.objects.filter(facility=facility), user)[:20],
        "today": today,
        "can": {
            "add_service": has_permission(user, Service, "add"),
            "add_room": has_permission(user, Room, "add"),
            "add_use": has_permission(user, UseRecord, "add"),
            "add_inspection": has_permission(user, Inspection, "add"),
            "change_inspection": has_permission(user, Inspection, "change"),
            "add_complaint": has_permission(user, Complaint, "add"),
            "change_complaint": has_permission(user, Complaint, "change"),
            "delete_slot": has_permission(user, TimetableSlot, "delete"),
        },
    }
    return render(request, "operations/facility_portal.html", context)


# --- services --------------------------------------------------------------------------------


@requires(Service, "add")
def service_add(request, pk):
    facility = _facility(request, pk)
    form = forms.ServiceForm(request.POST or None, facility=facility)
    if request.method == "POST" and form.is_valid():
        try:
            service = services.service_create(
                actor=request.user, facility=facility, **form.cleaned_data
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Service %(name)s added.") % {"name": service.name})
            return redirect(service.get_absolute_url())
    return _form_page(request, facility, form, _("New service"))


@requires(UseRecord, "view")  # the portal is for operators and officials, not residents
def service_detail(request, pk, service_pk):
    facility = _facility(request, pk)
    service = _of_facility(request, Service, facility, service_pk)
    today, user = timezone.localdate(), request.user
    return render(
        request,
        "operations/service_detail.html",
        {
            "facility": facility,
            "service": service,
            "title": service.name,
            "current_hours": service.hours_on(today),
            "current_prices": service.prices_on(today),
            "prices": restrict(service.prices.all(), user),
            "slots": restrict(service.slots.select_related("room"), user),
            "today": today,
            "can_change": has_permission(user, Service, "change"),
            "can_price": has_permission(user, Price, "add"),
            "can_slot": has_permission(user, TimetableSlot, "add"),
            "can_delete_slot": has_permission(user, TimetableSlot, "delete"),
        },
    )


@requires(Service, "change")
def service_edit(request, pk, service_pk):
    facility = _facility(request, pk)
    service = _of_facility(request, Service, facility, service_pk, "change")
    form = forms.ServiceForm(request.POST or None, instance=service, facility=facility)
    if request.method == "POST" and form.is_valid():
        try:
            services.service_update(actor=request.user, service=service, **form.cleaned_data)
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(service.get_absolute_url())
    return _form_page(request, facility, form, service.name, back=service.get_absolute_url())


@requires(Service, "change")
def service_hours(request, pk, service_pk):
    facility = _facility(request, pk)
    service = _of_facility(request, Service, facility, service_pk, "change")
    form = forms.HoursForm(
        request.POST or None,
        initial={"hours": service.hours, "effective_from": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.service_hours_change(actor=request.user, service=service, **form.cleaned_data)
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Opening hours saved."))
            return redirect(service.get_absolute_url())
    return _form_page(
        request,
        facility,
        form,
        _("Change opening hours"),
        back=service.get_absolute_url(),
        extra={
            "intro": _(
                "Residents see the new hours announced until the date, then in force. "
                "For a published service, give them time to plan."
            )
        },
    )


@require_POST
@requires(Service, "change")
def service_publish(request, pk, service_pk):
    facility = _facility(request, pk)
    service = _of_facility(request, Service, facility, service_pk, "change")
    publish = request.POST.get("published") == "1"
    try:
        services.service_publish(actor=request.user, service=service, published=publish)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Published: residents can now find it.") if publish else _("Withdrawn."),
        )
    return redirect(service.get_absolute_url())


# --- prices ------------------------------------------------------------------------------------


@requires(Price, "add")
def price_add(request, pk, service_pk):
    facility = _facility(request, pk)
    service = _of_facility(request, Service, facility, service_pk, "change")
    form = forms.PriceForm(request.POST or None)
    findings = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        findings = services.price_preview(
            service=service, unit=data["unit"], amount=data["amount"], cost_basis=data["cost_basis"]
        )
        if "save" in request.POST:
            try:
                services.price_set(actor=request.user, service=service, **data)
            except ValidationError as error:
                _refused(form, error)
            else:
                messages.success(request, _("Price saved."))
                return redirect(service.get_absolute_url())
    return render(
        request,
        "operations/price_form.html",
        {
            "facility": facility,
            "service": service,
            "form": form,
            "findings": findings,
            "title": _("New price"),
            "back": service.get_absolute_url(),
        },
    )


# --- rooms and timetable ---------------------------------------------------------------------


@requires(Room, "add")
def room_add(request, pk):
    facility = _facility(request, pk)
    form = forms.RoomForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.room_create(actor=request.user, facility=facility, **form.cleaned_data)
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Room added."))
            return redirect(facility_url(facility) + "#timetable")
    return _form_page(request, facility, form, _("New room"))


@requires(TimetableSlot, "add")
def slot_add(request, pk, service_pk):
    facility = _facility(request, pk)
    service = _of_facility(request, Service, facility, service_pk, "change")
    form = forms.SlotForm(request.POST or None, facility=facility)
    if request.method == "POST" and form.is_valid():
        try:
            services.slot_create(actor=request.user, service=service, **form.cleaned_data)
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Session added to the timetable."))
            return redirect(service.get_absolute_url())
    return _form_page(
        request, facility, form, _("New weekly session"), back=service.get_absolute_url()
    )


@require_POST
@requires(TimetableSlot, "delete")
def slot_delete(request, pk, slot_pk):
    facility = _facility(request, pk)
    slot = _of_facility(
        request, TimetableSlot, facility, slot_pk, "delete", through="service__facility"
    )
    services.slot_delete(actor=request.user, slot=slot)
    messages.success(request, _("Session removed."))
    return redirect(slot.service.get_absolute_url())


# --- monthly use -------------------------------------------------------------------------------


@requires(UseRecord, "add")
def use_add(request, pk):
    facility = _facility(request, pk)
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    form = forms.UseRecordForm(
        request.POST or None, facility=facility, initial={"month": last_month}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.use_record_save(actor=request.user, facility=facility, **form.cleaned_data)
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Monthly use saved."))
            return redirect(facility_url(facility) + "#use")
    return _form_page(request, facility, form, _("Monthly use"))


@requires(UseRecord, "add")
def use_import(request, pk):
    facility = _facility(request, pk)
    form = forms.UseImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            rows = imports.read_use_rows(form.cleaned_data["file"])
        except ValidationError as error:
            form.add_error("file", error)
        else:
            problems, records = imports.check_use_rows(facility, rows)
            if not problems:
                saved = services.use_records_import(
                    actor=request.user, facility=facility, rows=records
                )
                messages.success(
                    request, _("%(count)d monthly records imported.") % {"count": len(saved)}
                )
                return redirect(facility_url(facility) + "#use")
    return _form_page(
        request,
        facility,
        form,
        _("Import monthly use"),
        multipart=True,
        extra={"problems": problems, "template_url": "use_template"},
    )


@requires(UseRecord, "add")
def use_template(request, pk):
    _facility(request, pk)
    response = HttpResponse(
        imports.use_template(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="monthly-use.xlsx"'
    return response


# --- inspections and complaints --------------------------------------------------------------


@requires(Inspection, "add")
def inspection_add(request, pk):
    facility = _facility(request, pk)
    form = forms.InspectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.inspection_record(actor=request.user, facility=facility, **form.cleaned_data)
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Inspection recorded."))
            return redirect(facility_url(facility) + "#inspections")
    return _form_page(request, facility, form, _("New inspection"))


@requires(Inspection, "change")
def inspection_rectify(request, pk, inspection_pk):
    facility = _facility(request, pk)
    inspection = _of_facility(request, Inspection, facility, inspection_pk, "change")
    form = forms.RectifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.inspection_rectify(
                actor=request.user, inspection=inspection, **form.cleaned_data
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Rectification recorded."))
            return redirect(facility_url(facility) + "#inspections")
    return _form_page(
        request, facility, form, str(inspection), extra={"intro": inspection.findings}
    )


@requires(Complaint, "add")
def complaint_add(request, pk):
    facility = _facility(request, pk)
    form = forms.ComplaintForm(request.POST or None, facility=facility)
    if request.method == "POST" and form.is_valid():
        try:
            services.complaint_record(actor=request.user, facility=facility, **form.cleaned_data)
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Complaint recorded."))
            return redirect(facility_url(facility) + "#complaints")
    return _form_page(request, facility, form, _("New complaint"))


@requires(Complaint, "change")
def complaint_answer(request, pk, complaint_pk):
    facility = _facility(request, pk)
    complaint = _of_facility(request, Complaint, facility, complaint_pk, "change")
    form = forms.AnswerForm(
        request.POST or None, initial={"handling_notes": complaint.handling_notes}
    )
    if request.method == "POST" and form.is_valid():
        try:
            if "close" in request.POST and complaint.state == ComplaintState.ANSWERED:
                services.complaint_close(actor=request.user, complaint=complaint)
            else:
                services.complaint_answer(
                    actor=request.user, complaint=complaint, **form.cleaned_data
                )
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Complaint updated."))
            return redirect(facility_url(facility) + "#complaints")
    return _form_page(
        request,
        facility,
        form,
        complaint.subject,
        extra={"intro": complaint.detail, "complaint": complaint},
    )
