"""Demo data for the funding workflow: one call and an application in every state, made through
the services by the demo city's own accounts (so the demo's audit trail is real too).

Called by :func:`linli.demo.loader._load` once the registry is loaded::

    from linli.funding.demo import load_funding_demo
    load_funding_demo()
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from linli.accounts.models import User
from linli.accounts.roles import Role
from linli.demo.accounts import DEMO_ACCOUNTS, demo_username
from linli.demo.policy import DEMO_POLICY
from linli.funding import services
from linli.funding.choices import ApplicationState, ReviewDecision, suggested_departments
from linli.funding.models import Call
from linli.funding.testing import (
    SAMPLE_FUNCTIONS,
    FundingActors,
    advance,
    draft,
    mix_adding_up_to,
    open_call,
)
from linli.registry.choices import SiteStatus
from linli.registry.models import CandidateSite, Jurisdiction, Level

S = ApplicationState

# (project name suffix, state it is left in)
DEMO_PROJECTS = (
    ("社区服务综合体（草稿）", S.DRAFT),
    ("养老托育综合体", S.DISTRICT_REVIEW),
    ("一老一小服务站", S.RETURNED),
    ("嵌入式服务综合体", S.DISTRICT_SUBMITTED),
    ("邻里中心", S.JOINT_REVIEW),
    ("社区食堂与托育中心", S.SELECTED),
    ("便民服务综合体", S.REJECTED),
    ("全龄友好服务站", S.RESERVE),
    ("社区托育驿站", S.CARRIED),
    ("养老服务综合体", S.FS_APPROVED),
    ("儿童友好综合体", S.FUND_APP_SUBMITTED),
    ("老年助餐综合体", S.FUND_APPROVED),
    ("托育养老综合体", S.IN_CONSTRUCTION),
    ("示范社区服务中心", S.OPERATING),
)


def _demo_user(role: str) -> User:
    return User.objects.get(username=demo_username(role))


def _demo_reviewers() -> dict[str, User]:
    """The demo's department reviewers that a project of the sample's functions goes to."""
    wanted = suggested_departments(f["scenario"] for f in SAMPLE_FUNCTIONS)
    reviewers = User.objects.filter(
        username__in=[spec.username for spec in DEMO_ACCOUNTS if spec.department in wanted]
    )
    return {reviewer.department: reviewer for reviewer in reviewers}


def load_funding_demo(operator=None) -> list:
    """Seed the call and the applications (once: a second run keeps what is there), each run by
    ``operator`` when given (the project put into operation becomes its facility)."""
    if Call.objects.exists():
        return []
    street_user = _demo_user(Role.STREET_OFFICER)
    actors = FundingActors(
        city_admin=_demo_user(Role.CITY_ADMIN),
        reviewers=_demo_reviewers(),
        district=_demo_user(Role.DISTRICT_OFFICER),
        street=street_user,
        street_b=street_user,
    )
    street = street_user.jurisdiction
    districts = Jurisdiction.objects.filter(level=Level.DISTRICT)
    call = open_call(actors.city_admin, list(districts), policy_id=DEMO_POLICY)
    communities = list(
        Jurisdiction.objects.filter(level=Level.COMMUNITY, path__startswith=street.path)
    )
    applications = []
    for index, (suffix, state) in enumerate(DEMO_PROJECTS):
        community = communities[index % len(communities)] if communities else None
        # A site no earlier project claimed: a selected project reserves its site.
        taken = [a.site_id for a in applications if a.site_id]
        site = (
            CandidateSite.objects.filter(jurisdiction=community, status=SiteStatus.AVAILABLE)
            .exclude(pk__in=taken)
            .first()
            if community
            else None
        )
        application = draft(
            street_user,
            call,
            f"{community.name if community else street.name}{suffix}",
            community,
            site=site,
            operator=operator,
        )
        _leave_in(actors, application, state)
        applications.append(application)
    applications += _afterlife(actors, applications)
    return applications


def _afterlife(actors: FundingActors, applications) -> list:
    """The reserve and the later round: the district holds one project back, the city keeps a
    reviewed one in reserve, and the project not selected last round is carried, revised,
    into the next call; a cost saving on a project under construction is approved."""
    # Each project by the state the demo leaves it in (the one to carry is still 'rejected').
    by_state = {state: a for (_suffix, state), a in zip(DEMO_PROJECTS, applications, strict=True)}
    community = applications[0].community
    held = draft(
        actors.street,
        applications[0].call,
        f"{community.name if community else ''}社区助餐点（区级储备）",
        community,
    )
    advance(actors, held, S.DISTRICT_REVIEW)
    services.application_hold(
        actor=actors.district,
        application=held,
        comment="本年度全区名额已满，列入区级储备，待下一批次统筹申报。",
    )
    today = timezone.localdate()
    later = open_call(
        actors.city_admin,
        list(applications[0].call.districts.all()),
        title=f"{today.year + 1}年第一批社区嵌入式服务设施项目征集（预告批次）",
        policy_id=applications[0].call.policy_id,
    )
    carried = by_state[S.CARRIED]
    copy = services.application_carry_forward(
        actor=actors.district, application=carried, call=later
    )
    _cost_saving(actors, by_state[S.IN_CONSTRUCTION])
    return [held, copy]


def _cost_saving(actors: FundingActors, application) -> None:
    """A cheaper kitchen fit-out: the 概算 of community meals drops, the subsidy with it."""
    application.refresh_from_db()
    rows = services._current_functions(application)
    rows = [
        {**row, "estimate_cny": row["estimate_cny"] - Decimal("200000")}
        if row["scenario"] == "elderly_care"
        else row
        for row in rows
    ]
    total = sum((Decimal(r["estimate_cny"]) for r in rows), Decimal("0"))
    change = services.change_request_create(
        actor=actors.street,
        application=application,
        reason="养老用房利用原有结构，取消新建电梯井，节约投资 20 万元。",
        total_investment_cny=total,
        gross_floor_area_m2=application.gross_floor_area_m2,
        functions=rows,
        funding_mix=mix_adding_up_to(application.funding_mix, total),  # less from the district
    )
    services.change_request_decide(
        actor=actors.city_admin,
        change=change,
        approve=True,
        letter_no=f"{actors.city_admin.jurisdiction.name[:1]}发改（审）〔{timezone.localdate().year}〕88号-补1",
    )


def _leave_in(actors: FundingActors, application, state: str) -> None:
    if state == S.RETURNED:
        advance(actors, application, S.DISTRICT_REVIEW)
        services.application_return(
            actor=actors.district,
            application=application,
            comment="请补充周边企业意见征询记录和消防安全评估结论。",
        )
    elif state in (S.REJECTED, S.CARRIED):
        advance(actors, application, S.JOINT_REVIEW)
        _review(actors, application, objection="选址与已建设施服务范围重叠，建议调整服务半径。")
        services.application_decide(
            actor=actors.city_admin,
            application=application,
            decision="reject",
            comment="选址与已建设施服务范围重叠，暂不纳入本批。",
        )
    elif state == S.RESERVE:
        advance(actors, application, S.JOINT_REVIEW)
        _review(actors, application)
        services.application_decide(
            actor=actors.city_admin,
            application=application,
            decision="reserve",
            comment="审查通过；本批资金已安排完毕，列入储备，下一批次优先支持。",
        )
    else:
        advance(actors, application, state)
    if state in (S.IN_CONSTRUCTION, S.OPERATING):
        _disburse(actors, application)


def _review(actors: FundingActors, application, objection: str = "") -> None:
    """Every participant of the joint review gives its opinion (the planning commission objects
    when ``objection`` is given)."""
    for review in application.reviews.all():
        object_here = objection and review.department == "planning"
        services.review_record(
            actor=actors.reviewer(review.department),
            review=review,
            decision=ReviewDecision.DISAGREE if object_here else ReviewDecision.AGREE,
            comment=objection if object_here else "",
            internal_comment="",
        )


def _disburse(actors: FundingActors, application) -> None:
    """Tranches in every state (released, approved, verified, requested), each within the
    cumulative ceiling of the milestone it cites."""
    ledger = application.ledger
    milestones = list(application.milestones.all())
    latest = milestones[-1]
    # (milestone, share of the approved subsidy, steps taken)
    if len(milestones) == 1:  # 开工 only: up to its ceiling in four tranches
        plan = [(latest, "0.15", 3), (latest, "0.05", 2), (latest, "0.05", 1), (latest, "0.03", 0)]
    else:
        plan = [(m, "0.25", 3) for m in milestones[:-1]] + [(latest, "0.10", 1)]
    steps = (services.tranche_verify, services.tranche_approve, services.tranche_release)
    for milestone, share, done in plan:
        amount = (ledger.approved_cny * Decimal(share)).quantize(Decimal("0.01"))
        tranche = services.tranche_request(
            actor=actors.street, milestone=milestone, amount_cny=amount
        )
        for step in steps[:done]:
            actor = actors.district if step is services.tranche_verify else actors.city_admin
            step(actor=actor, tranche=tranche)
