"""Screens of the funding workflow. Views are thin: read through ``restrict``, validate the form,
call one service, report its answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.forms import formset_factory
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from linli.core.permissions import get_restricted_or_404, has_permission, restrict
from linli.core.views import RestrictedDetailView, RestrictedListView, requires
from linli.funding import attachments as files
from linli.funding import filtersets, forms, services, tables
from linli.funding.choices import ApplicationState, AttachmentKind, Dimension, ReviewDecision
from linli.funding.models import (
    Application,
    Attachment,
    Call,
    ChangeRequest,
    FeasibilityApproval,
    FundReport,
    Milestone,
    Notification,
    Review,
    SubsidyApproval,
    SupplementaryApproval,
    Tranche,
)
from linli.funding.notifications import mark_read
from linli.funding.progress import chart, progress
from linli.registry.models import CandidateSite

S = ApplicationState


def _errors(request, error: ValidationError, form=None) -> None:
    """A service's refusal: beside the field it names when the form has that field, else at
    the top of the page."""
    by_field = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
    for field, texts in by_field.items():
        if form is not None and field in form.fields:
            form.add_error(field, texts)
            continue
        for message in texts:
            messages.error(request, message)


# --- Calls (公开征集) ---------------------------------------------------------------------


class CallListView(RestrictedListView):
    model = Call
    table_class = tables.CallTable
    filterset_class = filtersets.CallFilterSet
    template_name = "list.html"
    extra_context = {"title": gettext_lazy("Calls for projects")}
    export_name = "calls"
    export_columns = (
        ("title", gettext_lazy("title")),
        ("policy_title", gettext_lazy("policy pack")),
        ("opens_on", gettext_lazy("opens on")),
        ("closes_on", gettext_lazy("closes on")),
        ("budget_cny", gettext_lazy("budget envelope (CNY)")),
        ("get_state_display", gettext_lazy("state")),
    )


class CallDetailView(RestrictedDetailView):
    model = Call
    template_name = "funding/call_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            applications=restrict(self.object.applications.all(), user),
            can_apply=self.object.state == "open"
            and has_permission(user, Application, "add")
            and any(user.jurisdiction.path.startswith(d.path) for d in self.object.districts.all()),
            can_close=self.object.state == "open" and has_permission(user, Call, "close"),
            **kwargs,
        )


def call_notice(request, pk: int):
    """The public notice of a call (no sign-in: a call is published)."""
    call = get_object_or_404(Call, pk=pk)
    return render(request, "funding/call_notice.html", {"call": call})


@requires(Call, "add")
def call_create(request):
    form = forms.CallForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            call = services.call_open(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("The call is open."))
            return redirect(call)
    return render(
        request, "registry/object_form.html", {"form": form, "title": _("Open a call for projects")}
    )


@require_POST
@requires(Call, "close")
def call_close(request, pk: int):
    call = get_restricted_or_404(Call.objects.all(), request.user, "close", pk=pk)
    try:
        services.call_close(actor=request.user, call=call)
    except ValidationError as error:
        _errors(request, error)
    return redirect(call)


# --- Applications (组织申报) ---------------------------------------------------------------


class ApplicationListView(RestrictedListView):
    model = Application
    table_class = tables.ApplicationTable
    filterset_class = filtersets.ApplicationFilterSet
    template_name = "list.html"
    extra_context = {"title": gettext_lazy("Applications (台账)")}
    export_name = "applications"
    export_columns = (
        ("name", gettext_lazy("project name")),
        ("call.title", gettext_lazy("call")),
        ("jurisdiction.name", gettext_lazy("preparing office")),
        ("get_kind_display", gettext_lazy("kind")),
        ("get_construction_display", gettext_lazy("construction")),
        ("total_investment_cny", gettext_lazy("total investment (CNY)")),
        ("eligible", gettext_lazy("eligible")),
        ("get_state_display", gettext_lazy("state")),
        ("get_public_status_display", gettext_lazy("public status")),
    )

    def get_context_data(self, **kwargs):
        """新建: straight to the form when one call is taking applications, else to the calls."""
        context = super().get_context_data(**kwargs)
        if has_permission(self.request.user, Application, "add"):
            open_now, _later = services.calls_open_to(self.request.user)
            if len(open_now) == 1:
                context["create_url"] = reverse("funding:application_create", args=[open_now[0].pk])
            elif open_now:
                context["create_url"] = reverse("funding:call_list")
        return context

    def get_queryset(self):
        # The list shows none of the documents kept as JSON (the call's pinned pack is large).
        return (
            super()
            .get_queryset()
            .select_related("call", "jurisdiction")
            .defer(
                "evaluation",
                "planning_evidence",
                "overrides",
                "funding_mix",
                "call__policy_snapshot",
            )
        )


def _function_formset(data=None, initial=None):
    """The declared functions plus blank rows (blank rows may stay empty)."""
    initial = list(initial or [])
    formset = formset_factory(forms.FunctionForm, extra=max(1, forms.FUNCTION_ROWS - len(initial)))
    return formset(data, initial=initial, prefix="functions")


def _application_form_page(request, call: Call, application: Application | None):
    user = request.user
    form = forms.ApplicationForm(
        request.POST or None,
        instance=application,
        initial=_from_site(request) if application is None else None,
        user=user,
        call=call,
    )
    initial = (
        [
            {k: getattr(f, k) for k in forms.FunctionForm.Meta.fields}
            for f in application.functions.all()
        ]
        if application
        else []
    )
    formset = _function_formset(request.POST or None, initial)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        mix = form.funding_mix()
        fields = {k: v for k, v in form.cleaned_data.items()}
        try:
            if application is None:
                application = services.application_create(
                    actor=user,
                    call=call,
                    functions=forms.function_rows(formset),
                    overrides=forms.overrides_from(request.POST),
                    funding_mix=mix,
                    **fields,
                )
            else:
                application = services.application_update(
                    actor=user,
                    application=application,
                    functions=forms.function_rows(formset),
                    overrides=forms.overrides_from(request.POST),
                    funding_mix=mix,
                    **fields,
                )
        except ValidationError as error:
            _errors(request, error, form)
        else:
            messages.success(request, _("Draft saved."))
            return redirect(application)
    evaluation = application.evaluation if application else None
    overrides = {o["rule"]: o["reason"] for o in (application.overrides if application else [])}
    return render(
        request,
        "funding/application_form.html",
        {
            "form": form,
            "formset": formset,
            "call": call,
            "application": application,
            "evaluation": evaluation,
            "overrides": overrides,
            "title": application.name if application else _("New application"),
        },
    )


def _from_site(request) -> dict:
    """A new application started from a registry candidate site (``?site=<pk>``)."""
    site = (
        restrict(CandidateSite.objects.all(), request.user)
        .filter(pk=request.GET.get("site") or None)
        .first()
    )
    if site is None:
        return {}
    return {
        "site": site,
        "community": site.jurisdiction,
        "space_source": site.space_source,
        "location": site.address,
        "gross_floor_area_m2": site.floor_area_m2,
        "name": site.name,
    }


@requires(Application, "add")
def application_create(request, call_pk: int):
    call = get_restricted_or_404(Call.objects.all(), request.user, "view", pk=call_pk)
    return _application_form_page(request, call, None)


@requires(Application, "change")
def application_edit(request, pk: int):
    application = get_restricted_or_404(Application.objects.all(), request.user, "change", pk=pk)
    if application.state not in (S.DRAFT, S.RETURNED):
        raise PermissionDenied
    return _application_form_page(request, application.call, application)


@require_POST
@requires(Application, "add")
def application_check(request, call_pk: int):
    """HTMX: the policy engine on the unsaved form, every finding with its citation."""
    call = get_restricted_or_404(Call.objects.all(), request.user, "view", pk=call_pk)
    form = forms.ApplicationForm(request.POST, user=request.user, call=call)
    form.is_valid()
    form.funding_mix()
    formset = _function_formset(request.POST)
    formset.is_valid()
    overrides = forms.overrides_from(request.POST)
    evaluation = services.preview_evaluation(
        call=call,
        fields=form.cleaned_data,
        functions=forms.function_rows(formset),
        overrides=overrides,
        community=form.cleaned_data.get("community"),
    )
    return render(
        request,
        "funding/_evaluation.html",
        {
            "evaluation": evaluation,
            "overrides": {o["rule"]: o["reason"] for o in overrides},
            "editable": True,
        },
    )


@dataclass(frozen=True)
class Action:
    """One step a user can take on an application from its page."""

    label: str | Promise
    model: type[models.Model]
    perm: str
    states: tuple[str, ...]
    run: Callable[[Any, Application, dict], Any]
    form: Callable[..., Any] | None = None
    needs_application: bool = False  # the form takes the application
    own_office: bool = False  # a step of the preparing office itself (the project unit)

    @property
    def has_form(self) -> bool:
        return self.form is not None


def _document(user, application, form, kind: str):
    """Store the form's optional ``document`` upload as an attachment of ``kind``."""
    upload = form.cleaned_data.pop("document", None)
    if upload is None:
        return None
    return services.attachment_add(actor=user, application=application, kind=kind, upload=upload)


ACTIONS: dict[str, Action] = {
    "submit": Action(
        gettext_lazy("Submit to the district"),
        Application,
        "submit",
        (S.DRAFT, S.RETURNED),
        lambda u, a, f: services.application_submit(actor=u, application=a),
        own_office=True,
    ),
    "return": Action(
        gettext_lazy("Return for revision"),
        Application,
        "return",
        (S.DISTRICT_REVIEW,),
        lambda u, a, f: services.application_return(
            actor=u, application=a, comment=f.cleaned_data["comment"]
        ),
        forms.CommentForm,
    ),
    "forward": Action(
        gettext_lazy("Submit to the city"),
        Application,
        "forward",
        (S.DISTRICT_REVIEW,),
        lambda u, a, f: services.application_forward(actor=u, applications=[a]),
    ),
    "assign": Action(
        gettext_lazy("Assign departments"),
        Application,
        "assign",
        (S.DISTRICT_SUBMITTED,),
        lambda u, a, f: services.application_assign(
            actor=u, application=a, departments=f.cleaned_data["departments"]
        ),
        forms.AssignForm,
        needs_application=True,
    ),
    "decide": Action(
        gettext_lazy("Decide"),
        Application,
        "decide",
        (S.JOINT_REVIEW,),
        lambda u, a, f: services.application_decide(actor=u, application=a, **f.cleaned_data),
        forms.DecideForm,
    ),
    "feasibility": Action(
        gettext_lazy("Record the feasibility approval (可研批复)"),
        FeasibilityApproval,
        "add",
        (S.SELECTED,),
        lambda u, a, f: services.feasibility_record(
            actor=u,
            application=a,
            attachment=_document(u, a, f, AttachmentKind.FEASIBILITY),
            **f.cleaned_data,
        ),
        forms.FeasibilityForm,
        needs_application=True,
    ),
    "fund_report": Action(
        gettext_lazy("Prepare the fund application report (概算)"),
        FundReport,
        "add",
        (S.FS_APPROVED,),
        lambda u, a, f: services.fund_report_save(
            actor=u,
            application=a,
            attachment=_document(u, a, f, AttachmentKind.FUND_REPORT),
            estimates=f.estimates(),
        ),
        forms.FundReportForm,
        needs_application=True,
        own_office=True,
    ),
    "report": Action(
        gettext_lazy("Report the fund application to the city"),
        Application,
        "report",
        (S.FS_APPROVED,),
        lambda u, a, f: services.fund_report_submit(actor=u, application=a),
    ),
    "subsidy": Action(
        gettext_lazy("Approve the subsidy"),
        SubsidyApproval,
        "add",
        (S.FUND_APP_SUBMITTED,),
        lambda u, a, f: services.subsidy_approve(actor=u, application=a, **f.cleaned_data),
        forms.SubsidyForm,
    ),
    "report_return": Action(
        gettext_lazy("Return the fund application report"),
        SubsidyApproval,
        "add",
        (S.FUND_APP_SUBMITTED,),
        lambda u, a, f: services.fund_report_return(
            actor=u, application=a, comment=f.cleaned_data["comment"]
        ),
        forms.CommentForm,
    ),
    "milestone": Action(
        gettext_lazy("Record a milestone"),
        Milestone,
        "add",
        (S.FUND_APPROVED, S.IN_CONSTRUCTION),
        lambda u, a, f: services.milestone_record(
            actor=u,
            application=a,
            evidence=_document(u, a, f, AttachmentKind.MILESTONE),
            **f.cleaned_data,
        ),
        forms.MilestoneForm,
        needs_application=True,
        own_office=True,
    ),
    "tranche": Action(
        gettext_lazy("Request a tranche"),
        Tranche,
        "add",
        (S.IN_CONSTRUCTION, S.OPERATING),
        lambda u, a, f: services.tranche_request(actor=u, **f.cleaned_data),
        forms.TrancheForm,
        needs_application=True,
        own_office=True,
    ),
    "change": Action(
        gettext_lazy("Request a change"),
        ChangeRequest,
        "add",
        (S.FUND_APPROVED, S.IN_CONSTRUCTION, S.OPERATING),
        lambda u, a, f: services.change_request_create(actor=u, application=a, **f.change()),
        forms.ChangeForm,
        needs_application=True,
        own_office=True,
    ),
    "hold": Action(
        gettext_lazy("Keep in the district's reserve"),
        Application,
        "forward",
        (S.DISTRICT_REVIEW,),
        lambda u, a, f: services.application_hold(
            actor=u, application=a, comment=f.cleaned_data["comment"]
        ),
        forms.CommentForm,
    ),
    "carry": Action(
        gettext_lazy("Carry into a later call"),
        Application,
        "add",
        (S.RESERVE, S.REJECTED),
        lambda u, a, f: services.application_carry_forward(
            actor=u, application=a, call=f.cleaned_data["call"]
        ),
        forms.CarryForm,
        needs_application=True,
    ),
    "attach": Action(
        gettext_lazy("Add a document"),
        Attachment,
        "add",
        tuple(S.values),
        lambda u, a, f: services.attachment_add(
            actor=u, application=a, kind=f.cleaned_data["kind"], upload=f.cleaned_data["file"]
        ),
        forms.AttachmentForm,
    ),
}


def available_actions(user, application: Application) -> list[tuple[str, Action]]:
    return [
        (name, action)
        for name, action in ACTIONS.items()
        if application.state in action.states
        and has_permission(user, action.model, action.perm)
        and (not action.own_office or application.jurisdiction_id == user.jurisdiction_id)
    ]


@login_required
def application_action(request, pk: int, action: str):
    step = ACTIONS.get(action)
    if step is None:
        raise Http404
    if not has_permission(request.user, step.model, step.perm):
        raise PermissionDenied
    perm = step.perm if step.model is Application else "view"
    application = get_restricted_or_404(Application.objects.all(), request.user, perm, pk=pk)
    form = None
    if step.form is not None:
        kwargs = {"application": application} if step.needs_application else {}
        form = step.form(request.POST or None, request.FILES or None, **kwargs)
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            with transaction.atomic():  # the document and the step stand or fall together
                step.run(request.user, application, form)
        except ValidationError as error:
            _errors(request, error)
            if form is None:
                return redirect(application)
        else:
            messages.success(request, _("%(step)s: done.") % {"step": step.label})
            return redirect(application)
    if form is None:
        return redirect(application)
    preview, extra = None, {}
    if action == "decide":  # every review side by side with the findings and the evidence
        extra = {
            "reviews": application.reviews.select_related("reviewer"),
            "attachments": restrict(application.attachments.all(), request.user),
            "open_exceptions": services.undecided_exceptions(application),
        }
    if action == "subsidy":
        rate = form.data.get("inclusive_rate") if form.is_bound else None
        preview = services.subsidy_preview(application, _rate_or_none(rate))
    return render(
        request,
        "funding/action.html",
        {
            "form": form,
            "application": application,
            "step": step,
            "title": step.label,
            "preview": preview,
            **extra,
        },
    )


def _rate_or_none(value):
    try:
        return Decimal(value) if value else None
    except InvalidOperation:
        return None


class ApplicationDetailView(RestrictedDetailView):
    model = Application
    template_name = "funding/application_detail.html"

    def get_object(self, queryset=None):
        return get_restricted_or_404(
            Application.objects.select_related("call", "jurisdiction", "community", "site"),
            self.request.user,
            "view",
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        user, application = self.request.user, self.object
        ledger_progress = progress(application)
        return super().get_context_data(
            progress=ledger_progress,
            progress_chart=chart(ledger_progress) if ledger_progress else None,
            supplements=restrict(application.supplementary_approvals.all(), user),
            carried_into=restrict(application.carried_into.all(), user),
            may_decide_exceptions=_may_decide_exceptions(user, application),
            recordable={
                r.pk for r in application.reviews.all() if services.may_record_review(user, r)
            },
            chart_labels={
                "ceiling": _("ceiling (CNY)"),
                "released": _("released (CNY)"),
                "approved": _("approved (CNY)"),
            },
            actions=available_actions(user, application),
            can_edit=application.state in (S.DRAFT, S.RETURNED)
            and application.jurisdiction_id == user.jurisdiction_id
            and has_permission(user, Application, "change"),
            missing=services.missing_for_submission(application)
            if application.state in (S.DRAFT, S.RETURNED)
            else [],
            reviews=restrict(application.reviews.select_related("reviewer"), user),
            show_internal=has_permission(user, Review, "view_internal"),
            can_review=has_permission(user, Review, "change"),
            attachments=restrict(application.attachments.all(), user),
            tranches=restrict(application.tranches.select_related("milestone"), user),
            changes=restrict(application.changes.all(), user),
            milestones=application.milestones.all(),
            tranche_perms={
                a: has_permission(user, Tranche, a)
                for a in ("verify", "approve", "release", "reject")
            },
            can_decide_change=has_permission(user, ChangeRequest, "decide"),
            **kwargs,
        )


@requires(Application, "forward")
def district_batch(request):
    """组织申报: the district ticks the applications it submits to the city together."""
    waiting = restrict(Application.objects.all(), request.user, "forward").filter(
        state=S.DISTRICT_REVIEW
    )
    if request.method == "POST":
        ticked = [pk for pk in request.POST.getlist("application") if pk.isdigit()]
        chosen = waiting.filter(pk__in=ticked)
        try:
            done = services.application_forward(actor=request.user, applications=list(chosen))
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(
                request, _("%(count)d application(s) submitted to the city.") % {"count": len(done)}
            )
            return redirect("funding:district_batch")
    return render(
        request,
        "funding/district_batch.html",
        {"applications": waiting.select_related("jurisdiction"), "title": _("Submit a batch")},
    )


# --- Joint review (联合审查) ---------------------------------------------------------------


class ReviewListView(RestrictedListView):
    model = Review
    table_class = tables.ReviewTable
    filterset_class = filtersets.ReviewFilterSet
    template_name = "list.html"
    extra_context = {"title": gettext_lazy("Joint reviews (台账)")}
    export_name = "reviews"
    export_columns = (
        ("application.name", gettext_lazy("project name")),
        ("get_department_display", gettext_lazy("department")),
        ("get_dimension_display", gettext_lazy("dimension")),
        ("get_decision_display", gettext_lazy("decision")),
        ("comment", gettext_lazy("comment (shown to the applicant)")),
        ("reviewed_at", gettext_lazy("reviewed")),
    )

    def get_queryset(self):
        return super().get_queryset().select_related("application", "reviewer")


@requires(Review, "change")
def review_edit(request, pk: int):
    review = get_restricted_or_404(Review.objects.all(), request.user, "change", pk=pk)
    if not services.may_record_review(request.user, review):
        raise PermissionDenied
    form = forms.ReviewForm(
        request.POST or None,
        instance=None,
        initial={
            "decision": review.decision if review.decision != ReviewDecision.PENDING else None,
            "comment": review.comment,
            "internal_comment": review.internal_comment,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.review_record(actor=request.user, review=review, **form.cleaned_data)
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("Review recorded."))
            return redirect(review.application)
    application = review.application
    return render(
        request,
        "funding/review_form.html",
        {
            "form": form,
            "review": review,
            "application": application,
            "attachments": restrict(application.attachments.all(), request.user),
            "may_decide_exceptions": _may_decide_exceptions(request.user, application),
            "title": _("Joint review: %(dimension)s")
            % {"dimension": review.get_dimension_display()},
        },
    )


# --- Approvals and money ------------------------------------------------------------------


class SubsidyApprovalListView(RestrictedListView):
    model = SubsidyApproval
    table_class = tables.SubsidyApprovalTable
    filterset_class = filtersets.SubsidyApprovalFilterSet
    template_name = "list.html"
    extra_context = {"title": gettext_lazy("Subsidy approvals (台账)")}
    export_name = "approvals"
    export_columns = (
        ("application.name", gettext_lazy("project name")),
        ("letter_no", gettext_lazy("approval letter number")),
        ("approved_on", gettext_lazy("approved on")),
        ("inclusive_rate_percent", gettext_lazy("inclusive subsidy rate (%)")),
        ("basic_public_cny", gettext_lazy("basic public subsidy (CNY)")),
        ("inclusive_cny", gettext_lazy("inclusive subsidy (CNY)")),
        ("total_cny", gettext_lazy("approved subsidy (CNY)")),
        ("application.ledger.released_cny", gettext_lazy("released (CNY)")),
        ("land_use_grace_expiry", gettext_lazy("land-use grace expiry")),
    )

    def get_queryset(self):
        return super().get_queryset().select_related("application__ledger")


class TrancheListView(RestrictedListView):
    model = Tranche
    table_class = tables.TrancheTable
    filterset_class = filtersets.TrancheFilterSet
    template_name = "list.html"
    extra_context = {"title": gettext_lazy("Tranches (台账)")}
    export_name = "tranches"
    export_columns = (
        ("application.name", gettext_lazy("project name")),
        ("milestone.get_kind_display", gettext_lazy("milestone")),
        ("amount_cny", gettext_lazy("amount (CNY)")),
        ("get_state_display", gettext_lazy("state")),
        ("requested_at", gettext_lazy("requested")),
        ("released_at", gettext_lazy("released")),
    )

    def get_queryset(self):
        # A milestone names its application: fetch that too, not once per row.
        return super().get_queryset().select_related("application", "milestone__application__call")


_TRANCHE_STEPS = {
    "verify": services.tranche_verify,
    "approve": services.tranche_approve,
    "release": services.tranche_release,
}


@require_POST
@login_required
def tranche_action(request, pk: int, action: str):
    if action not in (*_TRANCHE_STEPS, "reject"):
        raise Http404
    if not has_permission(request.user, Tranche, action):
        raise PermissionDenied
    tranche = get_restricted_or_404(Tranche.objects.all(), request.user, action, pk=pk)
    try:
        if action == "reject":
            services.tranche_reject(
                actor=request.user, tranche=tranche, note=request.POST.get("note", "")
            )
        else:
            _TRANCHE_STEPS[action](actor=request.user, tranche=tranche)
    except ValidationError as error:
        _errors(request, error)
    return redirect(tranche.application)


@require_POST
@requires(ChangeRequest, "decide")
def change_decide(request, pk: int, decision: str):
    """Refuse, or approve with the number of the 补充批复 it issues."""
    if decision not in ("approve", "reject"):
        raise Http404
    change = get_restricted_or_404(ChangeRequest.objects.all(), request.user, "decide", pk=pk)
    try:
        services.change_request_decide(
            actor=request.user,
            change=change,
            approve=decision == "approve",
            letter_no=request.POST.get("letter_no", ""),
        )
    except ValidationError as error:
        _errors(request, error)
    return redirect(change.application)


def _may_decide_exceptions(user, application: Application) -> bool:
    """The 功能设置 reviewer of a project in joint review decides its 原则上 exceptions."""
    return (
        application.state == S.JOINT_REVIEW
        and bool(application.overrides)
        and application.reviews.filter(
            dimension=Dimension.FUNCTIONS, department=user.department or "-"
        ).exists()
    )


@require_POST
@requires(Review, "change")
def exception_decide(request, pk: int, rule: str):
    application = get_restricted_or_404(Application.objects.all(), request.user, "view", pk=pk)
    form = forms.ExceptionDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to accept or refuse the exception."))
        return redirect(application)
    try:
        services.exception_decide(
            actor=request.user, application=application, rule=rule, **form.cleaned_data
        )
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("The decision on the exception is recorded."))
    return redirect(application)


@requires(Application, "forward")
def district_pipeline(request):
    """The district's whole pipeline (applications, reserve, funded) against the priority its
    latest gap diagnosis gives each community."""
    from linli.funding.pipeline import pipeline

    return render(
        request,
        "funding/pipeline.html",
        {**pipeline(request.user), "title": _("District pipeline")},
    )


@requires(SupplementaryApproval, "view")
def supplementary_letter(request, pk: int):
    """The 补充批复 as PDF."""
    from linli.funding.letters import supplementary_letter_pdf

    supplement = get_restricted_or_404(
        SupplementaryApproval.objects.select_related("application__call", "original"),
        request.user,
        "view",
        pk=pk,
    )
    response = HttpResponse(supplementary_letter_pdf(supplement), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="supplement-{supplement.pk}.pdf"'
    return response


@requires(SubsidyApproval, "view")
def approval_letter(request, pk: int):
    """The approval letter (批复) as PDF."""
    from linli.funding.letters import approval_letter_pdf

    approval = get_restricted_or_404(
        SubsidyApproval.objects.select_related("application__call", "application__jurisdiction"),
        request.user,
        "view",
        pk=pk,
    )
    response = HttpResponse(approval_letter_pdf(approval), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="approval-{approval.pk}.pdf"'
    return response


@requires(Attachment, "view")
def attachment_download(request, pk: int):
    attachment = get_restricted_or_404(Attachment.objects.all(), request.user, "view", pk=pk)
    path = files.stored_path(attachment.stored_name)
    if not path.is_file():
        raise Http404
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )


@login_required
def notification_list(request):
    if request.method == "POST":
        mark_read(request.user)
        return redirect("funding:notifications")
    notes = Notification.objects.filter(recipient=request.user).select_related("application")
    return render(
        request,
        "funding/notifications.html",
        {"notifications": notes[:200], "title": _("Notifications")},
    )
