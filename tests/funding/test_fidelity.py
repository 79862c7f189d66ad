"""Funding as the texts write it (issue 12, items 1–7): release by progress, changes that hold,
the district in the joint review, the reserve and a later call, approval by authority,
exceptions decided, the funding mix."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from linli.audit.models import AuditRecord
from linli.funding import services
from linli.funding.choices import ApplicationState, AttachmentKind, ReviewDecision
from linli.funding.letters import supplementary_letter_html
from linli.funding.models import Application, Ledger, SupplementaryApproval
from linli.funding.testing import (
    SAMPLE_FIELDS,
    SAMPLE_FUNCTIONS,
    CallTestCase,
    advance,
    document,
    draft,
    milestone_evidence,
    mix_adding_up_to,
    open_call,
)
from tests.funding.base import FundingWorld

S = ApplicationState
# Beijing's sample project (testing.SAMPLE_*): 2 000 000 basic public × 30 % + 1 800 000
# inclusive × 25 % (the rate advance() approves) = 1 050 000 CNY approved.
APPROVED = Decimal("1050000.00")


def review_all(actors, application, decision=ReviewDecision.AGREE, comment=""):
    for review in application.reviews.all():
        services.review_record(
            actor=actors.reviewer(review.department),
            review=review,
            decision=decision,
            comment=comment,
        )


class ReleaseByProgressTests(CallTestCase):
    """四.2 五: 按照资金申请报告的批复和工程进度 — not the whole subsidy at 开工."""

    def request(self, milestone, amount):
        return services.tranche_request(
            actor=self.actors.street, milestone=milestone, amount_cny=Decimal(amount)
        )

    def release(self, tranche):
        services.tranche_verify(actor=self.actors.district, tranche=tranche)
        services.tranche_approve(actor=self.actors.city_admin, tranche=tranche)
        services.tranche_release(actor=self.actors.city_admin, tranche=tranche)

    def test_the_whole_subsidy_cannot_be_released_at_the_start(self):
        application = advance(
            self.actors, draft(self.actors.street, self.call, "开工项目"), S.IN_CONSTRUCTION
        )
        start = application.milestones.get(kind="start")
        with self.assertRaises(ValidationError) as refused:
            self.request(start, APPROVED)
        message = " ".join(refused.exception.messages)
        # the numbers: the share, the approved subsidy, the ceiling and what can be asked
        for figure in ("30%", "1050000.00", "315000.00", "at most 315000.00"):
            self.assertIn(figure, message)
        self.release(self.request(start, "315000"))
        self.assertEqual(
            Ledger.objects.get(application=application).released_cny, Decimal("315000")
        )
        # 开工 is not used twice beyond its ceiling
        with self.assertRaisesMessage(ValidationError, "at most 0.00 CNY"):
            self.request(start, "1")

    def test_each_milestone_opens_its_cumulative_share(self):
        application = advance(
            self.actors, draft(self.actors.street, self.call, "主体项目"), S.IN_CONSTRUCTION
        )
        self.request(application.milestones.get(kind="start"), "315000")
        structure = services.milestone_record(
            actor=self.actors.street,
            application=application,
            kind="structure",
            achieved_on=timezone.localdate(),
            evidence=milestone_evidence(self.actors.street, application),
        )
        with self.assertRaises(ValidationError):  # 60 % in all, 315 000 already asked
            self.request(structure, "315001")
        self.request(structure, "315000")
        from linli.funding.progress import progress

        now = progress(application)
        self.assertEqual(now.ceiling_now_cny, Decimal("630000.00"))
        self.assertEqual([row.ceiling_cny for row in now.rows][-1], APPROVED)
        self.assertTrue(now.placeholder)  # Beijing's text gives no shares: the page says so

    def test_milestones_follow_the_pack_order(self):
        application = advance(
            self.actors, draft(self.actors.street, self.call, "顺序项目"), S.FUND_APPROVED
        )
        with self.assertRaisesMessage(ValidationError, "in order"):
            services.milestone_record(
                actor=self.actors.street,
                application=application,
                kind="acceptance",
                achieved_on=timezone.localdate(),
                evidence=milestone_evidence(self.actors.street, application),
            )


class ChangeRequestTests(CallTestCase):
    """A change amends functions and the 概算, is checked at the approved rate, recomputes the
    subsidy and the ledger, and issues a 补充批复."""

    def saving(self, application, cut: Decimal):
        rows = services._current_functions(application)
        rows[0]["estimate_cny"] = rows[0]["estimate_cny"] - cut  # elderly care, basic public
        total = sum((Decimal(r["estimate_cny"]) for r in rows), Decimal(0))
        return services.change_request_create(
            actor=self.actors.street,
            application=application,
            reason="利用原有结构，取消新建电梯井。",
            total_investment_cny=total,
            gross_floor_area_m2=application.gross_floor_area_m2,
            functions=rows,
            funding_mix=mix_adding_up_to(application.funding_mix, total),
        )

    def test_a_cost_saving_lowers_the_subsidy_and_the_ledger_and_issues_a_supplement(self):
        application = advance(
            self.actors, draft(self.actors.street, self.call, "节约项目"), S.IN_CONSTRUCTION
        )
        change = self.saving(application, Decimal("1000000"))
        self.assertTrue(change.eligible)
        self.assertEqual(change.subsidy_cny, APPROVED - Decimal("300000"))
        services.change_request_decide(
            actor=self.actors.city_admin,
            change=change,
            approve=True,
            letter_no="京发改〔2026〕9号-补1",
        )
        application.refresh_from_db()
        self.assertEqual(application.ledger.approved_cny, Decimal("750000.00"))
        self.assertEqual(application.total_investment_cny, Decimal("4000000.00"))
        self.assertEqual(application.fund_report.total_cny, Decimal("4000000.00"))
        supplement = SupplementaryApproval.objects.get(application=application)
        self.assertEqual(supplement.previous_total_cny, APPROVED)
        self.assertEqual(supplement.total_cny, Decimal("750000.00"))
        self.assertEqual(supplement.original, application.subsidy_approval)
        letter = supplementary_letter_html(supplement)
        self.assertIn(application.subsidy_approval.letter_no, letter)  # refers to the first
        self.assertIn("补充批复", letter)
        self.assertIn("750,000.00", letter)
        self.assertIn("25%", letter)  # the approved inclusive rate, not the pack's default
        for obj in (supplement, application.ledger):
            self.assertTrue(
                AuditRecord.objects.filter(
                    object_type__endswith=obj._meta.model_name, object_id=str(obj.pk)
                ).exists()
            )

    def test_a_change_is_checked_at_the_approved_rate(self):
        application = advance(
            self.actors, draft(self.actors.street, self.call, "费率项目"), S.FUND_APPROVED
        )
        change = self.saving(application, Decimal("0"))
        # 1 800 000 inclusive × 25 % approved (the pack's default would be 30 %)
        self.assertEqual(change.evaluation["subsidy"]["inclusive_cny"], "450000.00")
        self.assertEqual(change.subsidy_cny, APPROVED)

    def test_a_change_never_goes_below_what_is_released(self):
        application = advance(
            self.actors, draft(self.actors.street, self.call, "已拨项目"), S.IN_CONSTRUCTION
        )
        tranche = services.tranche_request(
            actor=self.actors.street,
            milestone=application.milestones.get(kind="start"),
            amount_cny=Decimal("315000"),
        )
        services.tranche_verify(actor=self.actors.district, tranche=tranche)
        services.tranche_approve(actor=self.actors.city_admin, tranche=tranche)
        services.tranche_release(actor=self.actors.city_admin, tranche=tranche)
        rows = services._current_functions(application)
        for row in rows:  # everything commercial: no subsidy at all
            row["category"] = "commercial" if row["scenario"] != "infant_care" else "commercial"
        change = services.change_request_create(
            actor=self.actors.street,
            application=application,
            reason="改为市场化运营。",
            total_investment_cny=application.total_investment_cny,
            gross_floor_area_m2=application.gross_floor_area_m2,
            functions=rows,
        )
        with self.assertRaisesMessage(ValidationError, "315000.00 CNY already released"):
            services.change_request_decide(
                actor=self.actors.city_admin, change=change, approve=True, letter_no="补2"
            )
        self.assertEqual(Ledger.objects.get(application=application).approved_cny, APPROVED)


class JointReviewTests(CallTestCase):
    """会同市级相关部门、各区: the district reviews; the city decides only after a review."""

    def test_a_district_records_a_review(self):
        application = advance(
            self.actors, draft(self.actors.street, self.call, "区审项目"), S.JOINT_REVIEW
        )
        review = application.reviews.get(department="district")
        with self.assertRaises(PermissionDenied):  # a department cannot speak for the district
            services.review_record(
                actor=self.actors.reviewers["planning"], review=review, decision="agree", comment=""
            )
        services.review_record(
            actor=self.actors.district,
            review=review,
            decision=ReviewDecision.AGREE_WITH_CONDITIONS,
            comment="建议与街道养老驿站统筹运营。",
        )
        review.refresh_from_db()
        self.assertEqual(review.reviewer, self.actors.district)
        self.assertEqual(review.decision, ReviewDecision.AGREE_WITH_CONDITIONS)

    def test_the_city_cannot_reject_straight_after_the_submission(self):
        application = advance(
            self.actors, draft(self.actors.street, self.call, "直拒项目"), S.DISTRICT_SUBMITTED
        )
        with self.assertRaisesMessage(ValidationError, "only after the joint review"):
            services.application_decide(
                actor=self.actors.city_admin,
                application=application,
                decision="reject",
                comment="不予支持",
            )

    def test_the_city_waits_for_the_district(self):
        application = advance(
            self.actors, draft(self.actors.street, self.call, "待区项目"), S.JOINT_REVIEW
        )
        for review in application.reviews.exclude(department="district"):
            services.review_record(
                actor=self.actors.reviewer(review.department),
                review=review,
                decision="agree",
                comment="",
            )
        with self.assertRaisesMessage(ValidationError, "not reviewed yet"):
            services.application_decide(
                actor=self.actors.city_admin,
                application=application,
                decision="reject",
                comment="不予支持",
            )


class ReserveAndLaterCallTests(CallTestCase):
    def later_call(self):
        today = date.today()
        return services.call_open(
            actor=self.actors.city_admin,
            title="第二批征集",
            policy_id="beijing-2024",
            opens_on=today - timedelta(days=2),
            closes_on=today + timedelta(days=60),
            budget_cny=Decimal("100000000"),
            districts=[self.tree.district],
            notice="第二批。",
        )

    def test_a_rejected_project_reaches_a_later_call(self):
        application = advance(
            self.actors, draft(self.actors.street, self.call, "落选项目"), S.JOINT_REVIEW
        )
        review_all(self.actors, application)
        services.application_decide(
            actor=self.actors.city_admin,
            application=application,
            decision="reject",
            comment="本批额度已满",
        )
        with self.assertRaisesMessage(ValidationError, "later call"):
            services.application_carry_forward(
                actor=self.actors.street, application=application, call=self.call
            )
        later = self.later_call()
        copy = services.application_carry_forward(
            actor=self.actors.street, application=application, call=later
        )
        application.refresh_from_db()
        self.assertEqual(application.state, S.CARRIED)
        self.assertEqual(copy.carried_from, application)
        self.assertEqual((copy.call, copy.state), (later, S.DRAFT))
        self.assertEqual(copy.evaluation["policy"], "beijing-2024")  # re-checked in the call
        self.assertEqual(copy.functions.count(), 3)
        self.assertTrue(copy.attachments.filter(kind=AttachmentKind.CONSULTATION).exists())
        # revised and resubmitted: it runs the whole course again in the later call
        services.application_update(
            actor=self.actors.street, application=copy, name="落选项目（调整选址后）"
        )
        advance(self.actors, copy, S.FUND_APPROVED)
        self.assertEqual(Application.objects.get(pk=copy.pk).state, S.FUND_APPROVED)

    def test_the_reserve_holds_projects_for_a_later_round(self):
        held = advance(
            self.actors, draft(self.actors.street, self.call, "区储备"), S.DISTRICT_REVIEW
        )
        services.application_hold(actor=self.actors.district, application=held, comment="名额已满")
        reviewed = advance(
            self.actors, draft(self.actors.street, self.call, "市储备"), S.JOINT_REVIEW
        )
        review_all(self.actors, reviewed)
        services.application_decide(
            actor=self.actors.city_admin,
            application=reviewed,
            decision="reserve",
            comment="下批优先",
        )
        for application in (held, reviewed):
            application.refresh_from_db()
            self.assertEqual(application.state, S.RESERVE)
        copy = services.application_carry_forward(
            actor=self.actors.district, application=reviewed, call=self.later_call()
        )
        self.assertEqual(copy.carried_from_id, reviewed.pk)

    def test_the_municipal_subsidy_is_drawn_once_across_calls(self):
        application = advance(
            self.actors, draft(self.actors.street, self.call, "一次补助"), S.JOINT_REVIEW
        )
        review_all(self.actors, application)
        services.application_decide(
            actor=self.actors.city_admin,
            application=application,
            decision="reserve",
            comment="下批",
        )
        copy = services.application_carry_forward(
            actor=self.actors.street, application=application, call=self.later_call()
        )
        # another round of the same project somehow funded already (a copy of the copy's
        # original in the first call): the later one cannot draw the subsidy again
        advance(self.actors, copy, S.FUND_APP_SUBMITTED)
        first = draft(self.actors.street, self.call, "同一项目首轮")
        Application.objects.filter(pk=copy.pk).update(carried_from=first)
        advance(self.actors, first, S.FUND_APPROVED)
        copy.refresh_from_db()
        with self.assertRaisesMessage(ValidationError, "cannot draw it twice"):
            advance(self.actors, copy, S.FUND_APPROVED)


class ExceptionTests(CallTestCase):
    """原则上: a substantive reason, decided by the 功能设置 reviewer."""

    NO_CARE = [
        dict(scenario="child_afterschool", category="commercial", floor_area_m2=Decimal("300"),
             investment_cny=Decimal("1500000")),
        dict(scenario="community_meals", category="commercial", floor_area_m2=Decimal("300"),
             investment_cny=Decimal("1500000")),
        dict(scenario="fitness", category="basic_public", floor_area_m2=Decimal("300"),
             investment_cny=Decimal("2000000")),
    ]  # fmt: skip
    RULE = "functions.elderly_or_infant"
    REASON = "周边五百米内已有街道养老照料中心和普惠托育园，本项目补齐儿童托管和助餐。"

    def test_an_exception_of_a_full_stop_is_refused(self):
        for reason in ("。", " 。 ", "……！", "ok"):
            with self.subTest(reason=reason), self.assertRaises(ValidationError) as refused:
                draft(
                    self.actors.street, self.call, "句号理由",
                    functions=self.NO_CARE, overrides=[{"rule": self.RULE, "reason": reason}],
                )  # fmt: skip
            self.assertIn("at least 15 characters", " ".join(refused.exception.messages))

    def test_an_unaccepted_exception_keeps_the_project_from_selection(self):
        application = draft(
            self.actors.street, self.call, "例外项目",
            functions=self.NO_CARE, overrides=[{"rule": self.RULE, "reason": self.REASON}],
        )  # fmt: skip
        self.assertTrue(application.eligible)
        advance(self.actors, application, S.JOINT_REVIEW)
        review_all(self.actors, application)
        with self.assertRaisesMessage(ValidationError, "not accepted the exception"):
            services.application_decide(
                actor=self.actors.city_admin, application=application, decision="select"
            )
        with self.assertRaises(PermissionDenied):  # 规划 does not review the functions
            services.exception_decide(
                actor=self.actors.reviewers["planning"], application=application, rule=self.RULE,
                accept=True,
            )  # fmt: skip
        services.exception_decide(
            actor=self.actors.reviewers["civil_affairs"], application=application, rule=self.RULE,
            accept=True, comment="周边已有养老托育设施，同意。",
        )  # fmt: skip
        services.application_decide(
            actor=self.actors.city_admin, application=application, decision="select"
        )
        application.refresh_from_db()
        self.assertEqual(application.state, S.SELECTED)
        self.assertEqual(application.overrides[0]["decided_by"], "reviewer-civil_affairs")

    def test_a_refused_exception_makes_the_project_ineligible(self):
        application = draft(
            self.actors.street, self.call, "拒绝例外",
            functions=self.NO_CARE, overrides=[{"rule": self.RULE, "reason": self.REASON}],
        )  # fmt: skip
        advance(self.actors, application, S.JOINT_REVIEW)
        with self.assertRaisesMessage(ValidationError, "why the exception is refused"):
            services.exception_decide(
                actor=self.actors.reviewers["civil_affairs"], application=application,
                rule=self.RULE, accept=False,
            )  # fmt: skip
        application = services.exception_decide(
            actor=self.actors.reviewers["civil_affairs"], application=application, rule=self.RULE,
            accept=False, comment="辖区老年人口多，应配置养老服务。",
        )  # fmt: skip
        self.assertFalse(application.eligible)


class AuthorityAndPlausibilityTests(CallTestCase):
    """按权限履行项目审批职能, and a 可研批复 far from the application needs a reason."""

    def record(self, actor, application, **changes):
        fields = dict(
            document_no="发改审〔2026〕3号",
            approved_on=timezone.localdate() - timedelta(days=30),
            approved_investment_cny=application.total_investment_cny,
            approving_body="测试区发展和改革委员会",
            authority_level="district",
            procedure="approval",
            attachment=document(actor, application, AttachmentKind.FEASIBILITY),
        )
        return services.feasibility_record(
            actor=actor, application=application, **{**fields, **changes}
        )

    def test_whoever_holds_the_authority_records_it(self):
        application = advance(
            self.actors, draft(self.actors.street, self.call, "权限项目"), S.SELECTED
        )
        with self.assertRaises(PermissionDenied):
            self.record(self.actors.district, application, authority_level="city")
        approval = self.record(
            self.actors.city_admin, application, authority_level="city",
            approving_body="测试市发展和改革委员会", procedure="ratification",
        )  # fmt: skip
        self.assertEqual((approval.authority_level, approval.procedure), ("city", "ratification"))

    def test_an_implausible_investment_needs_a_reason(self):
        application = advance(
            self.actors, draft(self.actors.street, self.call, "离谱项目"), S.SELECTED
        )
        with self.assertRaises(ValidationError) as refused:
            self.record(
                self.actors.district, application, approved_investment_cny=Decimal("99000000")
            )
        message = " ".join(refused.exception.messages)
        self.assertIn("99000000", message)
        self.assertIn("more than 20%", message)
        approval = self.record(
            self.actors.district, application, approved_investment_cny=Decimal("6500000"),
            deviation_reason="可研阶段增加了屋顶花园和无障碍电梯，经评审机构核定。",
        )  # fmt: skip
        self.assertEqual(approval.approved_investment_cny, Decimal("6500000"))


class FundingMixTests(CallTestCase):
    """121号 三(八): every channel and amount, adding up to the investment."""

    def test_the_mix_must_add_up_to_the_investment(self):
        application = draft(
            self.actors.street, self.call, "渠道项目",
            funding_mix={"municipal_subsidy": Decimal("1000000")},
        )  # fmt: skip
        with self.assertRaisesMessage(ValidationError, "funding mix"):
            services.application_submit(actor=self.actors.street, application=application)
        services.application_update(
            actor=self.actors.street,
            application=application,
            funding_mix=SAMPLE_FIELDS["funding_mix"],
        )
        services.application_submit(actor=self.actors.street, application=application)

    def test_an_unknown_channel_is_refused(self):
        with self.assertRaisesMessage(ValidationError, "Unknown funding channel"):
            draft(self.actors.street, self.call, "未知渠道", funding_mix={"lottery": Decimal("1")})

    def test_the_funding_reviewer_sees_the_mix(self):
        application = advance(
            self.actors, draft(self.actors.street, self.call, "资金审查"), S.JOINT_REVIEW
        )
        review = application.reviews.get(department="finance", dimension="funding")
        self.client.force_login(self.actors.reviewers["finance"])
        page = self.client.get(reverse("funding:review_edit", args=[review.pk])).content.decode()
        self.assertIn("市级财政补助", page)
        self.assertIn("1950000", page)


class PipelineView(FundingWorld):
    """The district's pipeline: four ways."""

    role, state = "district_officer", S.JOINT_REVIEW
    unpermitted_role = "street_officer"

    def test_four_ways(self):
        url = reverse("funding:district_pipeline")
        self.assertTrue(self.client.get(url)["Location"].startswith(reverse("login")))
        self.client.force_login(self.unpermitted)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.client.force_login(self.permitted)
        page = self.client.get(url)
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, self.application.name)
        self.client.force_login(self.outsider)
        page = self.client.get(url)
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, self.application.name)


class ExceptionDecideView(FundingWorld):
    role, state = "city_department", S.JOINT_REVIEW

    @classmethod
    def prepare(cls):
        application = Application.objects.get(pk=cls.application.pk)
        application.overrides = [
            {"rule": ExceptionTests.RULE, "reason": ExceptionTests.REASON, "decision": "pending"}
        ]
        application.save(update_fields=["overrides"])

    def test_four_ways(self):
        url = reverse("funding:exception_decide", args=[self.application.pk, ExceptionTests.RULE])
        data = {"accept": "accept", "comment": "同意"}
        self.assertTrue(self.client.post(url, data)["Location"].startswith(reverse("login")))
        self.client.force_login(self.unpermitted)
        self.assertEqual(self.client.post(url, data).status_code, 403)
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.post(url, data).status_code, 404)
        self.client.force_login(self.permitted)
        self.assertEqual(self.client.post(url, data).status_code, 302)
        decision = Application.objects.get(pk=self.application.pk).overrides[0]["decision"]
        self.assertEqual(decision, "accepted")


class SupplementaryLetterView(FundingWorld):
    role, state = "city_admin", S.FUND_APPROVED
    unpermitted_role = "auditor"

    @classmethod
    def prepare(cls):
        change = services.change_request_create(
            actor=cls.actors.street,
            application=cls.application,
            reason="增加投资",
            total_investment_cny=Decimal("5200000"),
            gross_floor_area_m2=Decimal("1000"),
            funding_mix=mix_adding_up_to(SAMPLE_FIELDS["funding_mix"], "5200000"),
        )
        services.change_request_decide(
            actor=cls.actors.city_admin, change=change, approve=True, letter_no="补1"
        )
        cls.supplement = SupplementaryApproval.objects.get(change=change)

    def test_four_ways(self):
        url = reverse("funding:supplementary_letter", args=[self.supplement.pk])
        self.assertTrue(self.client.get(url)["Location"].startswith(reverse("login")))
        self.client.force_login(self.unpermitted)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.client.force_login(self.permitted)
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")


class ExampleCityTests(CallTestCase):
    """docs/examples/anhe-2026.toml: a city whose milestones, shares and thresholds are its own."""

    def test_the_city_s_own_milestones_and_thresholds_hold(self):
        import os
        from pathlib import Path
        from unittest import mock

        examples = Path(__file__).resolve().parents[2] / "docs" / "examples"
        with mock.patch.dict(os.environ, {"LINLI_POLICY_PATH": str(examples)}):
            # the call pins the pack's files: nothing later reads the directory again
            call = open_call(self.actors.city_admin, [self.tree.district], "安禾征集", "anhe-2026")
        functions = [  # 安禾 asks for four services
            *SAMPLE_FUNCTIONS,
            dict(scenario="fitness", category="commercial", floor_area_m2=Decimal("100"),
                 investment_cny=Decimal("0")),
        ]  # fmt: skip
        application = draft(self.actors.street, call, "安禾项目", functions=functions)
        application = advance(self.actors, application, S.IN_CONSTRUCTION)
        approved = application.ledger.approved_cny
        with self.assertRaisesMessage(ValidationError, "20%"):  # 开工: 20 % in 安禾
            services.tranche_request(
                actor=self.actors.street,
                milestone=application.milestones.get(kind="start"),
                amount_cny=approved * Decimal("0.21"),
            )
        with self.assertRaisesMessage(ValidationError, "in order"):
            services.milestone_record(
                actor=self.actors.street,
                application=application,
                kind="structure",  # Beijing's; 安禾 names it topped_out
                achieved_on=timezone.localdate(),
                evidence=milestone_evidence(self.actors.street, application),
            )
        services.milestone_record(
            actor=self.actors.street,
            application=application,
            kind="topped_out",
            achieved_on=timezone.localdate(),
            evidence=milestone_evidence(self.actors.street, application),
        )
        with self.assertRaises(ValidationError) as refused:  # 30 characters in 安禾
            draft(
                self.actors.street, call, "安禾例外", functions=functions,
                overrides=[{"rule": "functions.elderly_or_infant", "reason": "周边已有养老设施。"}],
            )  # fmt: skip
        self.assertIn("30", " ".join(refused.exception.messages))
