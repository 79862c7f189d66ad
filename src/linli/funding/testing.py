"""Funding objects for tests and the demo, made through the services (so they are audited).

:func:`advance` drives an application step by step to any state of the workflow, as the
offices would: street → district → city → departments → city → district → street → city.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.utils import translation

from linli.accounts.models import User
from linli.accounts.roles import Department, Role
from linli.core.testing import TestTree, make_tree, make_user
from linli.funding import services
from linli.funding.choices import (
    ApplicationState,
    AttachmentKind,
    MilestoneKind,
    ReviewDecision,
)
from linli.funding.models import Application, Call
from linli.funding.progress import schedule
from linli.registry.models import Jurisdiction

S = ApplicationState
# A tiny but real PDF: the magic bytes the attachment check looks for.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

SAMPLE_FUNCTIONS = [
    dict(
        scenario="elderly_care",
        category="basic_public",
        floor_area_m2=Decimal("400"),
        investment_cny=Decimal("2000000"),
        beds=20,
        nursing_beds=12,
    ),
    dict(
        scenario="infant_care",
        category="inclusive",
        floor_area_m2=Decimal("300"),
        investment_cny=Decimal("1800000"),
        infant_slots=40,
    ),
    dict(
        scenario="community_meals",
        category="commercial",
        floor_area_m2=Decimal("200"),
        investment_cny=Decimal("1200000"),
        seats=60,
    ),
]

SAMPLE_FIELDS = dict(
    kind="complex",
    construction="stock_conversion",
    space_source="convert",
    gross_floor_area_m2=Decimal("1000"),
    resident_activity_area_m2=Decimal("700"),
    total_investment_cny=Decimal("5000000"),
    operating_model="public_built_private_run",
    price_cost_basis="人工、能耗、食材成本核算，按服务人次分摊。",
    price_profit_rate=Decimal("5"),
    price_schedule="助餐 15 元/餐；日间照料 60 元/日。",
    consulted_residents=320,
    consulted_enterprises=12,
    consultation_opinions="居民希望增加助餐和日间照料；企业愿意参与运营。",
    safety_assessment="消防通道、疏散楼梯满足要求；首层设置托育用房。",
    # 121号 三(八): every channel, adding up to the total investment.
    funding_mix={
        "municipal_subsidy": Decimal("1950000"),
        "district_fiscal": Decimal("2050000"),
        "social_capital": Decimal("1000000"),
    },
)


def mix_adding_up_to(mix, total, channel: str = "district_fiscal") -> dict:
    """``mix`` made to add up to ``total``, ``channel`` taking up the difference (a change's
    saving comes off the district's budget, say)."""
    mix = {code: Decimal(str(amount)) for code, amount in mix.items()}
    mix[channel] = mix.get(channel, Decimal(0)) + Decimal(str(total)) - sum(mix.values())
    return mix


# The order of the workflow, and which step leads into each state.
ORDER = [
    S.DRAFT,
    S.DISTRICT_REVIEW,
    S.DISTRICT_SUBMITTED,
    S.JOINT_REVIEW,
    S.SELECTED,
    S.FS_APPROVED,
    S.FUND_APP_SUBMITTED,
    S.FUND_APPROVED,
    S.IN_CONSTRUCTION,
    S.OPERATING,
]


@dataclass
class FundingActors:
    city_admin: User
    reviewers: dict[str, User]  # department → reviewer
    district: User
    street: User  # street A's officer; street B's is out of scope for it
    street_b: User

    def reviewer(self, party: str) -> User:
        """Who records a review of ``party``: its department's reviewer, or the district."""
        return self.reviewers.get(party, self.district)


def make_actors(tree: TestTree) -> FundingActors:
    reviewers = {
        department: make_user(
            tree, Role.CITY_DEPARTMENT, tree.city, f"reviewer-{department}", department=department
        )
        for department in (Department.CIVIL_AFFAIRS, Department.PLANNING, Department.FINANCE)
    }
    return FundingActors(
        city_admin=make_user(tree, Role.CITY_ADMIN, tree.city, "funding-city"),
        reviewers=reviewers,
        district=make_user(tree, Role.DISTRICT_OFFICER, tree.district, "funding-district"),
        street=make_user(tree, Role.STREET_OFFICER, tree.street_a, "funding-street-a"),
        street_b=make_user(tree, Role.STREET_OFFICER, tree.street_b, "funding-street-b"),
    )


def open_call(
    actor: User,
    districts: list[Jurisdiction],
    title: str = "2026年社区嵌入式服务设施项目征集",
    policy_id: str = "beijing-2024",
) -> Call:
    today = date.today()
    return services.call_open(
        actor=actor,
        title=title,
        policy_id=policy_id,
        opens_on=today - timedelta(days=10),
        closes_on=today + timedelta(days=50),
        budget_cny=Decimal("100000000"),
        districts=districts,
        notice="市发展改革委现征集社区嵌入式服务设施项目，请各区组织街道申报。",
    )


def upload(name: str = "record.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def draft(
    actor: User, call: Call, name: str, community: Jurisdiction | None = None, **fields
) -> Application:
    """A complete draft with its consultation record attached."""
    application = services.application_create(
        actor=actor,
        call=call,
        name=name,
        community=community,
        functions=fields.pop("functions", SAMPLE_FUNCTIONS),
        **{**SAMPLE_FIELDS, **fields},
    )
    services.attachment_add(
        actor=actor, application=application, kind=AttachmentKind.CONSULTATION, upload=upload()
    )
    return application


def document(actor: User, application: Application, kind: str):
    """A document of the workflow (可研批复, 资金申请报告, 节点证明) attached as an office would."""
    return services.attachment_add(
        actor=actor, application=application, kind=kind, upload=upload(f"{kind}.pdf")
    )


def milestone_evidence(actor: User, application: Application):
    """A scan of the milestone's record (开工令, 验收记录), as the street attaches it."""
    return document(actor, application, AttachmentKind.MILESTONE)


def advance(
    actors: FundingActors, application: Application, target: str, street: User | None = None
):
    """Take ``application`` forward through the services until it is in ``target``."""
    street = street or actors.street
    application.refresh_from_db()
    while ORDER.index(application.state) < ORDER.index(target):
        _step(actors, application, street)
        application.refresh_from_db()
    return application


def _step(actors: FundingActors, application: Application, street: User) -> None:
    state, city, district = application.state, actors.city_admin, actors.district
    if state == S.DRAFT:
        services.application_submit(actor=street, application=application)
    elif state == S.DISTRICT_REVIEW:
        services.application_forward(actor=district, applications=[application])
    elif state == S.DISTRICT_SUBMITTED:
        services.application_assign(
            actor=city, application=application, departments=list(actors.reviewers)
        )
    elif state == S.JOINT_REVIEW:
        for review in application.reviews.all():
            services.review_record(
                actor=actors.reviewer(review.department),
                review=review,
                decision=ReviewDecision.AGREE,
                comment="",
                internal_comment="符合本部门要求。",
            )
        services.application_decide(actor=city, application=application, decision="select")
    elif state == S.SELECTED:
        services.feasibility_record(
            actor=district,
            application=application,
            document_no="区发改审〔2026〕12号",
            approved_on=date.today() - timedelta(days=30),
            approved_investment_cny=application.total_investment_cny,
            approving_body=f"{district.jurisdiction.name}发展和改革委员会",
            attachment=document(district, application, AttachmentKind.FEASIBILITY),
        )
    elif state == S.FS_APPROVED:
        services.fund_report_save(
            actor=street,
            application=application,
            estimates={f.pk: f.investment_cny for f in application.functions.all()},
            attachment=document(street, application, AttachmentKind.FUND_REPORT),
        )
        services.fund_report_submit(actor=district, application=application)
    elif state == S.FUND_APP_SUBMITTED:
        services.subsidy_approve(
            actor=city,
            application=application,
            inclusive_rate=Decimal("0.25"),
            rate_reason="托育服务价格低于市场价 20%，按 25% 补助。",
            # The city's own letter number: 京发改 in Beijing, 青发改 in 青岚市.
            letter_no=f"{city.jurisdiction.name[:1]}发改（审）〔{date.today().year}〕88号",
            approved_on=date.today() - timedelta(days=20),
        )
    elif state == S.FUND_APPROVED:
        services.milestone_record(
            actor=street,
            application=application,
            kind=MilestoneKind.START,
            achieved_on=date.today() - timedelta(days=15),
            evidence=milestone_evidence(street, application),
        )
    elif state == S.IN_CONSTRUCTION:
        done = set(application.milestones.values_list("kind", flat=True))
        order = [m.code for m in schedule(application.call).milestones]
        kind = next(k for k in order if k not in done)
        services.milestone_record(
            actor=street,
            application=application,
            kind=kind,
            achieved_on=date.today(),
            evidence=milestone_evidence(street, application),
        )


class CallTestCase(TestCase):
    """A test tree, the funding offices (:func:`make_actors`) and one open call for its
    district; messages in English, as the tests assert them."""

    def setUp(self):
        self.enterContext(translation.override("en"))

    @classmethod
    def setUpTestData(cls):
        cls.tree = make_tree()
        cls.actors = make_actors(cls.tree)
        cls.call = open_call(cls.actors.city_admin, [cls.tree.district])
