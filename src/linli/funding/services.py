"""Writes of the funding workflow. Each service checks the actor's permission and scope, runs in
one transaction, changes state only through the model's declared transitions, and writes the
audit record (``AuditAction.TRANSITION`` with the transition's name) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from linli.accounts.roles import Role
from linli.audit.models import AuditAction
from linli.audit.services import audit_record, snapshot
from linli.core.permissions import (
    require_in_scope,
    require_model_permission,
    require_permission,
    restrict,
)
from linli.funding import attachments as files
from linli.funding import handover
from linli.funding.choices import (
    DEPARTMENT_DIMENSIONS,
    DISTRICT_PARTY,
    FIELDS,
    ApplicationState,
    AttachmentKind,
    AuthorityLevel,
    Dimension,
    ExceptionDecision,
    Procedure,
    ReviewDecision,
    TrancheState,
)
from linli.funding.evaluation import (
    application_input,
    call_pack,
    exception_min_chars,
    funding_channels,
    mix_total,
    override_rules,
    policy_input,
    run_policy,
    substantive_length,
)
from linli.funding.models import (
    Application,
    ApplicationFunction,
    Attachment,
    Call,
    ChangeRequest,
    FeasibilityApproval,
    FundReport,
    FundReportItem,
    Ledger,
    Milestone,
    Review,
    SubsidyApproval,
    SupplementaryApproval,
    Tranche,
)
from linli.funding.notifications import notify, recipients
from linli.funding.progress import ceiling_cny, committed_cny, schedule
from linli.policy import load_pack
from linli.policy.pack import PolicyPackError
from linli.registry.models import Jurisdiction, Level

S = ApplicationState
APPLICATION_FIELDS = (
    "name",
    "community",
    "site",
    "location",
    "kind",
    "construction",
    "space_source",
    "gross_floor_area_m2",
    "resident_activity_area_m2",
    "total_investment_cny",
    "operating_model",
    "operator",
    "government_built",
    "price_cost_basis",
    "price_profit_rate",
    "price_schedule",
    "consulted_residents",
    "consulted_enterprises",
    "consultation_opinions",
    "safety_assessment",
    "planning_evidence",
)


def _percent(share: Decimal) -> str:
    """0.3 → "30", 0.125 → "12.5" (never "3E+1")."""
    text = f"{share * 100:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _locked(obj: models.Model):
    return type(obj)._default_manager.select_for_update().get(pk=obj.pk)


def _transition(actor, obj, name: str, *, permission: str | None, **changes):
    """Lock ``obj``, check ``permission`` on it, apply transition ``name`` and audit it."""
    if permission:
        require_permission(actor, permission, obj)
    obj = _locked(obj)
    method = getattr(obj, name)
    if not can_proceed(method):
        raise ValidationError(
            _("This step is not possible while the %(model)s is “%(state)s”.")
            % {"model": obj._meta.verbose_name, "state": obj.get_state_display()}
        )
    before = snapshot(obj)
    for field, value in changes.items():
        setattr(obj, field, value)
    method()
    obj.save()
    audit_record(
        actor=actor,
        action=AuditAction.TRANSITION,
        obj=obj,
        before=before,
        after=snapshot(obj),
        transition=name,
    )
    return obj


def _audit_create(actor, obj) -> None:
    audit_record(actor=actor, action=AuditAction.CREATE, obj=obj, after=snapshot(obj))


def _audited_update(actor, obj, **fields):
    """Set ``fields`` on ``obj`` (already locked by the caller), save, audit before/after."""
    before = snapshot(obj)
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.save()
    audit_record(
        actor=actor, action=AuditAction.UPDATE, obj=obj, before=before, after=snapshot(obj)
    )
    return obj


def _require_state(application: Application, *states: str) -> None:
    if application.state not in states:
        raise ValidationError(
            _("This step is not possible while the application is “%(state)s”.")
            % {"state": application.get_state_display()}
        )


def _require_own_office(actor, application: Application) -> None:
    """Steps of the project unit are taken by the preparing office itself, not by the
    offices above it (which may see, return or approve, but not write for it)."""
    if application.jurisdiction_id != actor.jurisdiction_id:
        raise PermissionDenied(_("Only the office that prepares the application may do this."))


# --- 1 公开征集: calls ----------------------------------------------------------------------


@transaction.atomic
def call_open(
    *,
    actor,
    title: str,
    policy_id: str,
    opens_on: date,
    closes_on: date,
    budget_cny: Decimal,
    districts: Iterable[Jurisdiction],
    notice: str,
) -> Call:
    require_model_permission(actor, "add", Call)
    try:
        pack = load_pack(policy_id)
    except (PolicyPackError, FileNotFoundError, KeyError) as error:
        raise ValidationError({"policy_id": str(error)}) from error
    districts = list(districts)
    if not districts or any(d.level != Level.DISTRICT for d in districts):
        raise ValidationError({"districts": _("Invite one or more districts.")})
    call = Call(
        title=title,
        policy_id=policy_id,
        # The call keeps the pack version it opened with: its applications are evaluated with
        # it even when the pack files change later (a content hash and the files themselves).
        policy_version=pack.version,
        policy_snapshot=pack.snapshot(),
        opens_on=opens_on,
        closes_on=closes_on,
        budget_cny=budget_cny,
        notice=notice,
    )
    call.full_clean(exclude=["state"])
    if closes_on < opens_on:
        raise ValidationError({"closes_on": _("The call must close after it opens.")})
    call.save()
    call.districts.set(districts)
    _audit_create(actor, call)
    return call


@transaction.atomic
def call_close(*, actor, call: Call) -> Call:
    return _transition(actor, call, "close", permission="close")


# --- 2 组织申报: applications -----------------------------------------------------------------


def _check_call_accepts(call: Call, node: Jurisdiction) -> None:
    today = timezone.localdate()
    if call.state != "open" or today > call.closes_on:
        raise ValidationError({"call": _("The call is closed.")})
    if today < call.opens_on:
        raise ValidationError({"call": _("The call opens on %(date)s.") % {"date": call.opens_on}})
    district_paths = [d.path for d in call.districts.all()]
    if not any(node.path.startswith(path) for path in district_paths):
        raise ValidationError({"call": _("Your district is not invited to this call.")})


def _evaluate(application: Application) -> None:
    evaluation = run_policy(application.call, application_input(application))
    application.evaluation = evaluation
    application.eligible = bool(evaluation.get("eligible"))


def _set_functions(application: Application, functions: Sequence[Mapping[str, Any]]) -> None:
    application.functions.all().delete()
    for data in functions:
        function = ApplicationFunction(application=application, **data)
        function.full_clean(exclude=["application"])
        function.save()


def _clean_overrides(overrides: Iterable[Mapping[str, str]], call: Call) -> list[dict[str, str]]:
    """原则上 exceptions as written: a blank reason is no exception; any other reason must say
    something (the pack's minimum of letters and digits, punctuation and blanks not counted).
    Each waits for the 功能设置 reviewer's decision."""
    minimum = exception_min_chars(call)
    cleaned = []
    for o in overrides:
        reason = str(o.get("reason") or "").strip()
        if not reason:
            continue
        if substantive_length(reason) < minimum:
            raise ValidationError(
                {
                    "overrides": _(
                        "The justification for “%(rule)s” is too short: explain in at least "
                        "%(minimum)d characters (not counting spaces and punctuation) why the "
                        "project departs from the rule."
                    )
                    % {"rule": o["rule"], "minimum": minimum}
                }
            )
        cleaned.append(
            {"rule": str(o["rule"]), "reason": reason, "decision": ExceptionDecision.PENDING}
        )
    return cleaned


def _clean_mix(
    mix: Mapping[str, Any] | None, call: Call, key: str = "funding_mix"
) -> dict[str, str]:
    """121号 三(八): the amount per funding channel of the call's pack (empty channels dropped);
    errors are given under ``key``."""
    channels = funding_channels(call)
    cleaned = {}
    for code, value in (mix or {}).items():
        if value in (None, ""):
            continue
        if code not in channels:
            raise ValidationError({key: _("Unknown funding channel “%(code)s”.") % {"code": code}})
        try:
            amount = Decimal(str(value))
        except ArithmeticError:
            amount = Decimal(-1)
        if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
            raise ValidationError(
                {
                    key: _("Funding mix, %(channel)s: enter an amount in CNY of 0 or more.")
                    % {"channel": channels[code].name_zh}
                }
            )
        if amount:
            cleaned[code] = str(amount.quantize(Decimal("0.01")))
    return cleaned


def _require_mix_sums_to(
    mix: Mapping[str, Any], total: Decimal, field: str, key: str = "funding_mix"
) -> None:
    if mix_total(mix) == total:
        return
    if key == "report_funding_mix":
        message = _(
            "The fund application report's funding mix adds up to %(sum)s CNY but the "
            "%(field)s is %(total)s CNY: record every channel of the report so that they add up "
            "to it (or make the estimates add up to the new total investment, and the report "
            "takes the project's mix)."
        )
    else:
        message = _(
            "The funding mix adds up to %(sum)s CNY but the %(field)s is %(total)s CNY: "
            "record every channel so that they add up to it."
        )
    raise ValidationError({key: message % {"sum": mix_total(mix), "field": field, "total": total}})


@transaction.atomic
def application_create(
    *,
    actor,
    call: Call,
    functions: Sequence[Mapping[str, Any]] = (),
    overrides: Iterable[Mapping[str, str]] = (),
    funding_mix: Mapping[str, Any] | None = None,
    jurisdiction: Jurisdiction | None = None,
    **fields,
) -> Application:
    """A draft, prepared by a street (or district) office; saved at any time."""
    require_model_permission(actor, "add", Application)
    node = jurisdiction or actor.jurisdiction
    if node.level not in (Level.STREET, Level.DISTRICT):
        raise ValidationError(_("Applications are prepared by a street or district office."))
    require_in_scope(actor, node)
    _check_call_accepts(call, node)
    application = Application(
        call=call,
        jurisdiction=node,
        created_by=actor,
        overrides=_clean_overrides(overrides, call),
        funding_mix=_clean_mix(funding_mix, call),
        **{k: v for k, v in fields.items() if k in APPLICATION_FIELDS},
    )
    _check_links(actor, application)
    application.full_clean(exclude=["evaluation", "state"])
    application.save()
    _set_functions(application, functions)
    _evaluate(application)
    application.save(update_fields=["evaluation", "eligible"])
    _audit_create(actor, application)
    return application


def _check_links(actor, application: Application) -> None:
    """The site and community must lie in the preparing office's area and the actor's scope."""
    for node in (application.community, application.site and application.site.jurisdiction):
        if node is not None and not node.path.startswith(application.jurisdiction.path):
            raise ValidationError(_("%(node)s is outside the preparing office.") % {"node": node})


@transaction.atomic
def application_update(
    *,
    actor,
    application: Application,
    functions: Sequence[Mapping[str, Any]] | None = None,
    overrides: Iterable[Mapping[str, str]] | None = None,
    funding_mix: Mapping[str, Any] | None = None,
    **fields,
) -> Application:
    """Save the draft (only while with the street: draft or returned)."""
    require_permission(actor, "change", application)
    _require_own_office(actor, application)
    application = _locked(application)
    _require_state(application, S.DRAFT, S.RETURNED)
    before = snapshot(application)
    for name, value in fields.items():
        if name in APPLICATION_FIELDS:
            setattr(application, name, value)
    if overrides is not None:
        application.overrides = _clean_overrides(overrides, application.call)
    if funding_mix is not None:
        application.funding_mix = _clean_mix(funding_mix, application.call)
    _check_links(actor, application)
    application.full_clean(exclude=["evaluation", "state"])
    application.save()
    if functions is not None:
        _set_functions(application, functions)
    _evaluate(application)
    application.save(update_fields=["evaluation", "eligible"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=application,
        before=before,
        after=snapshot(application),
    )
    return application


def preview_evaluation(*, call: Call, fields, functions, overrides, community) -> dict[str, Any]:
    """The live check of an unsaved form (writes nothing)."""
    data = policy_input(
        fields=fields, functions=functions, overrides=overrides, community=community
    )
    return run_policy(call, data)


def missing_for_submission(application: Application) -> list[str]:
    """What the street must still provide before the district can take the application."""
    missing = []
    if not application.functions.exists():
        missing.append(_("at least one function"))
    if not (
        application.consulted_residents
        and application.consulted_enterprises
        and application.consultation_opinions.strip()
    ):
        missing.append(_("the resident and enterprise consultation (how many, main opinions)"))
    if not application.attachments.filter(kind=AttachmentKind.CONSULTATION).exists():
        missing.append(_("the consultation record attachment"))
    if not application.safety_assessment.strip():
        missing.append(_("the safety assessment"))
    # 121号 二(六): 根据服务成本、合理利润等提供价格普惠的社区服务; Beijing 三(三): 保本微利.
    if application.functions.filter(category="inclusive").exists() and not (
        application.price_cost_basis.strip()
        and application.price_profit_rate is not None
        and application.price_schedule.strip()
    ):
        missing.append(
            _("the inclusive price plan (cost basis, reasonable profit rate and prices)")
        )
    if not application.operating_model:
        missing.append(_("the operating model"))
    # 121号 三(八): every channel and its amount, adding up to the total investment.
    if mix_total(application.funding_mix) != application.total_investment_cny:
        missing.append(
            _("the funding mix (every channel and amount, adding up to the total investment)")
        )
    if not application.eligible:
        missing.append(_("a passing policy check (every rule met or justified)"))
    return missing


@transaction.atomic
def application_submit(*, actor, application: Application) -> Application:
    """Street → district."""
    require_permission(actor, "submit", application)
    _require_own_office(actor, application)
    application = _locked(application)
    _evaluate(application)
    application.save(update_fields=["evaluation", "eligible"])
    if missing := missing_for_submission(application):
        raise ValidationError(_("Still missing: %(items)s.") % {"items": "; ".join(missing)})
    application = _transition(actor, application, "submit_to_district", permission=None)
    notify(
        recipients(application, Role.DISTRICT_OFFICER),
        application,
        _("An application waits for the district: %(name)s") % {"name": application.name},
    )
    return application


@transaction.atomic
def application_return(*, actor, application: Application, comment: str) -> Application:
    """The district sends an application back to the street for revision, with comments."""
    require_permission(actor, "return", application)
    return _return(
        actor,
        application,
        comment,
        transition="return_for_revision",
        to=Role.STREET_OFFICER,
        notice=_("Returned for revision: %(name)s — %(comment)s"),
    )


def _return(
    actor, application: Application, comment: str, *, transition: str, to: str, notice: str
) -> Application:
    """Send ``application`` back by ``transition`` with the comments it must answer; tell the
    offices of role ``to`` and its author (``notice`` takes the name and the comments)."""
    if not comment.strip():
        raise ValidationError({"comment": _("Say what needs revising.")})
    application = _transition(
        actor, application, transition, permission=None, return_comment=comment
    )
    notify(
        recipients(application, to) + [application.created_by],
        application,
        notice % {"name": application.name, "comment": comment},
    )
    return application


@transaction.atomic
def application_forward(*, actor, applications: Iterable[Application]) -> list[Application]:
    """组织申报: the district submits a batch of applications to the city (all or none)."""
    done = []
    for application in applications:
        done.append(_transition(actor, application, "submit_to_city", permission="forward"))
    if done:
        notify(
            recipients(done[0], Role.CITY_ADMIN),
            done[0],
            _("%(count)d application(s) submitted by %(office)s")
            % {"count": len(done), "office": actor.jurisdiction},
        )
    return done


# --- 3 联合审查: joint review -----------------------------------------------------------------


def _require_every_dimension(departments: list[str]) -> None:
    """四.2 三: the review covers 功能设置、规划选址、建设方式、运营管理、资金支持."""
    covered = {d for department in departments for d in DEPARTMENT_DIMENSIONS[department]}
    missing = [Dimension(d).label for d in FIELDS if d not in covered]
    if missing:
        raise ValidationError(
            {
                "departments": _("The departments assigned leave out: %(dimensions)s.")
                % {"dimensions": "、".join(str(m) for m in missing)}
            }
        )


def _clear_earlier_reviews(actor, application: Application, departments: list[str]) -> None:
    """A project back in review after a return is reviewed afresh: earlier decisions are
    reset (the audit trail keeps them) and departments no longer assigned drop out."""
    for review in application.reviews.select_for_update():
        if review.department not in departments:
            audit_record(
                actor=actor, action=AuditAction.DELETE, obj=review, before=snapshot(review)
            )
            review.delete()
            continue
        _audited_update(
            actor,
            review,
            decision=ReviewDecision.PENDING,
            comment="",
            internal_comment="",
            reviewer=None,
            reviewed_at=None,
        )


@transaction.atomic
def application_assign(*, actor, application: Application, departments: Iterable[str]):
    """The city assigns departments; each gets a review row per dimension of its field."""
    departments = [d for d in dict.fromkeys(departments) if d in DEPARTMENT_DIMENSIONS]
    _require_every_dimension(departments)
    application = _transition(actor, application, "start_joint_review", permission="assign")
    _clear_earlier_reviews(actor, application, departments)
    for department in departments:
        for dimension in DEPARTMENT_DIMENSIONS[department]:
            review, created = Review.objects.get_or_create(
                application=application, department=department, dimension=dimension
            )
            if created:
                _audit_create(actor, review)
        notify(
            recipients(application, Role.CITY_DEPARTMENT, department),
            application,
            _("Joint review requested: %(name)s") % {"name": application.name},
        )
    # 会同…各区: the district reviews its own project beside the departments.
    review, created = Review.objects.get_or_create(
        application=application, department=DISTRICT_PARTY, dimension=Dimension.OVERALL
    )
    if created:
        _audit_create(actor, review)
    notify(
        recipients(application, Role.DISTRICT_OFFICER),
        application,
        _("Joint review requested: %(name)s") % {"name": application.name},
    )
    return application


def may_record_review(user, review: Review) -> bool:
    """A department records the reviews of its own field; the district, its own project's."""
    if review.department == DISTRICT_PARTY:
        return (
            user.role == Role.DISTRICT_OFFICER
            and review.application.jurisdiction.path.startswith(user.jurisdiction.path)
        )
    return user.role == Role.CITY_DEPARTMENT and review.department == user.department


@transaction.atomic
def review_record(
    *, actor, review: Review, decision: str, comment: str, internal_comment: str = ""
) -> Review:
    """A department's decision on one dimension, in its own field only; the district's overall
    opinion on its own project."""
    require_permission(actor, "change", review)
    review = _locked(review)
    if not may_record_review(actor, review):
        raise PermissionDenied(_("This review belongs to another department."))
    _require_state(review.application, S.JOINT_REVIEW)
    if decision not in ReviewDecision.values or decision == ReviewDecision.PENDING:
        raise ValidationError({"decision": _("Choose a decision.")})
    if decision != ReviewDecision.AGREE and not comment.strip():
        raise ValidationError({"comment": _("Explain the decision to the applicant.")})
    _audited_update(
        actor,
        review,
        decision=decision,
        comment=comment,
        internal_comment=internal_comment,
        reviewer=actor,
        reviewed_at=timezone.now(),
    )
    if not review.application.reviews.filter(decision=ReviewDecision.PENDING).exists():
        notify(
            recipients(review.application, Role.CITY_ADMIN),
            review.application,
            _("Joint review complete: %(name)s") % {"name": review.application.name},
        )
    return review


SELECT, REJECT, RETURN, RESERVE = "select", "reject", "return", "reserve"


def undecided_exceptions(application: Application) -> list[dict[str, Any]]:
    """The 原则上 exceptions the project relies on that the 功能设置 reviewer has not accepted."""
    needed = set(override_rules(application.evaluation)) | {
        o["rule"] for o in application.overrides
    }
    return [
        o
        for o in application.overrides
        if o["rule"] in needed and o.get("decision") != ExceptionDecision.ACCEPTED
    ] + [
        {"rule": rule, "reason": "", "decision": ExceptionDecision.PENDING}
        for rule in override_rules(application.evaluation)
        if rule not in {o["rule"] for o in application.overrides}
    ]


def _require_reviewed(application: Application) -> None:
    """统筹确定 follows the study (进行研究): every participant has given its opinion."""
    if application.state != S.JOINT_REVIEW or not application.reviews.exists():
        raise ValidationError(_("The city decides only after the joint review."))
    if application.reviews.filter(decision=ReviewDecision.PENDING).exists():
        raise ValidationError(_("Some departments have not reviewed yet."))


@transaction.atomic
def application_decide(
    *, actor, application: Application, decision: str, comment: str = ""
) -> Application:
    """统筹确定项目: the city selects, rejects, keeps in reserve or returns, after the joint
    review (the checks read the project as it stands, locked)."""
    require_permission(actor, "decide", application)
    application = _locked(application)
    if decision == RETURN:  # before the joint review, returning is the district's
        return _return(
            actor,
            application,
            comment,
            transition="return_after_review",
            to=Role.STREET_OFFICER,
            notice=_("Returned for revision: %(name)s — %(comment)s"),
        )
    if decision in (SELECT, REJECT, RESERVE):
        _require_reviewed(application)
    if decision in (SELECT, RESERVE):
        if not application.eligible:
            raise ValidationError(_("The policy check does not pass."))
        if open_exceptions := undecided_exceptions(application):
            raise ValidationError(
                _("The functions reviewer has not accepted the exception to: %(rules)s.")
                % {"rules": "、".join(o["rule"] for o in open_exceptions)}
            )
    if decision == SELECT:
        objections = application.reviews.filter(decision=ReviewDecision.DISAGREE)
        if objections.exists() and not comment.strip():
            # 统筹确定 is the city's call, but overruling a department is put on record.
            raise ValidationError(
                {"comment": _("A department disagrees: give the reason for selecting.")}
            )
        name = "select"
    elif decision == REJECT:
        if not comment.strip():
            raise ValidationError({"comment": _("Give the reason.")})
        name = "reject"
    elif decision == RESERVE:  # passed the review, not funded this round
        if not comment.strip():
            raise ValidationError({"comment": _("Give the reason.")})
        name = "hold_in_reserve"
    else:
        raise ValidationError({"decision": _("Unknown decision.")})
    application = _transition(actor, application, name, permission=None, decision_comment=comment)
    if name == "select":
        handover.site_reserve(actor=actor, application=application)
    notify(
        recipients(application, Role.DISTRICT_OFFICER) + [application.created_by],
        application,
        _("%(name)s: %(state)s")
        % {"name": application.name, "state": application.get_state_display()},
    )
    return application


@transaction.atomic
def exception_decide(
    *, actor, application: Application, rule: str, accept: bool, comment: str = ""
) -> Application:
    """The 功能设置 reviewer accepts or refuses a 原则上 exception, on the record."""
    require_permission(actor, "view", application)
    application = _locked(application)
    _require_state(application, S.JOINT_REVIEW)
    functions_review = application.reviews.filter(dimension=Dimension.FUNCTIONS)
    if not (
        actor.role == Role.CITY_DEPARTMENT
        and functions_review.filter(department=actor.department).exists()
    ):
        raise PermissionDenied(_("Only a reviewer of the functions (功能设置) decides exceptions."))
    overrides = [dict(o) for o in application.overrides]
    entry = next((o for o in overrides if o["rule"] == rule), None)
    if entry is None:
        raise ValidationError({"rule": _("The application gives no justification for this rule.")})
    if not accept and not comment.strip():
        raise ValidationError({"comment": _("Say why the exception is refused.")})
    entry.update(
        decision=ExceptionDecision.ACCEPTED if accept else ExceptionDecision.REFUSED,
        decided_by=actor.username,
        decided_at=timezone.now().isoformat(),
        comment=comment.strip(),
    )
    before = snapshot(application)
    application.overrides = overrides
    _evaluate(application)  # a refused exception no longer justifies the rule
    application.save(update_fields=["overrides", "evaluation", "eligible"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=application,
        before=before,
        after=snapshot(application),
        transition="exception_accept" if accept else "exception_refuse",
    )
    return application


@transaction.atomic
def application_hold(*, actor, application: Application, comment: str) -> Application:
    """储备: the district keeps a project of its streets in its reserve instead of reporting it
    this round (统筹全区项目申报、储备情况)."""
    require_permission(actor, "forward", application)
    if not comment.strip():
        raise ValidationError({"comment": _("Give the reason.")})
    return _transition(
        actor, application, "hold_in_reserve", permission=None, decision_comment=comment
    )


def _chain(application: Application) -> set[int]:
    """The pks of the project across calls: the application, what it was carried from, and
    what was carried from those (the same project in every round)."""
    root = application
    while root.carried_from_id is not None:
        root = root.carried_from
    seen, frontier = {root.pk}, [root.pk]
    while frontier:
        frontier = list(
            Application.objects.filter(carried_from__in=frontier).values_list("pk", flat=True)
        )
        seen.update(frontier)
    return seen


@transaction.atomic
def application_carry_forward(*, actor, application: Application, call: Call) -> Application:
    """A reserve project, or one not selected, goes into a later call as a draft copy linked to
    the original (which keeps its record), re-checked against that call's pack."""
    require_model_permission(actor, "add", Application)
    require_permission(actor, "view", application)
    require_in_scope(actor, application.jurisdiction)
    if call.pk == application.call_id or call.opens_on < application.call.opens_on:
        raise ValidationError({"call": _("Choose a later call.")})
    _check_call_accepts(call, application.jurisdiction)
    original = _transition(actor, application, "carry_forward", permission=None)
    copy = Application(
        call=call,
        jurisdiction=original.jurisdiction,
        created_by=actor,
        carried_from=original,
        overrides=[
            {"rule": o["rule"], "reason": o["reason"], "decision": ExceptionDecision.PENDING}
            for o in original.overrides
        ],
        funding_mix=dict(original.funding_mix),
        **{name: getattr(original, name) for name in APPLICATION_FIELDS},
    )
    copy.full_clean(exclude=["evaluation", "state"])
    copy.save()
    _set_functions(
        copy,
        [
            {
                name: getattr(f, name)
                for name in (
                    "scenario",
                    "category",
                    "floor_area_m2",
                    "investment_cny",
                    "beds",
                    "nursing_beds",
                    "infant_slots",
                    "seats",
                )
            }  # fmt: skip
            for f in original.functions.all()
        ],
    )
    for attachment in original.attachments.filter(
        kind__in=[AttachmentKind.CONSULTATION, AttachmentKind.SAFETY, AttachmentKind.OTHER]
    ):
        Attachment.objects.create(
            application=copy,
            kind=attachment.kind,
            original_name=attachment.original_name,
            stored_name=files.copy_stored(attachment.stored_name),
            content_type=attachment.content_type,
            size=attachment.size,
            sha256=attachment.sha256,
            uploaded_by=attachment.uploaded_by,
        )
    _evaluate(copy)
    copy.save(update_fields=["evaluation", "eligible"])
    _audit_create(actor, copy)
    notify(
        recipients(copy, Role.STREET_OFFICER) + [original.created_by],
        copy,
        _("%(name)s is carried into %(call)s: revise and submit it again.")
        % {"name": copy.name, "call": call.title},
    )
    return copy


# --- 4 资金审批: approvals --------------------------------------------------------------------


# The records that hold each kind of workflow document, and the field that holds it.
_DOCUMENT_HOLDERS = {
    AttachmentKind.FEASIBILITY: (FeasibilityApproval, "attachment"),
    AttachmentKind.FUND_REPORT: (FundReport, "attachment"),
    AttachmentKind.MILESTONE: (Milestone, "evidence"),
}


def _attachment_of(application: Application, attachment: Attachment | None, kind: str):
    if attachment is not None and (
        attachment.application_id != application.pk or attachment.kind != kind
    ):
        raise ValidationError(_("The attachment belongs to another document."))
    return attachment


def document_for(application: Application, kind: str, given: Attachment | None = None):
    """The document of ``kind`` a step rests on: the one uploaded with the step, or else the
    newest of that kind attached to the application by any route (添加附件 too) that no record
    holds yet. A document counts by its kind, not by the form that brought it."""
    if given is not None:
        return _attachment_of(application, given, kind)
    holder, field = _DOCUMENT_HOLDERS[kind]
    held = holder.objects.filter(application=application, **{f"{field}__isnull": False})
    return (
        application.attachments.filter(kind=kind)
        .exclude(pk__in=held.values(field))
        .order_by("-uploaded_at", "-pk")
        .first()
    )


@transaction.atomic
def feasibility_record(
    *,
    actor,
    application: Application,
    document_no: str,
    approved_on: date,
    approved_investment_cny: Decimal,
    attachment: Attachment | None = None,
    approving_body: str = "",
    authority_level: str = AuthorityLevel.DISTRICT,
    procedure: str = Procedure.APPROVAL,
    deviation_reason: str = "",
) -> FeasibilityApproval:
    """可研批复 (按权限履行项目审批职能): the approving body, its level and the procedure
    (审批/核准/备案), recorded by an office of that level; an approved investment far from the
    application's (the pack's threshold) needs a reason."""
    require_model_permission(actor, "add", FeasibilityApproval)
    _require_authority(actor, authority_level)
    attachment = document_for(application, AttachmentKind.FEASIBILITY, attachment)
    if attachment is None:
        raise ValidationError({"document": _("Attach the feasibility approval (可研批复).")})
    if not approving_body.strip():
        raise ValidationError({"approving_body": _("Name the body that issued the approval.")})
    if procedure not in Procedure.values:
        raise ValidationError({"procedure": _("Choose 审批, 核准 or 备案.")})
    _require_plausible(application, Decimal(approved_investment_cny), deviation_reason)
    if approved_on > timezone.localdate():
        raise ValidationError({"approved_on": _("An approval is recorded once it is issued.")})
    application = _transition(actor, application, "approve_feasibility", permission="view")
    approval = FeasibilityApproval(
        application=application,
        document_no=document_no,
        approved_on=approved_on,
        approved_investment_cny=approved_investment_cny,
        approving_body=approving_body.strip(),
        authority_level=authority_level,
        procedure=procedure,
        deviation_reason=deviation_reason.strip(),
        attachment=attachment,
        recorded_by=actor,
    )
    approval.full_clean()
    approval.save()
    _audit_create(actor, approval)
    notify(
        recipients(application, Role.STREET_OFFICER),
        application,
        _("Feasibility study approved; prepare the fund application report: %(name)s")
        % {"name": application.name},
    )
    return approval


_AUTHORITY_ROLES = {
    AuthorityLevel.DISTRICT: Role.DISTRICT_OFFICER,
    AuthorityLevel.CITY: Role.CITY_ADMIN,
}


def _require_authority(actor, level: str) -> None:
    """Whoever holds the approving authority records the approval: a district office for a
    district approval, the city programme office for a city one."""
    if level not in _AUTHORITY_ROLES:
        raise ValidationError({"authority_level": _("Choose the district or the city.")})
    if actor.role != _AUTHORITY_ROLES[level]:
        raise PermissionDenied(
            _("A %(level)s approval is recorded by the %(level)s office that holds the authority.")
            % {"level": AuthorityLevel(level).label}
        )


def _require_plausible(application: Application, approved: Decimal, reason: str) -> None:
    review = call_pack(application.call).review
    threshold = review.approved_investment_deviation_max if review else None
    applied = application.total_investment_cny
    if threshold is None or not applied:
        return
    deviation = abs(approved - applied) / applied
    minimum = exception_min_chars(application.call)
    if deviation > threshold and substantive_length(reason) < minimum:
        raise ValidationError(
            {
                "deviation_reason": _(
                    "The approved investment (%(approved)s CNY) differs from the application's "
                    "(%(applied)s CNY) by %(deviation)s%%, more than %(threshold)s%%: explain the "
                    "difference in at least %(minimum)d characters."
                )
                % {
                    "approved": approved,
                    "applied": applied,
                    "deviation": (deviation * 100).quantize(Decimal("0.1")),
                    "threshold": _percent(threshold),
                    "minimum": minimum,
                }
            }
        )


@transaction.atomic
def fund_report_save(
    *,
    actor,
    application: Application,
    estimates: Mapping[int, Decimal],
    attachment: Attachment | None = None,
    funding_mix: Mapping[str, Any] | None = None,
) -> FundReport:
    """资金申请报告 at 概算 depth: an estimate for every function of the project, and the
    funding mix (121号 三(八)) adding up to the estimate (the application's, when not given)."""
    require_model_permission(actor, "add", FundReport)
    require_permission(actor, "view", application)
    _require_own_office(actor, application)
    application = _locked(application)
    _require_state(application, S.FS_APPROVED)
    functions = list(application.functions.all())
    if {f.pk for f in functions} != set(estimates):
        raise ValidationError(_("Give an estimate for every function of the project."))
    if any(Decimal(estimates[f.pk]) < 0 for f in functions):
        raise ValidationError(_("An estimate cannot be negative."))
    total = sum((Decimal(estimates[f.pk]) for f in functions), Decimal("0.00"))
    if total > application.feasibility.approved_investment_cny:
        raise ValidationError(_("The estimate exceeds the approved investment (可研批复)."))
    mix = _clean_mix(
        application.funding_mix if funding_mix is None else funding_mix, application.call
    )
    _require_mix_sums_to(mix, total, _("estimated total (概算)"))
    report, created = FundReport.objects.get_or_create(
        application=application,
        defaults=dict(total_cny=total, prepared_by=actor),
    )
    before = None if created else snapshot(report)
    report.total_cny, report.prepared_by, report.funding_mix = total, actor, mix
    # A report uploaded with the figures replaces the one attached; a save of the figures alone
    # keeps it, or takes one added through 添加附件 when there is none yet.
    if attachment is not None or report.attachment_id is None:
        report.attachment = document_for(application, AttachmentKind.FUND_REPORT, attachment)
    report.save()
    report.items.all().delete()
    FundReportItem.objects.bulk_create(
        FundReportItem(report=report, function=f, estimate_cny=Decimal(estimates[f.pk]))
        for f in functions
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        obj=report,
        before=before,
        after={**snapshot(report), "items": {str(k): str(v) for k, v in estimates.items()}},
    )
    return report


@transaction.atomic
def fund_report_submit(*, actor, application: Application) -> Application:
    """The district reports the fund application report to the city."""
    report = FundReport.objects.filter(application=application).first()
    if report is None:
        raise ValidationError(_("The fund application report has not been prepared."))
    application = _transition(actor, application, "report_fund_application", permission="report")
    if report.attachment_id is None:  # uploaded through 添加附件, say, after the figures
        document = document_for(application, AttachmentKind.FUND_REPORT)
        if document is None:
            raise ValidationError(_("The fund application report itself is not attached yet."))
        _audited_update(
            actor, FundReport.objects.select_for_update().get(pk=report.pk), attachment=document
        )
    notify(
        recipients(application, Role.CITY_ADMIN),
        application,
        _("Fund application report submitted: %(name)s") % {"name": application.name},
    )
    return application


@transaction.atomic
def fund_report_return(*, actor, application: Application, comment: str) -> Application:
    """The city returns the 资金申请报告 for revision (it lacks 概算 depth, say); the project
    unit revises it and the district reports it again."""
    require_model_permission(actor, "add", SubsidyApproval)
    require_permission(actor, "view", application)
    return _return(
        actor,
        application,
        comment,
        transition="return_fund_report",
        to=Role.DISTRICT_OFFICER,
        notice=_("Fund application report returned for revision: %(name)s — %(comment)s"),
    )


def subsidy_preview(application: Application, inclusive_rate: Decimal | None) -> dict[str, Any]:
    """The engine's answer on the itemised 概算 with the proposed inclusive rate."""
    report = application.fund_report
    estimates = {item.function_id: item.estimate_cny for item in report.items.all()}
    data = application_input(
        application, inclusive_rate=inclusive_rate, total_investment_cny=report.total_cny
    )
    for function, row in zip(application.functions.all(), data["functions"], strict=True):
        row["investment_cny"] = estimates[function.pk]
    return run_policy(application.call, data)


def _check_budget(call: Call, amount: Decimal) -> None:
    """Approvals under one call stay within its budget envelope (the call row is locked so
    that two approvals at once cannot both take the last of it)."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    # What is approved now (a change may have moved an approval since it was issued).
    committed = Ledger.objects.filter(application__call=call).aggregate(
        total=models.Sum("approved_cny")
    )["total"] or Decimal(0)
    if committed + amount > call.budget_cny:
        raise ValidationError(
            _("The call's budget envelope has %(left)s CNY left; this subsidy needs %(amount)s.")
            % {"left": call.budget_cny - committed, "amount": amount}
        )


def _check_not_funded_before(application: Application) -> None:
    """The municipal subsidy is drawn once per project, whatever call it comes through: not
    by another round of the same project, nor by another application on the same site."""
    others = Application.objects.filter(pk__in=_chain(application) - {application.pk})
    if application.site_id is not None:
        others = others | Application.objects.filter(site=application.site_id).exclude(
            pk=application.pk
        )
    funded = SubsidyApproval.objects.filter(application__in=others).select_related(
        "application__call"
    )
    if first := funded.first():
        raise ValidationError(
            _(
                "This project already has a municipal subsidy (%(letter)s, %(amount)s CNY, "
                "through “%(call)s”); it cannot draw it twice."
            )
            % {
                "letter": first.letter_no,
                "amount": first.total_cny,
                "call": first.application.call.title,
            }
        )


def _land_use_grace_expiry(application: Application, approved_on: date) -> date | None:
    """121号 三(十): a government-built facility may keep its land use, and a conversion of an
    existing building its land user and planning conditions, for the pack's number of years;
    other projects have no such grace."""
    rules = {rule.id: rule for rule in call_pack(application.call).rules}
    if application.government_built:
        rule = rules.get("land.government_facility_use")
    elif application.construction == "stock_conversion":
        rule = rules.get("land.grace_period")
    else:
        return None
    return _add_years(approved_on, int(rule.params["years"])) if rule else None


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def subsidy_approve(
    *,
    actor,
    application: Application,
    inclusive_rate: Decimal,
    rate_reason: str,
    letter_no: str,
    approved_on: date,
) -> SubsidyApproval:
    """资金审批: the subsidy as the policy engine computes it on the itemised 概算, the inclusive
    rate within the pack's range with its reason; opens the project ledger."""
    require_model_permission(actor, "add", SubsidyApproval)
    require_permission(actor, "view", application)
    _require_state(application, S.FUND_APP_SUBMITTED)
    # 项目取得可研等审批手续后…: the subsidy follows the feasibility approval, not before it.
    if not application.feasibility.approved_on <= approved_on <= timezone.localdate():
        raise ValidationError(
            {
                "approved_on": _(
                    "The approval date lies between the feasibility approval (%(fs)s) and today."
                )
                % {"fs": application.feasibility.approved_on}
            }
        )
    if not rate_reason.strip():
        raise ValidationError({"rate_reason": _("Give the reason for the inclusive rate.")})
    evaluation = subsidy_preview(application, inclusive_rate)
    if "error" in evaluation:
        raise ValidationError({"inclusive_rate": evaluation["error"]})
    if not evaluation["eligible"]:
        raise ValidationError(_("The policy check does not pass."))
    subsidy = evaluation["subsidy"]
    _check_not_funded_before(application)
    _check_budget(application.call, Decimal(subsidy["total_cny"]))
    application = _transition(actor, application, "approve_subsidy", permission=None)
    approval = SubsidyApproval(
        application=application,
        letter_no=letter_no,
        approved_on=approved_on,
        inclusive_rate=inclusive_rate,
        rate_reason=rate_reason,
        basic_public_cny=Decimal(subsidy["basic_public_cny"]),
        inclusive_cny=Decimal(subsidy["inclusive_cny"]),
        total_cny=Decimal(subsidy["total_cny"]),
        allocation=subsidy["allocation"],
        evaluation=evaluation,
        land_use_grace_expiry=_land_use_grace_expiry(application, approved_on),
        approved_by=actor,
    )
    approval.full_clean()
    approval.save()
    _audit_create(actor, approval)
    ledger = Ledger.objects.create(application=application, approved_cny=approval.total_cny)
    _audit_create(actor, ledger)
    notify(
        recipients(application, Role.DISTRICT_OFFICER)
        + recipients(application, Role.STREET_OFFICER),
        application,
        _("Subsidy approved: %(name)s, %(amount)s CNY")
        % {"name": application.name, "amount": approval.total_cny},
    )
    return approval


# --- 5 资金下达: construction and disbursement -------------------------------------------------


@transaction.atomic
def milestone_record(
    *,
    actor,
    application: Application,
    kind: str,
    achieved_on: date,
    note: str = "",
    evidence: Attachment | None = None,
) -> Milestone:
    """The pack's milestones (Beijing: 开工, 主体完工, 竣工验收, 投入运营), in order, each with
    its evidence; the first starts construction, the last puts the facility into operation."""
    require_model_permission(actor, "add", Milestone)
    require_permission(actor, "view", application)
    _require_own_office(actor, application)
    application = _locked(application)
    _require_state(application, S.FUND_APPROVED, S.IN_CONSTRUCTION)
    done = set(application.milestones.values_list("kind", flat=True))
    order = [m.code for m in schedule(application.call).milestones]
    expected = next((k for k in order if k not in done), None)
    if kind != expected:
        raise ValidationError({"kind": _("Milestones are recorded in order.")})
    if achieved_on > timezone.localdate():  # money follows progress made, not progress planned
        raise ValidationError({"achieved_on": _("A milestone is recorded once it is reached.")})
    evidence = document_for(application, AttachmentKind.MILESTONE, evidence)
    if evidence is None:  # the district verifies releases against it
        raise ValidationError(
            {"document": _("Attach the evidence of the milestone (photos, acceptance record).")}
        )
    milestone = Milestone(
        application=application,
        kind=kind,
        achieved_on=achieved_on,
        note=note,
        evidence=evidence,
        recorded_by=actor,
    )
    milestone.full_clean()
    milestone.save()
    _audit_create(actor, milestone)
    if kind == order[0]:
        application = _transition(actor, application, "start_construction", permission=None)
        handover.site_occupy(actor=actor, application=application)
    if kind == order[-1]:
        application = _transition(actor, application, "start_operation", permission=None)
        handover.facility_from_project(actor=actor, application=application, opened_on=achieved_on)
    return milestone


@transaction.atomic
def tranche_request(*, actor, milestone: Milestone, amount_cny: Decimal, note: str = "") -> Tranche:
    require_model_permission(actor, "add", Tranche)
    require_permission(actor, "view", milestone)
    _require_own_office(actor, milestone.application)
    # The same row lock as a release: requests of one project are checked one at a time,
    # so two cannot both take the last of the headroom.
    ledger = Ledger.objects.select_for_update().get(application=milestone.application_id)
    outstanding = Tranche.objects.filter(
        application=milestone.application_id,
        state__in=[TrancheState.REQUESTED, TrancheState.VERIFIED, TrancheState.APPROVED],
    ).aggregate(total=models.Sum("amount_cny"))["total"] or Decimal(0)
    if amount_cny <= 0 or amount_cny + outstanding > ledger.remaining_cny:
        raise ValidationError(
            {"amount_cny": _("The amount exceeds what remains of the approved subsidy.")}
        )
    _check_ceiling(milestone, ledger, amount_cny, committed_cny(milestone.application))
    tranche = Tranche(
        application=milestone.application,
        milestone=milestone,
        amount_cny=amount_cny,
        note=note,
        requested_by=actor,
    )
    tranche.full_clean(exclude=["state"])
    tranche.save()
    _audit_create(actor, tranche)
    notify(
        recipients(tranche.application, Role.DISTRICT_OFFICER),
        tranche.application,
        _("Tranche requested: %(amount)s CNY") % {"amount": amount_cny},
    )
    return tranche


def milestone_ceiling(milestone: Milestone, approved_cny: Decimal) -> tuple[Decimal, Decimal]:
    """The cumulative share and amount releasable once ``milestone`` is reached."""
    share = schedule(milestone.application.call).ceiling(milestone.kind)
    return share, ceiling_cny(approved_cny, share)


def _check_ceiling(milestone: Milestone, ledger: Ledger, amount: Decimal, taken: Decimal) -> None:
    """按工程进度: everything requested or released, with this amount, stays within the
    cumulative ceiling of the milestone it cites (so one milestone is not used twice beyond it)."""
    share, ceiling = milestone_ceiling(milestone, ledger.approved_cny)
    if taken + amount > ceiling:
        raise ValidationError(
            {
                "amount_cny": _(
                    "At “%(milestone)s” at most %(share)s%% of the approved %(approved)s CNY may "
                    "be released in all, that is %(ceiling)s CNY; %(taken)s CNY is already "
                    "requested or released, so at most %(left)s CNY can be asked now, not "
                    "%(amount)s CNY."
                )
                % {
                    "milestone": milestone.get_kind_display(),
                    "share": _percent(share),
                    "approved": ledger.approved_cny,
                    "ceiling": ceiling,
                    "taken": taken,
                    "left": max(ceiling - taken, Decimal("0.00")),
                    "amount": amount,
                }
            }
        )


@transaction.atomic
def tranche_verify(*, actor, tranche: Tranche) -> Tranche:
    tranche = _transition(actor, tranche, "verify", permission="verify")
    notify(
        recipients(tranche.application, Role.CITY_ADMIN),
        tranche.application,
        _("Tranche verified by the district: %(amount)s CNY") % {"amount": tranche.amount_cny},
    )
    return tranche


@transaction.atomic
def tranche_approve(*, actor, tranche: Tranche) -> Tranche:
    return _transition(actor, tranche, "approve", permission="approve")


@transaction.atomic
def tranche_reject(*, actor, tranche: Tranche, note: str) -> Tranche:
    if not note.strip():
        raise ValidationError({"note": _("Give the reason.")})
    return _transition(actor, tranche, "reject", permission="reject", note=note)


@transaction.atomic
def tranche_release(*, actor, tranche: Tranche) -> Tranche:
    """下达: lock the project ledger row, check the headroom, add to what is released.

    The row lock serialises concurrent releases of one project; the ledger's check
    constraint (released ≤ approved) stops anything that slips past this code.
    """
    require_permission(actor, "release", tranche)
    ledger = Ledger.objects.select_for_update().get(application=tranche.application_id)
    if ledger.released_cny + tranche.amount_cny > ledger.approved_cny:
        raise ValidationError(_("The release would exceed the approved subsidy."))
    # The ceiling again: a change may have lowered the approved subsidy since the request.
    _check_ceiling(tranche.milestone, ledger, tranche.amount_cny, ledger.released_cny)
    tranche = _transition(actor, tranche, "release", permission=None, released_at=timezone.now())
    before = snapshot(ledger)
    ledger.released_cny += tranche.amount_cny
    ledger.save(update_fields=["released_cny"])
    audit_record(
        actor=actor, action=AuditAction.UPDATE, obj=ledger, before=before, after=snapshot(ledger)
    )
    notify(
        recipients(tranche.application, Role.DISTRICT_OFFICER)
        + recipients(tranche.application, Role.STREET_OFFICER),
        tranche.application,
        _("Funds released: %(amount)s CNY") % {"amount": tranche.amount_cny},
    )
    return tranche


# --- Changes after approval: checked at the approved rate, the subsidy recomputed -----------

_CHANGE_FUNCTION_FIELDS = (
    "scenario", "category", "floor_area_m2", "estimate_cny",
    "beds", "nursing_beds", "infant_slots", "seats",
)  # fmt: skip


def _current_functions(application: Application) -> list[dict[str, Any]]:
    """The project's functions with their 概算 estimates, as a change starts from them."""
    estimates = {
        item.function_id: item.estimate_cny for item in application.fund_report.items.all()
    }
    return [
        {
            "scenario": f.scenario,
            "category": f.category,
            "floor_area_m2": f.floor_area_m2,
            "estimate_cny": estimates.get(f.pk, f.investment_cny),
            "beds": f.beds,
            "nursing_beds": f.nursing_beds,
            "infant_slots": f.infant_slots,
            "seats": f.seats,
        }
        for f in application.functions.all()
    ]


def _clean_change_functions(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Each changed function validated like a function of the application (named by row)."""
    cleaned = []
    for index, row in enumerate(rows, start=1):
        estimate = row.get("estimate_cny")
        function = ApplicationFunction(
            **{k: row.get(k) for k in _CHANGE_FUNCTION_FIELDS if k != "estimate_cny"},
            investment_cny=estimate,
        )
        try:
            function.full_clean(exclude=["application"])
            if estimate is None or Decimal(estimate) < 0:
                raise ValidationError({"estimate_cny": _("Give the estimate (概算) in CNY.")})
        except ValidationError as error:
            raise ValidationError(
                _("Function %(row)d: %(errors)s")
                % {"row": index, "errors": "; ".join(error.messages)}
            ) from error
        cleaned.append(
            {
                key: (str(row[key]) if key in ("floor_area_m2", "estimate_cny") else row.get(key))
                for key in _CHANGE_FUNCTION_FIELDS
                if row.get(key) not in (None, "")
            }
        )
    if not cleaned:
        raise ValidationError(_("A changed project keeps at least one function."))
    return cleaned


def change_evaluation(
    application: Application,
    functions: Sequence[Mapping[str, Any]],
    total_investment_cny: Decimal,
    gross_floor_area_m2: Decimal,
) -> dict[str, Any]:
    """The changed project through the engine: itemised by the changed 概算, at the inclusive
    rate the city approved (not the pack's default)."""
    rows = [
        {
            "scenario": f["scenario"],
            "category": f["category"],
            "floor_area_m2": f.get("floor_area_m2"),
            "investment_cny": f.get("estimate_cny"),
            **{k: f.get(k) for k in ("beds", "nursing_beds", "infant_slots", "seats")},
        }
        for f in functions
    ]
    fields = {
        name: getattr(application, name)
        for name in (
            "name",
            "kind",
            "construction",
            "resident_activity_area_m2",
            "government_built",
        )
    }
    fields.update(
        total_investment_cny=total_investment_cny, gross_floor_area_m2=gross_floor_area_m2
    )
    data = policy_input(
        fields=fields,
        functions=rows,
        overrides=application.overrides,
        community=application.community,
        inclusive_rate=application.subsidy_approval.inclusive_rate,
    )
    return run_policy(application.call, data)


def _changed_estimate(rows: Sequence[Mapping[str, Any]]) -> Decimal:
    """The 概算 total of a change: the sum of its functions' estimates."""
    return sum((Decimal(str(r.get("estimate_cny") or 0)) for r in rows), Decimal("0.00"))


def _change_mixes(
    application: Application,
    total_investment_cny: Decimal,
    estimated_cny: Decimal,
    funding_mix: Mapping[str, Any] | None,
    report_funding_mix: Mapping[str, Any] | None,
) -> tuple[dict[str, str], dict[str, str]]:
    """121号 三(八) after a change: the project's mix (its current one when not given) adds up
    to the new total investment; the report's is the same mix when the changed 概算 total
    equals that total, and otherwise its own (its current one when not given) adding up to
    the 概算 total."""
    call = application.call
    mix = _clean_mix(application.funding_mix if funding_mix is None else funding_mix, call)
    _require_mix_sums_to(mix, total_investment_cny, _("new total investment"))
    given = _clean_mix(report_funding_mix, call, "report_funding_mix") or None
    if estimated_cny == total_investment_cny:
        if given is not None and given != mix:
            raise ValidationError(
                {
                    "report_funding_mix": _(
                        "The changed estimated total (概算) equals the new total investment, so "
                        "the fund application report takes the project's funding mix: leave "
                        "the report's mix blank."
                    )
                }
            )
        return mix, mix
    report_mix = given or _clean_mix(application.fund_report.funding_mix, call)
    _require_mix_sums_to(
        report_mix, estimated_cny, _("changed estimated total (概算)"), "report_funding_mix"
    )
    return mix, report_mix


def _require_within_feasibility(application: Application, estimate: Decimal) -> None:
    """A changed 概算 stays within the approved investment (可研批复), as the first did."""
    approved = application.feasibility.approved_investment_cny
    if estimate > approved:
        raise ValidationError(
            {
                "functions": _(
                    "The changed estimates (概算) add up to %(estimate)s CNY, more than the "
                    "%(approved)s CNY of the approved feasibility study (可研批复): lower them, or "
                    "have the feasibility approval revised first."
                )
                % {"estimate": estimate, "approved": approved}
            }
        )


@transaction.atomic
def change_request_create(
    *,
    actor,
    application: Application,
    reason: str,
    total_investment_cny: Decimal,
    gross_floor_area_m2: Decimal,
    functions: Sequence[Mapping[str, Any]] | None = None,
    funding_mix: Mapping[str, Any] | None = None,
    report_funding_mix: Mapping[str, Any] | None = None,
) -> ChangeRequest:
    """A change to functions, categories, areas, the itemised 概算 and the funding mix (each
    as it stands when not given), checked at the approved inclusive rate."""
    require_model_permission(actor, "add", ChangeRequest)
    require_permission(actor, "view", application)
    _require_own_office(actor, application)
    _require_state(application, S.FUND_APPROVED, S.IN_CONSTRUCTION, S.OPERATING)
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the change.")})
    rows = _clean_change_functions(
        _current_functions(application) if functions is None else functions
    )
    total_investment_cny = Decimal(str(total_investment_cny))
    _require_within_feasibility(application, _changed_estimate(rows))
    mix, report_mix = _change_mixes(
        application, total_investment_cny, _changed_estimate(rows), funding_mix, report_funding_mix
    )
    # The change re-issues the municipal subsidy: the project still may not draw it twice.
    _check_not_funded_before(application)
    evaluation = change_evaluation(application, rows, total_investment_cny, gross_floor_area_m2)
    subsidy = evaluation.get("subsidy") or {}
    change = ChangeRequest(
        application=application,
        reason=reason,
        total_investment_cny=total_investment_cny,
        gross_floor_area_m2=gross_floor_area_m2,
        functions=rows,
        funding_mix=mix,
        report_funding_mix=report_mix,
        subsidy_cny=Decimal(subsidy["total_cny"]) if "total_cny" in subsidy else None,
        evaluation=evaluation,
        eligible=bool(evaluation.get("eligible")),
        requested_by=actor,
    )
    change.full_clean(exclude=["state"])
    change.save()
    _audit_create(actor, change)
    notify(
        recipients(application, Role.CITY_ADMIN),
        application,
        _("Change requested: %(name)s") % {"name": application.name},
    )
    return change


@transaction.atomic
def change_request_decide(
    *,
    actor,
    change: ChangeRequest,
    approve: bool,
    letter_no: str = "",
    approved_on: date | None = None,
) -> ChangeRequest:
    """The city refuses a change, or approves it: the subsidy is recomputed (never below what
    is already released), the ledger moves, the project takes the changed functions and 概算,
    and a 补充批复 referring to the first letter is issued."""
    if not approve:
        return _transition(actor, change, "reject", permission="decide")
    require_permission(actor, "decide", change)
    if not change.eligible:
        raise ValidationError(_("The changed project fails the policy check."))
    if not letter_no.strip():
        raise ValidationError({"letter_no": _("Give the number of the supplementary approval.")})
    approved_on = approved_on or timezone.localdate()
    application = _locked(change.application)
    original = application.subsidy_approval
    ledger = Ledger.objects.select_for_update().get(application=application)
    # Recomputed now: the rate and pack are the approval's, the figures the change's.
    evaluation = change_evaluation(
        application, change.functions, change.total_investment_cny, change.gross_floor_area_m2
    )
    if "error" in evaluation or not evaluation.get("eligible"):
        raise ValidationError(_("The changed project fails the policy check."))
    _require_change_mixes_add_up(change)
    _check_not_funded_before(application)
    subsidy = evaluation["subsidy"]
    new_total = Decimal(subsidy["total_cny"])
    if new_total < ledger.released_cny:
        raise ValidationError(
            _(
                "The changed project earns %(new)s CNY, less than the %(released)s CNY already "
                "released: the change cannot be approved as it stands."
            )
            % {"new": new_total, "released": ledger.released_cny}
        )
    if new_total > ledger.approved_cny:
        _check_budget(application.call, new_total - ledger.approved_cny)
    change = _transition(actor, change, "approve", permission=None)
    previous_mixes = _apply_change(actor, application, change)
    before = snapshot(ledger)
    previous = ledger.approved_cny
    ledger.approved_cny = new_total
    ledger.save(update_fields=["approved_cny"])
    audit_record(
        actor=actor, action=AuditAction.UPDATE, obj=ledger, before=before, after=snapshot(ledger)
    )
    supplement = SupplementaryApproval(
        application=application,
        change=change,
        original=original,
        letter_no=letter_no.strip(),
        approved_on=approved_on,
        previous_total_cny=previous,
        previous_funding_mix=previous_mixes[0],
        previous_report_funding_mix=previous_mixes[1],
        basic_public_cny=Decimal(subsidy["basic_public_cny"]),
        inclusive_cny=Decimal(subsidy["inclusive_cny"]),
        total_cny=new_total,
        evaluation=evaluation,
        approved_by=actor,
    )
    supplement.full_clean()
    supplement.save()
    _audit_create(actor, supplement)
    notify(
        recipients(application, Role.DISTRICT_OFFICER)
        + recipients(application, Role.STREET_OFFICER),
        application,
        _("Change approved: %(name)s, subsidy now %(amount)s CNY (%(letter)s)")
        % {"name": application.name, "amount": new_total, "letter": supplement.letter_no},
    )
    return change


def _require_change_mixes_add_up(change: ChangeRequest) -> None:
    """Checked again at the decision (a change requested before mixes were kept has the
    project's as it was then)."""
    _require_mix_sums_to(change.funding_mix, change.total_investment_cny, _("new total investment"))
    _require_mix_sums_to(
        change.report_funding_mix,
        _changed_estimate(change.functions),
        _("changed estimated total (概算)"),
        "report_funding_mix",
    )


def _apply_change(
    actor, application: Application, change: ChangeRequest
) -> tuple[dict[str, str], dict[str, str]]:
    """The project takes the changed totals, functions, 概算 and funding mixes (all audited);
    gives the project's and the report's mix as they were."""
    before = {
        **snapshot(application),
        "functions": _current_functions(application),
    }
    report = application.fund_report
    previous_mixes = (dict(application.funding_mix), dict(report.funding_mix))
    report.items.all().delete()
    application.functions.all().delete()
    estimates = {}
    for row in change.functions:
        function = ApplicationFunction.objects.create(
            application=application,
            investment_cny=Decimal(row["estimate_cny"]),
            **{
                k: (Decimal(row[k]) if k == "floor_area_m2" else row[k])
                for k in _CHANGE_FUNCTION_FIELDS
                if k in row and k != "estimate_cny"
            },
        )
        estimates[function] = Decimal(row["estimate_cny"])
    FundReportItem.objects.bulk_create(
        FundReportItem(report=report, function=f, estimate_cny=amount)
        for f, amount in estimates.items()
    )
    report_before = snapshot(report)
    report.total_cny = sum(estimates.values(), Decimal("0.00"))
    report.funding_mix = dict(change.report_funding_mix)
    report.save(update_fields=["total_cny", "funding_mix"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=report,
        before=report_before,
        after=snapshot(report),
    )
    application.total_investment_cny = change.total_investment_cny
    application.gross_floor_area_m2 = change.gross_floor_area_m2
    application.funding_mix = dict(change.funding_mix)
    _evaluate(application)
    application.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=application,
        before=before,
        after={**snapshot(application), "functions": _current_functions(application)},
    )
    return previous_mixes


def calls_open_to(actor) -> tuple[list[Call], list[Call]]:
    """Calls inviting the actor's district that have not closed: those taking applications
    today (the newest first), and those that open later."""
    today = timezone.localdate()
    calls = restrict(Call.objects.filter(state="open", closes_on__gte=today), actor)
    invited = [
        call
        for call in calls.prefetch_related("districts").order_by("-opens_on", "-pk")
        if any(actor.jurisdiction.path.startswith(d.path) for d in call.districts.all())
    ]
    return [c for c in invited if c.opens_on <= today], [c for c in invited if c.opens_on > today]


# --- Attachments -----------------------------------------------------------------------------


@transaction.atomic
def attachment_add(*, actor, application: Application, kind: str, upload) -> Attachment:
    require_model_permission(actor, "add", Attachment)
    require_permission(actor, "view", application)
    if kind not in AttachmentKind.values:
        raise ValidationError({"kind": _("Unknown kind of document.")})
    stored = files.store_upload(upload)
    attachment = Attachment.objects.create(
        application=application, kind=kind, uploaded_by=actor, **stored
    )
    _audit_create(actor, attachment)
    return attachment
