"""The pages residents open without an account: a survey's answer page (from the poster's QR
code) and a public notice with its comment form. Each submission is counted against the
address's rate limit before anything else, then checked by the challenge."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from linli.participation import forms, services, throttle
from linli.participation.choices import CommentState
from linli.participation.models import PublicNotice, Survey
from linli.participation.views import _errors

TOO_MANY = 429


def _limited(request, kind: str):
    with transaction.atomic():
        allowed = throttle.allow(kind)
    if allowed:
        return None
    return render(
        request,
        "participation/public_limited.html",
        {"title": _("Too many submissions")},
        status=TOO_MANY,
    )


def _resident(request):
    user = request.user
    return user if user.is_authenticated and user.role == "resident" else None


def survey_answer(request, token: str):
    survey = get_object_or_404(Survey, token=token)
    resident = _resident(request)
    form = forms.PublicAnswerForm(
        request.POST or None, survey=survey, code_required=resident is None
    )
    if request.method == "POST":
        refused = _limited(request, "survey")
        if refused:
            return refused
        if form.is_valid():
            try:
                services.response_submit(
                    survey=survey,
                    answers=form.answers(),
                    household_code=form.cleaned_data["household_code"],
                    resident=resident,
                )
            except ValidationError as error:
                _errors(request, form, error)
            else:
                return redirect("participation_public:survey_thanks", token=survey.token)
    return render(
        request,
        "participation/public_survey.html",
        {"survey": survey, "form": form, "resident": resident, "title": survey.title},
    )


def survey_thanks(request, token: str):
    survey = get_object_or_404(Survey, token=token)
    return render(
        request, "participation/public_thanks.html", {"survey": survey, "title": survey.title}
    )


def notice_page(request, token: str):
    notice = get_object_or_404(PublicNotice.objects.select_related("application"), token=token)
    form = forms.CommentForm(request.POST or None)
    if request.method == "POST":
        refused = _limited(request, "comment")
        if refused:
            return refused
        if form.is_valid():
            try:
                services.comment_submit(
                    notice=notice, text=form.cleaned_data["text"], name=form.cleaned_data["name"]
                )
            except ValidationError as error:
                _errors(request, form, error)
            else:
                return render(
                    request,
                    "participation/public_thanks.html",
                    {"notice": notice, "title": _("Thank you")},
                )
    return render(
        request,
        "participation/public_notice.html",
        {
            "notice": notice,
            "application": notice.application,
            "form": form,
            "comments": notice.comments.filter(state=CommentState.PUBLISHED),
            "title": _("Public notice: %(project)s") % {"project": notice.application},
        },
    )
