"""Surveys, their household codes and answers; public notices and their comments.

Scoped like the registry: a survey by the area it asks (a street or a community), a notice by
the application's preparing office. Answers carry no name: a household is known by a one-time
code printed for it, or by the resident's account, and only so that it answers once.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from linli.core.permissions import RestrictedQuerySet
from linli.core.vocabulary import choices
from linli.participation.choices import Channel, CommentState, Hours, MonthlyPay, SurveyState
from linli.policy import vocabulary

# Letters and digits nobody confuses when copying a code from a slip of paper (no 0/O, 1/I/L).
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_token() -> str:
    return secrets.token_urlsafe(9)


def new_household_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


class Survey(FSMModelMixin, models.Model):
    """A needs survey of one area, built from the template (the nine scenarios and the fixed
    questions of :mod:`linli.participation.choices`)."""

    scope_path = "jurisdiction__path"

    title = models.CharField(_("title"), max_length=200)
    jurisdiction = models.ForeignKey(
        "registry.Jurisdiction",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("area surveyed"),
    )
    scenarios = models.JSONField(_("services asked about"), default=list)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    state = FSMField(
        _("state"), default=SurveyState.OPEN, choices=SurveyState.choices, protected=True
    )
    token = models.CharField(_("link key"), max_length=16, unique=True, default=new_token)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("needs survey")
        verbose_name_plural = _("needs surveys")
        ordering = ["-opens_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="survey_dates_ordered",
                violation_error_message=_("The closing date must not be before the opening date."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("participation:survey_detail", args=[self.pk])

    def public_path(self) -> str:
        return reverse("participation_public:survey", args=[self.token])

    def accepting(self) -> bool:
        today = timezone.localdate()
        return self.state == SurveyState.OPEN and self.opens_on <= today <= self.closes_on

    @transition(field=state, source=SurveyState.OPEN, target=SurveyState.CLOSED)
    def close(self) -> None:
        pass


class HouseholdCode(models.Model):
    """A one-time code handed to one household of a community: its key to answer once."""

    scope_path = "survey__jurisdiction__path"

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="codes")
    community = models.ForeignKey(
        "registry.Jurisdiction", on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField(_("household code"), max_length=12, default=new_household_code)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("household code")
        verbose_name_plural = _("household codes")
        ordering = ["community", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "code"],
                name="household_code_unique",
                violation_error_message=_("This household code is already in use."),
            )
        ]

    def __str__(self) -> str:
        return self.code


class SurveyResponse(models.Model):
    """One household's answer. ``household`` is the code's key or the resident's account
    (never shown): the database refuses a second answer from the same household."""

    scope_path = "survey__jurisdiction__path"

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    community = models.ForeignKey(
        "registry.Jurisdiction",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("community"),
    )
    household = models.CharField(max_length=64, editable=False)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    first_choice = models.CharField(
        _("most needed service"), max_length=24, choices=choices(vocabulary.SCENARIOS)
    )
    second_choice = models.CharField(
        _("second most needed"), max_length=24, blank=True, choices=choices(vocabulary.SCENARIOS)
    )
    third_choice = models.CharField(
        _("third most needed"), max_length=24, blank=True, choices=choices(vocabulary.SCENARIOS)
    )
    hours = models.CharField(_("preferred hours"), max_length=16, choices=Hours.choices)
    monthly_pay = models.CharField(_("would pay a month"), max_length=8, choices=MonthlyPay.choices)
    needs_elder = models.BooleanField(_("an elder needs care"), default=False)
    needs_infant = models.BooleanField(_("an infant (0–3) needs care"), default=False)
    needs_school_child = models.BooleanField(
        _("a school child needs after-school care"), default=False
    )
    comment = models.TextField(_("anything else"), blank=True, max_length=1000)
    comment_scenario = models.CharField(
        _("the comment is about"), max_length=24, blank=True, choices=choices(vocabulary.SCENARIOS)
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "household"],
                name="one_answer_per_household",
                violation_error_message=_("This household has already answered the survey."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey} · {self.community} · {self.pk}"

    def ranking(self) -> list[str]:
        return [c for c in (self.first_choice, self.second_choice, self.third_choice) if c]


class PublicNotice(models.Model):
    """公示 of a proposed project: anyone may comment until ``closes_at`` (the period comes
    from the policy pack of the application's call)."""

    scope_path = "application__jurisdiction__path"

    application = models.OneToOneField(
        "funding.Application",
        on_delete=models.PROTECT,
        related_name="public_notice",
        verbose_name=_("application"),
    )
    summary = models.TextField(_("what is proposed"), max_length=4000)
    opens_at = models.DateTimeField(_("published at"), default=timezone.now)
    closes_at = models.DateTimeField(_("comments close at"))
    period_days = models.PositiveSmallIntegerField(_("comment period (days)"))
    token = models.CharField(_("link key"), max_length=16, unique=True, default=new_token)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("public notice")
        verbose_name_plural = _("public notices")
        ordering = ["-opens_at", "-pk"]

    def __str__(self) -> str:
        return str(self.application)

    def get_absolute_url(self) -> str:
        return reverse("participation:notice_detail", args=[self.pk])

    def public_path(self) -> str:
        return reverse("participation_public:notice", args=[self.token])

    def is_open(self) -> bool:
        return self.opens_at <= timezone.now() < self.closes_at


class NoticeComment(FSMModelMixin, models.Model):
    """A comment on a notice: published or not by the district, with the reason on record,
    and the district's answer."""

    scope_path = "notice__application__jurisdiction__path"

    notice = models.ForeignKey(PublicNotice, on_delete=models.PROTECT, related_name="comments")
    name = models.CharField(_("signed as"), max_length=40, blank=True)
    text = models.TextField(_("comment"), max_length=2000)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    state = FSMField(
        _("state"), default=CommentState.PENDING, choices=CommentState.choices, protected=True
    )
    moderation_reason = models.CharField(_("reason"), max_length=300, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True)
    answer = models.TextField(_("the district's answer"), blank=True, max_length=2000)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice comment")
        verbose_name_plural = _("notice comments")
        ordering = ["submitted_at", "pk"]

    def __str__(self) -> str:
        return self.text[:40]

    @transition(field=state, source=CommentState.PENDING, target=CommentState.PUBLISHED)
    def publish(self) -> None:
        pass

    @transition(field=state, source=CommentState.PENDING, target=CommentState.REJECTED)
    def reject(self) -> None:
        pass


class SubmissionAttempt(models.Model):
    """The rate limit's memory: one row per public submission, by a keyed hash of the
    client address (the address itself is not kept). Old rows are pruned as new ones come."""

    kind = models.CharField(max_length=16)
    client = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["kind", "client", "at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M:%S}"
