"""Demo data for the funding workflow: one call and an application in every state, made through
the services by the demo city's own accounts (so the demo's audit trail is real too).

Called by :func:`linli.demo.loader._load` once the registry is loaded::

    from linli.funding.demo import load_funding_demo
    load_funding_demo()
"""

from __future__ import annotations

from decimal import Decimal

from linli.accounts.models import User
from linli.accounts.roles import Role
from linli.demo.accounts import DEMO_ACCOUNTS, demo_username
from linli.demo.policy import DEMO_POLICY
from linli.funding import services
from linli.funding.choices import ApplicationState, MilestoneKind, suggested_departments
from linli.funding.models import Call
from linli.funding.testing import SAMPLE_FUNCTIONS, FundingActors, advance, draft, open_call
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


def load_funding_demo() -> list:
    """Seed the call and the applications (once: a second run keeps what is there)."""
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
        )
        _leave_in(actors, application, state)
        applications.append(application)
    return applications


def _leave_in(actors: FundingActors, application, state: str) -> None:
    if state == S.RETURNED:
        advance(actors, application, S.DISTRICT_REVIEW)
        services.application_return(
            actor=actors.district,
            application=application,
            comment="请补充周边企业意见征询记录和消防安全评估结论。",
        )
    elif state == S.REJECTED:
        advance(actors, application, S.DISTRICT_SUBMITTED)
        services.application_decide(
            actor=actors.city_admin,
            application=application,
            decision="reject",
            comment="选址与已建设施服务范围重叠，暂不纳入本批。",
        )
    else:
        advance(actors, application, state)
    if state in (S.IN_CONSTRUCTION, S.OPERATING):
        _disburse(actors, application)


def _disburse(actors: FundingActors, application) -> None:
    """Tranches in every state: released, approved, verified, requested."""
    ledger = application.ledger
    milestones = list(application.milestones.order_by("achieved_on"))
    start = next(m for m in milestones if m.kind == MilestoneKind.START)
    share = (ledger.approved_cny * Decimal("0.2")).quantize(Decimal("0.01"))
    steps = (
        (services.tranche_verify, services.tranche_approve, services.tranche_release),
        (services.tranche_verify, services.tranche_approve),
        (services.tranche_verify,),
        (),
    )
    for chain in steps:
        tranche = services.tranche_request(actor=actors.street, milestone=start, amount_cny=share)
        for step in chain:
            actor = actors.district if step is services.tranche_verify else actors.city_admin
            step(actor=actor, tranche=tranche)
