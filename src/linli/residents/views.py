"""Residents' pages (phone first, no script needed but the map's) and the desk's and auditor's.

Views stay thin: forms read the input, services write, ``restrict`` reads, and sensitive
fields pass through :func:`linli.residents.privacy.shown`, which logs each clear view.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from linli.core.permissions import get_restricted_or_404, restrict
from linli.core.views import RestrictedListView, requires
from linli.registry.models import Compound, Facility
from linli.residents import services
from linli.residents.choices import CodePurpose, ConsentKind
from linli.residents.filtersets import ResidentFilterSet, SensitiveViewFilterSet
from linli.residents.finder import AGE_GROUP_SCENARIOS, NoNetwork, facilities_near
from linli.residents.forms import DeskResidentForm, FindForm, MemberForm, SignInForm, SignUpForm
from linli.residents.models import Consent, FamilyMember, Notice, Resident, SensitiveView
from linli.residents.privacy import masked, may_see_in_clear, shown
from linli.residents.tables import ResidentTable, SensitiveViewTable

BACKEND = "linli.accounts.backends.RoleBackend"


def _form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def own_resident(request) -> Resident:
    """The signed-in resident's own record; an account the administrators opened (not signed
    up by phone) gets one on first use."""
    resident = restrict(Resident.objects.all(), request.user).filter(user=request.user).first()
    if resident is None:
        resident = services.resident_profile_open(actor=request.user)
    return resident


# --- public: privacy notice, sign-up, sign-in ---------------------------------------------


def privacy(request):
    return render(
        request,
        "residents/privacy.html",
        {
            "version": services.PRIVACY_VERSION,
            "purposes": services.CONSENT_PURPOSES,
            "kinds": ConsentKind,
        },
    )


def _code_step(request, form, purpose) -> bool:
    """The "send me a code" button: True when a code went out."""
    if "send_code" not in request.POST:
        return False
    phone = request.POST.get("phone", "")
    try:
        services.code_send(phone=phone, purpose=purpose)
    except ValidationError as error:
        _form_errors(form, error)
        return True
    messages.info(request, _("A code was sent to your phone. Enter it below."))
    return True


def sign_up(request):
    if request.user.is_authenticated:
        return redirect("residents:portal")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and not _code_step(request, form, CodePurpose.SIGN_UP):
        if form.is_valid():
            try:
                user = services.resident_sign_up(**form.cleaned_data)
            except ValidationError as error:
                _form_errors(form, error)
            else:
                login(request, user, backend=BACKEND)
                messages.success(request, _("Welcome! Find services near you below."))
                return redirect("residents:portal")
    if request.method == "POST" and "send_code" in request.POST:
        form.errors.pop("code", None)
        form.errors.pop("name", None)
    return render(request, "residents/sign_up.html", {"form": form, "title": _("Sign up")})


def sign_in(request):
    if request.user.is_authenticated:
        return redirect("residents:portal")
    form = SignInForm(request.POST or None)
    if request.method == "POST" and not _code_step(request, form, CodePurpose.SIGN_IN):
        if form.is_valid():
            try:
                user = services.resident_for_sign_in(**form.cleaned_data)
            except ValidationError as error:
                _form_errors(form, error)
            else:
                login(request, user, backend=BACKEND)
                return redirect("residents:portal")
    if request.method == "POST" and "send_code" in request.POST:
        form.errors.pop("code", None)
    return render(
        request, "residents/sign_in.html", {"form": form, "title": _("Sign in with your phone")}
    )


# --- the resident's own pages -------------------------------------------------------------


def _origin(resident: Resident | None, form: FindForm):
    data = form.cleaned_data
    if data.get("lon") is not None and data.get("lat") is not None:
        return data["lon"], data["lat"], _("the point you picked on the map")
    compound = resident.compound if resident else None
    if compound and compound.centroid_lon is not None:
        return compound.centroid_lon, compound.centroid_lat, str(compound)
    return None


@requires(Resident, "portal")
def portal(request):
    """找服务: services within walking distance of home, or of a point on the map."""
    resident = own_resident(request)
    form = FindForm(request.GET or None)
    results, origin = None, None
    if form.is_bound and form.is_valid() or not form.is_bound:
        if not form.is_bound:
            form = FindForm({"radius_m": 1000})
            form.is_valid()
        origin = _origin(resident, form)
        if origin:
            data = form.cleaned_data
            scenarios = (data.get("scenario"),) if data.get("scenario") else None
            if data.get("age_group"):
                group = AGE_GROUP_SCENARIOS[data["age_group"]]
                scenarios = tuple(s for s in (scenarios or group) if s in group)
            try:
                results = facilities_near(
                    request.user,
                    origin[0],
                    origin[1],
                    radius_m=data.get("radius_m") or 1000,
                    scenarios=scenarios,
                )
            except NoNetwork:
                messages.error(
                    request,
                    _("Walking distances are not available yet: the city's map is being set up."),
                )
            else:
                results = filter_by_price(results, data.get("max_price"))
    return render(
        request,
        "residents/portal.html",
        {
            "form": form,
            "results": results,
            "origin": origin,
            "resident": resident,
            "unread": restrict(Notice.objects.all(), request.user)
            .filter(read_at__isnull=True)
            .count(),
            "title": _("Find services"),
        },
    )


# Bookings add prices and their filter (linli.residents.bookings); without them price is no filter.
PRICE_FILTERS: list = []


def filter_by_price(results, max_price):
    for price_filter in PRICE_FILTERS:
        results = price_filter(results, max_price)
    return results


@requires(Facility, "view")
def facility(request, pk):
    """A facility as residents see it: services, hours, prices, a public phone, a map."""
    found = get_restricted_or_404(Facility.objects.filter(status="operating"), request.user, pk=pk)
    sections = [provider(request.user, found) for provider in FACILITY_SECTIONS]
    return render(
        request,
        "residents/facility.html",
        {
            "facility": found,
            "functions": found.functions.all(),
            "sections": [s for s in sections if s],
            "title": found.name,
        },
    )


# Bookings add the services, timetable and prices to the facility page.
FACILITY_SECTIONS: list = []


@requires(Resident, "portal")
def family(request):
    resident = own_resident(request)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_add(actor=request.user, resident=resident, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Family member added."))
            return redirect("residents:family")
    members = restrict(FamilyMember.objects.filter(resident=resident), request.user)
    rows = [
        (
            m,
            shown(request.user, m, ("name", "birth_date", "health_notes"), request.path),
            m.is_child(),
        )
        for m in members
    ]
    return render(
        request,
        "residents/family.html",
        {
            "form": form,
            "members": rows,
            "consents": restrict(Consent.objects.filter(resident=resident), request.user),
            "title": _("My family"),
        },
    )


@require_POST
@requires(Consent, "change")
def consent_withdraw(request, pk):
    consent = get_restricted_or_404(Consent.objects.all(), request.user, "change", pk=pk)
    services.consent_withdraw(actor=request.user, consent=consent)
    messages.info(request, _("Consent withdrawn. What it allowed stops now."))
    return redirect("residents:family")


@require_POST
@requires(Consent, "add")
def consent_give(request, member_pk):
    member = get_restricted_or_404(FamilyMember.objects.all(), request.user, "change", pk=member_pk)
    kind = ConsentKind.GUARDIAN if member.is_child() else ConsentKind.SENSITIVE
    try:
        services.consent_give(
            actor=request.user,
            resident=member.resident,
            kind=kind,
            member=member if kind == ConsentKind.GUARDIAN else None,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Consent recorded."))
    return redirect("residents:family")


@requires(Resident, "portal")
def notices(request):
    own = restrict(Notice.objects.all(), request.user)
    page = list(own[:50])
    own.filter(read_at__isnull=True).update(read_at=_now())
    return render(request, "residents/notices.html", {"notices": page, "title": _("Messages")})


def _now():
    from django.utils import timezone

    return timezone.now()


EXPORTS: list = []  # bookings add theirs


@requires(Resident, "portal")
def my_data(request):
    resident = own_resident(request)
    return render(
        request,
        "residents/my_data.html",
        {
            "resident": resident,
            "phone": shown(request.user, resident, ("phone",), request.path)["phone"],
            "title": _("My information"),
        },
    )


@requires(Resident, "portal")
def my_data_download(request):
    """Everything the platform holds about the resident, as JSON (PIPL 第四十五条)."""
    resident = own_resident(request)
    members = []
    for m in resident.members.all():
        members.append(
            shown(
                request.user,
                m,
                ("name", "relation", "birth_date", "id_number", "health_notes"),
                request.path,
            )
        )
    data = {
        "resident": shown(
            request.user,
            resident,
            ("name", "phone", "id_number", "created_at", "registered_at_desk"),
            request.path,
        )
        | {"compound": str(resident.compound or "")},
        "family_members": members,
        "consents": [
            {
                "kind": c.kind,
                "purpose": c.purpose,
                "member": c.member.name if c.member else None,
                "given_at": c.given_at,
                "withdrawn_at": c.withdrawn_at,
                "privacy_notice": c.policy_version,
            }
            for c in resident.consents.all()
        ],
        "messages": [
            {"subject": n.subject, "body": n.body, "sent_at": n.created_at}
            for n in resident.notices.all()
        ],
    }
    for export in EXPORTS:
        data.update(export(resident))
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="my-linli-data.json"'
    return response


@require_POST
@requires(Resident, "portal")
def my_data_erase(request):
    resident = own_resident(request)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Confirm: tick the box to confirm that your data is erased."))
        return redirect("residents:my_data")
    services.resident_erase(actor=request.user, resident=resident)
    from django.contrib.auth import logout

    logout(request)
    return render(request, "residents/erased.html", {"title": _("Your data was erased")})


# --- the community desk -------------------------------------------------------------------


class DeskResidentListView(RestrictedListView):
    """The desk's residents (masked phones: the desk opens one record to see more)."""

    model = Resident
    action = "add"  # the desk's list: those who register residents (a resident sees only self)
    table_class = ResidentTable
    filterset_class = ResidentFilterSet
    template_name = "list.html"
    extra_context = {
        "title": _l("Residents"),
        "create_url": reverse_lazy("residents:desk_register"),
    }
    export_name = "residents"
    export_columns = (
        ("name", _l("name")),
        ("masked_phone", _l("mobile phone")),
        ("compound", _l("residential compound")),
        ("registered_at_desk", _l("registered at the community desk")),
    )

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .filter(erased_at__isnull=True)
            .select_related("compound__jurisdiction")
        )


@requires(Resident, "add")
def desk_register(request):
    compounds = restrict(Compound.objects.all(), request.user).select_related("jurisdiction")
    form = DeskResidentForm(request.POST or None, compounds=compounds)
    if request.method == "POST" and form.is_valid():
        try:
            resident = services.resident_register_at_desk(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Resident registered."))
            return redirect("residents:desk_detail", pk=resident.pk)
    return render(
        request,
        "residents/desk_form.html",
        {"form": form, "title": _("Register a resident at the desk")},
    )


@requires(Resident, "add")
def desk_detail(request, pk):
    resident = get_restricted_or_404(Resident.objects.all(), request.user, pk=pk)
    reveal = request.GET.get("reveal") == "1" and may_see_in_clear(request.user, resident)
    if reveal:
        contact = shown(request.user, resident, ("phone", "id_number"), request.path)
    else:
        contact = {f: masked(request.user, resident, f) for f in ("phone", "id_number")}
    members = restrict(FamilyMember.objects.filter(resident=resident), request.user)
    return render(
        request,
        "residents/desk_detail.html",
        {
            "resident": resident,
            "contact": contact,
            "revealed": reveal,
            "may_reveal": may_see_in_clear(request.user, resident),
            "members": members,
            "consents": restrict(Consent.objects.filter(resident=resident), request.user),
            "title": str(resident),
            "sections": [p(request, resident) for p in DESK_SECTIONS],
        },
    )


DESK_SECTIONS: list = []


# --- the auditor --------------------------------------------------------------------------


class SensitiveViewListView(RestrictedListView):
    model = SensitiveView
    table_class = SensitiveViewTable
    filterset_class = SensitiveViewFilterSet
    template_name = "audit/log_list.html"
    extra_context = {"title": _l("Sensitive data views")}
    export_name = "sensitive-data-views"
    export_columns = (
        ("time", _l("time")),
        ("viewer_username", _l("viewer")),
        ("role_label", _l("role")),
        ("resident_ref", _l("resident number")),
        ("member_ref", _l("family member number")),
        ("record_label", _l("record")),
        ("field_label", _l("field")),
        ("page", _l("page")),
        ("request_id", _l("request id")),
    )
