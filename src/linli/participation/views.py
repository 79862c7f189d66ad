"""Staff pages of participation: surveys and their results, the desk entry of paper answers,
household codes, the poster, and the public notices with their moderation. Thin: reads
through ``restrict``, writes through :mod:`linli.participation.services`."""

from __future__ import annotations

import segno
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from linli.core.exports import xlsx_response
from linli.core.permissions import get_restricted_or_404, has_permission, restrict
from linli.core.views import RestrictedDetailView, RestrictedListView, requires
from linli.core.vocabulary import label
from linli.funding.models import Application
from linli.participation import filtersets, forms, services, tables
from linli.participation.choices import CommentState
from linli.participation.models import (
    HouseholdCode,
    NoticeComment,
    PublicNotice,
    Survey,
    SurveyResponse,
)
from linli.participation.selectors import survey_results
from linli.policy import vocabulary


def _errors(request, form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        for message in error.messages:
            form.add_error(None, message)


def public_url(request, path: str) -> str:
    """The address residents open (the poster's QR code): ``LINLI_PUBLIC_URL`` when the
    platform is reached from outside under another name, else this request's own."""
    base = settings.PUBLIC_URL.rstrip("/")
    return f"{base}{path}" if base else request.build_absolute_uri(path)


# --- surveys ----------------------------------------------------------------------------------


class SurveyListView(RestrictedListView):
    model = Survey
    table_class = tables.SurveyTable
    filterset_class = filtersets.SurveyFilterSet
    template_name = "list.html"
    extra_context = {"title": gettext_lazy("Needs surveys")}
    export_name = "surveys"
    export_columns = (
        ("title", gettext_lazy("title")),
        ("jurisdiction.name", gettext_lazy("area surveyed")),
        ("opens_on", gettext_lazy("opens on")),
        ("closes_on", gettext_lazy("closes on")),
        ("get_state_display", gettext_lazy("state")),
        ("answer_count", gettext_lazy("answers")),
    )

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("jurisdiction")
            .annotate(answer_count=Count("responses"))
            .order_by("-opens_on", "-pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if has_permission(self.request.user, Survey, "add"):
            context["create_url"] = reverse("participation:survey_create")
        return context


@requires(Survey, "add")
def survey_create(request):
    form = forms.SurveyForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.survey_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _errors(request, form, error)
        else:
            messages.success(
                request, _("Survey created: print the poster and the household codes.")
            )
            return redirect(survey)
    return render(
        request, "participation/form.html", {"form": form, "title": _("New needs survey")}
    )


def _chart(results) -> dict:
    """ECharts data: the area's ranked needs, and each community's response rate."""
    needs = list(reversed(results.area.needs))  # a horizontal bar chart draws bottom-up
    return {
        "needs": {
            "labels": [n.label for n in needs],
            "values": [round(n.share * 100, 1) for n in needs],
            "title": _("Share of ranking points (%)"),
        },
        "rates": {
            "labels": [c.name for c in results.communities],
            "values": [round((c.response_rate or 0) * 100, 1) for c in results.communities],
            "title": _("Households that answered (%)"),
        },
    }


class SurveyDetailView(RestrictedDetailView):
    """The results: ranked needs per street and community, response rates, the other answers,
    free text grouped by the service it concerns."""

    model = Survey
    template_name = "participation/survey_detail.html"

    def get_context_data(self, **kwargs):
        user, survey = self.request.user, self.object
        results = survey_results(survey, user)
        return super().get_context_data(
            results=results,
            chart=_chart(results),
            public_link=public_url(self.request, survey.public_path()),
            can_change=has_permission(user, Survey, "change"),
            can_enter=has_permission(user, SurveyResponse, "add"),
            asked=[label(vocabulary.SCENARIOS, code) for code in survey.scenarios],
            title=survey.title,
            **kwargs,
        )


@requires(Survey, "view")
def survey_poster(request, pk: int):
    """An A4 poster: the QR code of the answer page and its address, to print and put up."""
    survey = get_restricted_or_404(Survey.objects.all(), request.user, pk=pk)
    link = public_url(request, survey.public_path())
    qr = segno.make(link, error="m")
    return render(
        request,
        "participation/poster.html",
        {"survey": survey, "link": link, "qr": qr.svg_inline(scale=8, border=2, omitsize=True)},
    )


@requires(HouseholdCode, "view")
def survey_codes(request, pk: int):
    """The household codes: issue more for a community, print them as slips."""
    survey = get_restricted_or_404(Survey.objects.all(), request.user, pk=pk)
    communities = services.survey_communities(survey)
    form = forms.CodesForm(request.POST or None, communities=communities)
    if request.method == "POST":
        if not has_permission(request.user, HouseholdCode, "add"):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.household_codes_issue(
                    actor=request.user, survey=survey, **form.cleaned_data
                )
            except ValidationError as error:
                _errors(request, form, error)
            else:
                messages.success(request, _("Household codes issued."))
                return redirect("participation:survey_codes", pk=survey.pk)
    codes = (
        restrict(survey.codes.all(), request.user)
        .select_related("community")
        .annotate(used=Count("pk", filter=Q(pk__in=_used_code_pks(survey))))
    )
    return render(
        request,
        "participation/codes.html",
        {"survey": survey, "form": form, "codes": codes, "title": _("Household codes")},
    )


def _used_code_pks(survey: Survey) -> list[int]:
    keys = survey.responses.filter(household__startswith="code:").values_list(
        "household", flat=True
    )
    return [int(key.split(":", 1)[1]) for key in keys]


@requires(SurveyResponse, "add")
def response_enter(request, pk: int):
    """The community desk types in a paper answer under the household's code."""
    survey = get_restricted_or_404(Survey.objects.all(), request.user, pk=pk)
    form = forms.AnswerForm(request.POST or None, survey=survey)
    if request.method == "POST" and form.is_valid():
        try:
            services.response_enter(
                actor=request.user,
                survey=survey,
                household_code=form.cleaned_data["household_code"],
                answers=form.answers(),
            )
        except ValidationError as error:
            _errors(request, form, error)
        else:
            messages.success(request, _("Paper answer entered. The next one:"))
            return redirect("participation:response_enter", pk=survey.pk)
    return render(
        request,
        "participation/form.html",
        {"form": form, "title": _("Enter a paper answer"), "survey": survey},
    )


@requires(Survey, "change")
@require_POST
def survey_close(request, pk: int):
    survey = get_restricted_or_404(Survey.objects.all(), request.user, "change", pk=pk)
    try:
        services.survey_close(actor=request.user, survey=survey)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Survey closed."))
    return redirect(survey)


@requires(Survey, "view")
def survey_export(request, pk: int):
    """The results per community (and the area), or with ``?what=answers`` every answer."""
    survey = get_restricted_or_404(Survey.objects.all(), request.user, pk=pk)
    if request.GET.get("what") == "answers":
        answers = restrict(survey.responses.all(), request.user).select_related("community")
        fields = [
            "community",
            "channel",
            "first_choice",
            "second_choice",
            "third_choice",
            "hours",
            "monthly_pay",
            "needs_elder",
            "needs_infant",
            "needs_school_child",
            "comment_scenario",
            "comment",
            "submitted_at",
        ]
        meta = SurveyResponse._meta
        headers = [str(meta.get_field(f).verbose_name) for f in fields]

        def cell(answer, name):
            field = meta.get_field(name)
            if field.choices:
                return getattr(answer, f"get_{name}_display")()
            value = getattr(answer, name)
            return (_("yes") if value else _("no")) if isinstance(value, bool) else value

        rows = ([cell(a, f) for f in fields] for a in answers)
        return xlsx_response(f"survey-{survey.pk}-answers.xlsx", _("answers"), headers, rows)
    results = survey_results(survey, request.user)
    asked = [label(vocabulary.SCENARIOS, code) for code in survey.scenarios]
    headers = [_("community"), _("households"), _("answers"), _("response rate (%)")] + [
        _("%(service)s: points") % {"service": name} for name in asked
    ]

    def row(result):
        points = {n.scenario: n.points for n in result.needs}
        rate = result.response_rate
        return [
            result.name,
            result.households,
            result.responses,
            round(rate * 100, 1) if rate is not None else None,
            *[points[code] for code in survey.scenarios],
        ]

    rows = [row(r) for r in [results.area, *results.communities]]
    return xlsx_response(f"survey-{survey.pk}-results.xlsx", _("results"), headers, rows)


# --- public notices -------------------------------------------------------------------------


class NoticeListView(RestrictedListView):
    model = PublicNotice
    table_class = tables.NoticeTable
    filterset_class = filtersets.NoticeFilterSet
    template_name = "list.html"
    extra_context = {"title": gettext_lazy("Public notices")}
    export_name = "public-notices"
    export_columns = (
        ("application.name", gettext_lazy("project name")),
        ("opens_at", gettext_lazy("published at")),
        ("closes_at", gettext_lazy("comments close at")),
        ("period_days", gettext_lazy("comment period (days)")),
        ("pending_count", gettext_lazy("awaiting moderation")),
    )

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("application")
            .annotate(pending_count=Count("comments", filter=Q(comments__state="pending")))
            .order_by("-opens_at", "-pk")
        )


@requires(PublicNotice, "add")
def notice_create(request, application_pk: int):
    """The district publishes a proposed project for comment (the period from the pack)."""
    application = get_restricted_or_404(Application.objects.all(), request.user, pk=application_pk)
    form = forms.NoticeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            notice = services.notice_publish(
                actor=request.user, application=application, **form.cleaned_data
            )
        except ValidationError as error:
            _errors(request, form, error)
        else:
            messages.success(request, _("Published for comment."))
            return redirect(notice)
    return render(
        request,
        "participation/form.html",
        {
            "form": form,
            "title": _("Publish for comment: %(project)s") % {"project": application},
            "hint": _("Comments are open for %(days)s days (the policy pack's period).")
            % {"days": services.notice_period_days(application)},
        },
    )


class NoticeDetailView(RestrictedDetailView):
    model = PublicNotice
    template_name = "participation/notice_detail.html"

    def get_context_data(self, **kwargs):
        user, notice = self.request.user, self.object
        return super().get_context_data(
            comments=restrict(notice.comments.all(), user),
            public_link=public_url(self.request, notice.public_path()),
            can_moderate=has_permission(user, NoticeComment, "moderate"),
            can_answer=has_permission(user, NoticeComment, "answer"),
            pending=CommentState.PENDING,
            title=_("Public notice: %(project)s") % {"project": notice.application},
            **kwargs,
        )


@requires(NoticeComment, "moderate")
@require_POST
def comment_moderate(request, pk: int):
    comment = get_restricted_or_404(NoticeComment.objects.all(), request.user, "moderate", pk=pk)
    form = forms.ModerateForm(request.POST)
    form.is_valid()
    try:
        services.comment_moderate(
            actor=request.user,
            comment=comment,
            publish=request.POST.get("decision") == "publish",
            reason=form.cleaned_data.get("reason", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Comment moderated."))
    return redirect(comment.notice)


@requires(NoticeComment, "answer")
@require_POST
def comment_answer(request, pk: int):
    comment = get_restricted_or_404(NoticeComment.objects.all(), request.user, "answer", pk=pk)
    form = forms.AnswerCommentForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Write the answer."))
        services.comment_answer(actor=request.user, comment=comment, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Answer recorded."))
    return redirect(comment.notice)
