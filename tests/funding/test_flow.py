"""The whole flow through the services: every transition leaves an audit record."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase

from linli.audit.models import AuditAction, AuditRecord
from linli.core.testing import make_tree
from linli.funding import services
from linli.funding.choices import ApplicationState, MilestoneKind, PublicStatus
from linli.funding.models import Application, Ledger, Notification, SubsidyApproval
from linli.funding.testing import (
    SAMPLE_FUNCTIONS,
    CallTestCase,
    advance,
    draft,
    make_actors,
    mix_adding_up_to,
    open_call,
)
from linli.registry.testing import make_registry

S = ApplicationState


class WholeFlowTests(CallTestCase):
    def test_application_runs_to_operation_and_every_transition_is_audited(self):
        site = make_registry(self.tree).site_a  # 投入运营 registers the facility on its site
        application = draft(
            self.actors.street,
            self.call,
            "甲街道社区服务综合体",
            community=self.tree.community_a,
            site=site,
        )
        self.assertTrue(application.eligible, application.evaluation)
        advance(self.actors, application, S.OPERATING)
        self.assertEqual(application.state, S.OPERATING)
        self.assertEqual(application.public_status, PublicStatus.OPERATING)
        transitions = list(
            AuditRecord.objects.filter(
                action=AuditAction.TRANSITION,
                object_type="funding.application",
                object_id=str(application.pk),
            )
            .order_by("pk")
            .values_list("transition", flat=True)
        )
        self.assertEqual(
            transitions,
            [
                "submit_to_district",
                "submit_to_city",
                "start_joint_review",
                "select",
                "approve_feasibility",
                "report_fund_application",
                "approve_subsidy",
                "start_construction",
                "start_operation",
            ],
        )
        approval = SubsidyApproval.objects.get(application=application)
        # 30 % of 2,000,000 (basic) + 25 % of 1,800,000 (inclusive); commercial earns nothing.
        self.assertEqual(approval.total_cny, Decimal("1050000.00"))
        self.assertEqual(approval.land_use_grace_expiry.year, approval.approved_on.year + 5)
        self.assertEqual(
            Ledger.objects.get(application=application).approved_cny, Decimal("1050000.00")
        )
        self.assertTrue(Notification.objects.filter(application=application).exists())

    def test_submission_needs_the_consultation_record(self):
        application = services.application_create(
            actor=self.actors.street,
            call=self.call,
            name="缺材料项目",
            kind="complex",
            construction="new",
            space_source="co_build",
            gross_floor_area_m2=Decimal("800"),
            total_investment_cny=Decimal("1000000"),
            operating_model="self_run",
        )
        with self.assertRaisesMessage(ValidationError, "consultation"):
            services.application_submit(actor=self.actors.street, application=application)
        application.refresh_from_db()
        self.assertEqual(application.state, S.DRAFT)

    def test_inclusive_functions_need_the_price_plan(self):
        """121号 二(六) 根据服务成本、合理利润等提供价格普惠的社区服务; Beijing 三(三) 保本微利."""
        no_plan = dict(price_cost_basis="", price_profit_rate=None, price_schedule="")
        application = draft(self.actors.street, self.call, "无价格方案项目", **no_plan)
        with self.assertRaisesMessage(ValidationError, "inclusive price plan"):
            services.application_submit(actor=self.actors.street, application=application)
        commercial_only = [
            {**f, "category": "commercial"} if f["category"] == "inclusive" else f
            for f in SAMPLE_FUNCTIONS
        ]
        plain = draft(
            self.actors.street, self.call, "无普惠功能项目", functions=commercial_only, **no_plan
        )
        self.assertNotIn(
            "the inclusive price plan (cost basis, reasonable profit rate and prices)",
            services.missing_for_submission(plain),
        )

    def test_a_government_built_project_is_told_of_the_land_use_provision(self):
        """121号 三(十) 政府建设的…允许5年内不变更原有土地用途: declared on the form."""

        def land_use(application):
            (finding,) = [
                f
                for f in application.evaluation["findings"]
                if f["rule"] == "land.government_facility_use"
            ]
            return finding["message_en"]

        built = draft(self.actors.street, self.call, "政府建设项目", government_built=True)
        other = draft(self.actors.street, self.call, "民办公助项目")
        self.assertIn("applies to this project", land_use(built))
        self.assertIn("not applicable", land_use(other))

    def test_tranches_release_within_the_ledger(self):
        application = draft(self.actors.street, self.call, "拨付项目")
        advance(self.actors, application, S.IN_CONSTRUCTION)
        milestone = application.milestones.get(kind=MilestoneKind.START)
        tranche = services.tranche_request(
            actor=self.actors.street, milestone=milestone, amount_cny=Decimal("300000")
        )
        with self.assertRaises(ValidationError):
            services.tranche_request(
                actor=self.actors.street, milestone=milestone, amount_cny=Decimal("600000")
            )
        services.tranche_verify(actor=self.actors.district, tranche=tranche)
        services.tranche_approve(actor=self.actors.city_admin, tranche=tranche)
        services.tranche_release(actor=self.actors.city_admin, tranche=tranche)
        ledger = Ledger.objects.get(application=application)
        self.assertEqual(ledger.released_cny, Decimal("300000.00"))
        with self.assertRaises(ValidationError):  # released once only
            services.tranche_release(actor=self.actors.city_admin, tranche=tranche)

    def test_change_request_reruns_the_policy_check(self):
        application = draft(self.actors.street, self.call, "变更项目")
        advance(self.actors, application, S.FUND_APPROVED)
        bad = services.change_request_create(
            actor=self.actors.street,
            application=application,
            reason="缩减面积",
            total_investment_cny=Decimal("4000000"),
            gross_floor_area_m2=Decimal("500"),
            funding_mix=mix_adding_up_to(application.funding_mix, "4000000"),
        )
        self.assertFalse(bad.eligible)  # functions 900 m² no longer fit in 500 m²
        with self.assertRaises(ValidationError):
            services.change_request_decide(actor=self.actors.city_admin, change=bad, approve=True)
        good = services.change_request_create(
            actor=self.actors.street,
            application=application,
            reason="增加投资",
            total_investment_cny=Decimal("5500000"),
            gross_floor_area_m2=Decimal("1000"),
            funding_mix=mix_adding_up_to(application.funding_mix, "5500000"),
        )
        self.assertTrue(good.eligible)
        services.change_request_decide(
            actor=self.actors.city_admin,
            change=good,
            approve=True,
            letter_no="京发改（审）〔2026〕9号",
        )
        application.refresh_from_db()
        self.assertEqual(application.total_investment_cny, Decimal("5500000.00"))

    def test_approvals_stay_within_the_call_budget(self):
        small = services.call_open(
            actor=self.actors.city_admin,
            title="小额征集",
            policy_id="beijing-2024",
            opens_on=date(2026, 1, 1),
            closes_on=date(2030, 1, 1),
            budget_cny=Decimal("1000000"),
            districts=[self.tree.district],
            notice="…",
        )
        application = draft(self.actors.street, small, "超预算项目")
        advance(self.actors, application, S.FUND_APP_SUBMITTED)
        with self.assertRaisesMessage(ValidationError, "budget envelope"):
            services.subsidy_approve(
                actor=self.actors.city_admin,
                application=application,
                inclusive_rate=Decimal("0.3"),
                rate_reason="…",
                letter_no="x",
                approved_on=date.today(),
            )
        application.refresh_from_db()
        self.assertEqual(application.state, S.FUND_APP_SUBMITTED)

    def test_state_cannot_be_set_directly(self):
        application = draft(self.actors.street, self.call, "直接改状态")
        with self.assertRaises(AttributeError):
            application.state = S.FUND_APPROVED
        self.assertEqual(Application.objects.get(pk=application.pk).state, S.DRAFT)
        self.assertIsInstance(date.today(), date)


class OwnOfficeTests(TestCase):
    """The district may see, return and forward its streets' applications, not write them."""

    @classmethod
    def setUpTestData(cls):
        cls.tree = make_tree()
        cls.actors = make_actors(cls.tree)
        cls.call = open_call(cls.actors.city_admin, [cls.tree.district])
        cls.application = draft(cls.actors.street, cls.call, "街道项目")

    def test_district_cannot_submit_or_edit_a_streets_draft(self):
        with self.assertRaises(PermissionDenied):
            services.application_submit(actor=self.actors.district, application=self.application)
        with self.assertRaises(PermissionDenied):
            services.application_update(
                actor=self.actors.district, application=self.application, name="改"
            )
        self.client.force_login(self.actors.district)
        page = self.client.get(self.application.get_absolute_url())
        self.assertNotContains(page, 'id="action-submit"')
        self.assertNotContains(page, 'id="action-edit"')
