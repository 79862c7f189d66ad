"""Writes of participation. Staff services check permission and scope, run in one transaction
and write the audit record. The two public writes (a household's answer, a comment) have no
actor: they are audited with the request's id and address, and guarded by the one-household
rule and the rate limit (:mod:`linli.participation.throttle`) instead of a permission."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from linli.audit.models import AuditAction
from linli.audit.services import audit_record, snapshot
from linli.core.permissions import require_in_scope, require_model_permission, require_permission
from linli.participation.choices import Channel
from linli.participation.models import (
    HouseholdCode,
    NoticeComment,
    PublicNotice,
    Survey,
    SurveyResponse,
)
from linli.policy import load_pack, vocabulary
from linli.registry.models import Jurisdiction, Level

ANSWER_FIELDS = (
    "first_choice",
    "second_choice",
    "third_choice",
    "hours",
    "monthly_pay",
    "needs_elder",
    "needs_infant",
    "needs_school_child",
    "comment",
    "comment_scenario",
)
MAX_CODES = 5000


# --- surveys ----------------------------------------------------------------------------------


def survey_create(
    *,
    actor,
    title: str,
    jurisdiction: Jurisdiction,
    opens_on: date,
    closes_on: date,
    scenarios: list[str] | None = None,
) -> Survey:
    """A needs survey of a street or community from the template: every scenario unless the
    office narrows it."""
    require_model_permission(actor, "add", Survey)
    require_in_scope(actor, jurisdiction)
    if jurisdiction.level not in (Level.STREET, Level.COMMUNITY):
        raise ValidationError({"jurisdiction": _("Choose a street or a community to survey.")})
    scenarios = list(scenarios or vocabulary.SCENARIOS)
    unknown = [s for s in scenarios if s not in vocabulary.SCENARIOS]
    if unknown or len(scenarios) < 2:
        raise ValidationError({"scenarios": _("Choose at least two of the nine services.")})
    survey = Survey(
        title=title,
        jurisdiction=jurisdiction,
        opens_on=opens_on,
        closes_on=closes_on,
        scenarios=scenarios,
        created_by=actor,
    )
    survey.full_clean(exclude=["state", "created_by"])
    with transaction.atomic():
        survey.save()
        audit_record(actor=actor, action=AuditAction.CREATE, obj=survey, after=snapshot(survey))
    return survey


def survey_close(*, actor, survey: Survey) -> Survey:
    require_permission(actor, "change", survey)
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        if not can_proceed(survey.close):
            raise ValidationError(_("The survey is already closed."))
        before = snapshot(survey)
        survey.close()
        survey.save()
        audit_record(
            actor=actor,
            action=AuditAction.TRANSITION,
            obj=survey,
            before=before,
            after=snapshot(survey),
            transition="close",
        )
    return survey


def survey_communities(survey: Survey):
    """The communities a survey asks: the area itself, or the communities of the street."""
    return Jurisdiction.objects.filter(
        path__startswith=survey.jurisdiction.path, level=Level.COMMUNITY
    ).order_by("path")


def household_codes_issue(*, actor, survey: Survey, community: Jurisdiction, count: int):
    """``count`` new one-time codes for households of ``community`` (printed as slips)."""
    require_permission(actor, "change", survey)
    require_model_permission(actor, "add", HouseholdCode)
    if not survey_communities(survey).filter(pk=community.pk).exists():
        raise ValidationError({"community": _("Choose a community of the surveyed area.")})
    if not 1 <= count <= MAX_CODES:
        raise ValidationError(
            {"count": _("Ask for between 1 and %(max)s codes at a time.") % {"max": MAX_CODES}}
        )
    with transaction.atomic():
        taken = set(survey.codes.values_list("code", flat=True))
        codes = []
        while len(codes) < count:
            code = HouseholdCode(survey=survey, community=community)
            if code.code not in taken:
                taken.add(code.code)
                codes.append(code)
        HouseholdCode.objects.bulk_create(codes)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=survey,
            after={"household_codes_issued": count, "community": community.code},
        )
    return codes


def _answer_fields(answers: dict, survey: Survey) -> dict:
    data = {field: answers.get(field, "") for field in ANSWER_FIELDS}
    for flag in ("needs_elder", "needs_infant", "needs_school_child"):
        data[flag] = bool(data[flag])
    ranking = [data[f] for f in ("first_choice", "second_choice", "third_choice") if data[f]]
    if not data["first_choice"]:
        raise ValidationError({"first_choice": _("Choose the service your household needs most.")})
    if len(set(ranking)) != len(ranking):
        raise ValidationError(
            {"second_choice": _("Choose a different service for each place in the ranking.")}
        )
    if any(choice not in survey.scenarios for choice in ranking):
        raise ValidationError(
            {"first_choice": _("Choose one of the services the survey asks about.")}
        )
    return data


def _save_answer(survey, community, household, channel, data, entered_by) -> SurveyResponse:
    if not survey.accepting():
        raise ValidationError(_("The survey is not taking answers."))
    response = SurveyResponse(
        survey=survey,
        community=community,
        household=household,
        channel=channel,
        entered_by=entered_by,
        **data,
    )
    try:
        with transaction.atomic():
            response.save()
            audit_record(
                actor=entered_by,
                action=AuditAction.CREATE,
                obj=response,
                after={"survey": survey.pk, "community": community.code, "channel": channel},
            )
    except IntegrityError:
        raise ValidationError(_("This household has already answered the survey.")) from None
    return response


def _code_for(survey: Survey, code: str) -> HouseholdCode:
    found = survey.codes.filter(code=code.strip().upper()).select_related("community").first()
    if found is None:
        raise ValidationError(
            {
                "household_code": _(
                    "This household code is not one of this survey's codes: check the slip."
                )
            }
        )
    return found


def response_submit(*, survey: Survey, answers: dict, household_code: str = "", resident=None):
    """A household answers on its phone: by its code, or signed in as a resident of the area
    (then the account is the household)."""
    data = _answer_fields(answers, survey)
    if resident is not None and resident.is_authenticated and not household_code:
        community = resident.jurisdiction
        if community.level != Level.COMMUNITY or not community.path.startswith(
            survey.jurisdiction.path
        ):
            raise ValidationError(
                {
                    "household_code": _(
                        "Your account is not in the surveyed area: enter the code on your slip."
                    )
                }
            )
        return _save_answer(survey, community, f"account:{resident.pk}", Channel.ONLINE, data, None)
    if not household_code:
        raise ValidationError({"household_code": _("Enter the household code on your slip.")})
    code = _code_for(survey, household_code)
    return _save_answer(survey, code.community, f"code:{code.pk}", Channel.ONLINE, data, None)


def response_enter(*, actor, survey: Survey, household_code: str, answers: dict) -> SurveyResponse:
    """A paper answer typed in at the community desk, under the household's code."""
    require_permission(actor, "view", survey)
    require_model_permission(actor, "add", SurveyResponse)
    data = _answer_fields(answers, survey)
    code = _code_for(survey, household_code)
    return _save_answer(survey, code.community, f"code:{code.pk}", Channel.PAPER, data, actor)


# --- public notice ----------------------------------------------------------------------------


def notice_period_days(application) -> int:
    """The comment period of the pack the application's call follows."""
    return int(load_pack(application.call.policy_id).participation["public_notice_days"].value)


def notice_publish(*, actor, application, summary: str) -> PublicNotice:
    """Publish a proposed project for comment for the pack's period."""
    require_model_permission(actor, "add", PublicNotice)
    require_permission(actor, "view", application)
    if not summary.strip():
        raise ValidationError({"summary": _("Describe the proposed project for residents.")})
    days = notice_period_days(application)
    now = timezone.now()
    with transaction.atomic():
        if PublicNotice.objects.filter(application=application).exists():
            raise ValidationError(_("This project has already been published for comment."))
        notice = PublicNotice.objects.create(
            application=application,
            summary=summary.strip(),
            opens_at=now,
            closes_at=now + timedelta(days=days),
            period_days=days,
            created_by=actor,
        )
        audit_record(actor=actor, action=AuditAction.CREATE, obj=notice, after=snapshot(notice))
    return notice


def comment_submit(*, notice: PublicNotice, text: str, name: str = "") -> NoticeComment:
    """Anyone comments while the notice is open; the comment waits for moderation."""
    if not notice.is_open():
        raise ValidationError(_("The comment period has ended."))
    if not text.strip():
        raise ValidationError({"text": _("Write your comment.")})
    with transaction.atomic():
        comment = NoticeComment.objects.create(notice=notice, text=text.strip(), name=name.strip())
        audit_record(actor=None, action=AuditAction.CREATE, obj=comment, after=snapshot(comment))
    return comment


def comment_moderate(*, actor, comment: NoticeComment, publish: bool, reason: str):
    """Publish a comment or keep it back; the reason goes on record (required to keep back)."""
    require_permission(actor, "moderate", comment)
    if not publish and not reason.strip():
        raise ValidationError({"reason": _("Give the reason for not publishing the comment.")})
    with transaction.atomic():
        comment = NoticeComment.objects.select_for_update().get(pk=comment.pk)
        method = comment.publish if publish else comment.reject
        if not can_proceed(method):
            raise ValidationError(_("The comment has already been moderated."))
        before = snapshot(comment)
        method()
        comment.moderation_reason = reason.strip()
        comment.moderated_by = actor
        comment.moderated_at = timezone.now()
        comment.save()
        audit_record(
            actor=actor,
            action=AuditAction.TRANSITION,
            obj=comment,
            before=before,
            after=snapshot(comment),
            transition=method.__name__,
        )
    return comment


def comment_answer(*, actor, comment: NoticeComment, answer: str) -> NoticeComment:
    """The district's answer to a comment (shown with it, and to the reviewers)."""
    require_permission(actor, "answer", comment)
    if not answer.strip():
        raise ValidationError({"answer": _("Write the answer.")})
    with transaction.atomic():
        comment = NoticeComment.objects.select_for_update().get(pk=comment.pk)
        before = snapshot(comment)
        comment.answer = answer.strip()
        comment.answered_by = actor
        comment.answered_at = timezone.now()
        comment.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=comment,
            before=before,
            after=snapshot(comment),
        )
    return comment
