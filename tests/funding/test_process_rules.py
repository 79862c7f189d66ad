"""The process as the texts set it: who is consulted, what the joint review covers, who may
return a project when, progress before money, and the checks on the money itself."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from linli.accounts.roles import Department
from linli.funding import services
from linli.funding.choices import (
    ApplicationState,
    AttachmentKind,
    MilestoneKind,
    ReviewDecision,
)
from linli.funding.testing import CallTestCase, advance, document, draft, milestone_evidence

S = ApplicationState
ALL_FIVE = [Department.CIVIL_AFFAIRS, Department.PLANNING, Department.FINANCE]


class ProcessRuleTests(CallTestCase):
    def project(self, name, state, **fields):
        return advance(self.actors, draft(self.actors.street, self.call, name, **fields), state)

    def test_enterprises_are_consulted_as_well_as_residents(self):
        """北京解读 四.2 二: 征询周边居民及辖区企业意见."""
        application = draft(self.actors.street, self.call, "未征询企业", consulted_enterprises=0)
        with self.assertRaisesMessage(ValidationError, "consultation"):
            services.application_submit(actor=self.actors.street, application=application)

    def test_the_joint_review_covers_the_five_dimensions(self):
        """四.2 三: 功能设置、规划选址、建设方式、运营管理、资金支持."""
        application = self.project("只派民政", S.DISTRICT_SUBMITTED)
        with self.assertRaisesMessage(ValidationError, "leave out"):
            services.application_assign(
                actor=self.actors.city_admin,
                application=application,
                departments=[Department.CIVIL_AFFAIRS],
            )
        application.refresh_from_db()
        self.assertEqual(application.state, S.DISTRICT_SUBMITTED)
        self.assertFalse(application.reviews.exists())

    def test_a_returned_project_is_reviewed_afresh(self):
        application = self.project("退回重审", S.JOINT_REVIEW)
        for review in application.reviews.all():
            services.review_record(
                actor=self.actors.reviewer(review.department),
                review=review,
                decision=ReviewDecision.AGREE,
                comment="",
            )
        services.application_decide(
            actor=self.actors.city_admin, application=application, decision="return",
            comment="请补充消防评估。",
        )  # fmt: skip
        services.application_submit(actor=self.actors.street, application=application)
        advance(self.actors, application, S.DISTRICT_SUBMITTED)
        services.application_assign(
            actor=self.actors.city_admin, application=application, departments=ALL_FIVE
        )
        self.assertEqual(application.reviews.count(), 6)  # five fields and the district
        self.assertFalse(application.reviews.exclude(decision=ReviewDecision.PENDING).exists())

    def test_before_the_joint_review_only_the_district_returns_a_project(self):
        application = self.project("区级审核中", S.DISTRICT_REVIEW)
        with self.assertRaises(ValidationError):
            services.application_decide(
                actor=self.actors.city_admin, application=application, decision="return",
                comment="市级退回",
            )  # fmt: skip
        application.refresh_from_db()
        self.assertEqual(application.state, S.DISTRICT_REVIEW)

    def test_a_milestone_is_recorded_once_reached(self):
        application = self.project("未来开工", S.FUND_APPROVED)
        with self.assertRaisesMessage(ValidationError, "once it is reached"):
            services.milestone_record(
                actor=self.actors.street,
                application=application,
                kind=MilestoneKind.START,
                achieved_on=timezone.localdate() + timedelta(days=30),
                evidence=milestone_evidence(self.actors.street, application),
            )
        self.assertFalse(application.milestones.exists())

    def test_estimates_are_not_negative(self):
        application = self.project("负概算", S.FS_APPROVED)
        estimates = {f.pk: Decimal("1000000") for f in application.functions.all()}
        estimates[next(iter(estimates))] = Decimal("-1")
        with self.assertRaisesMessage(ValidationError, "negative"):
            services.fund_report_save(
                actor=self.actors.street, application=application, estimates=estimates
            )

    def test_the_subsidy_is_approved_only_once_the_report_is_up(self):
        application = self.project("未上报", S.FS_APPROVED)
        with self.assertRaises(ValidationError):
            services.subsidy_approve(
                actor=self.actors.city_admin,
                application=application,
                inclusive_rate=Decimal("0.30"),
                rate_reason="理由",
                letter_no="京发改〔2026〕1号",
                approved_on=timezone.localdate(),
            )

    def test_applications_are_prepared_while_the_call_is_open(self):
        """公开征集: a call has its period; before or after it nothing new is accepted."""
        with time_machine.travel(self.call.closes_on + timedelta(days=1)):
            with self.assertRaisesMessage(ValidationError, "closed"):
                draft(self.actors.street, self.call, "截止后申报")
        with time_machine.travel(self.call.opens_on - timedelta(days=1)):
            with self.assertRaisesMessage(ValidationError, "opens on"):
                draft(self.actors.street, self.call, "开始前申报")

    def test_overruling_a_department_takes_a_reason(self):
        application = self.project("有异议", S.JOINT_REVIEW)
        for review in application.reviews.all():
            services.review_record(
                actor=self.actors.reviewer(review.department),
                review=review,
                decision=ReviewDecision.DISAGREE
                if review.department == Department.FINANCE
                else ReviewDecision.AGREE,
                comment="资金测算依据不足。" if review.department == Department.FINANCE else "",
            )
        decide = dict(actor=self.actors.city_admin, application=application, decision="select")
        with self.assertRaisesMessage(ValidationError, "disagrees"):
            services.application_decide(**decide)
        services.application_decide(**decide, comment="概算已按财政意见核减，统筹确定入选。")
        application.refresh_from_db()
        self.assertEqual(application.state, S.SELECTED)

    def test_the_approval_documents_themselves_are_attached(self):
        """RULES §3.3: 可研批复 and the 资金申请报告 are documents, not only numbers."""
        selected = self.project("无可研批复文件", S.SELECTED)
        with self.assertRaisesMessage(ValidationError, "feasibility approval"):
            services.feasibility_record(
                actor=self.actors.district,
                application=selected,
                document_no="区发改〔2026〕7号",
                approved_on=timezone.localdate(),
                approved_investment_cny=selected.total_investment_cny,
                approving_body="区发展和改革委员会",
            )
        approved = self.project("无报告文件", S.FS_APPROVED)
        services.fund_report_save(
            actor=self.actors.street,
            application=approved,
            estimates={f.pk: f.investment_cny for f in approved.functions.all()},
        )
        with self.assertRaisesMessage(ValidationError, "not attached"):
            services.fund_report_submit(actor=self.actors.district, application=approved)

    def test_a_document_counts_by_its_kind_whichever_way_it_was_added(self):
        """A 资金申请报告 (or 可研批复, or a milestone's evidence) uploaded through 添加附件
        counts: the step takes the newest document of its kind not already used."""
        selected = self.project("经添加附件上传的文件", S.SELECTED)
        feasibility = document(self.actors.district, selected, AttachmentKind.FEASIBILITY)
        approval = services.feasibility_record(
            actor=self.actors.district,
            application=selected,
            document_no="区发改〔2026〕8号",
            approved_on=timezone.localdate() - timedelta(days=40),
            approved_investment_cny=selected.total_investment_cny,
            approving_body="区发展和改革委员会",
        )
        self.assertEqual(approval.attachment, feasibility)
        services.fund_report_save(
            actor=self.actors.street,
            application=selected,
            estimates={f.pk: f.investment_cny for f in selected.functions.all()},
        )
        report = document(self.actors.street, selected, AttachmentKind.FUND_REPORT)
        services.fund_report_submit(actor=self.actors.district, application=selected)
        selected.refresh_from_db()
        self.assertEqual(
            (selected.state, selected.fund_report.attachment), (S.FUND_APP_SUBMITTED, report)
        )
        advance(self.actors, selected, S.FUND_APPROVED)
        evidence = document(self.actors.street, selected, AttachmentKind.MILESTONE)
        start = services.milestone_record(
            actor=self.actors.street,
            application=selected,
            kind=MilestoneKind.START,
            achieved_on=timezone.localdate(),
        )
        self.assertEqual(start.evidence, evidence)
        with self.assertRaisesMessage(ValidationError, "evidence"):  # used once only
            services.milestone_record(
                actor=self.actors.street,
                application=selected,
                kind=MilestoneKind.STRUCTURE,
                achieved_on=timezone.localdate(),
            )

    def test_a_save_of_the_figures_keeps_the_newest_report(self):
        approved = self.project("概算多次修改", S.FS_APPROVED)
        estimates = {f.pk: f.investment_cny for f in approved.functions.all()}
        for _version in range(2):
            report = document(self.actors.street, approved, AttachmentKind.FUND_REPORT)
            services.fund_report_save(
                actor=self.actors.street,
                application=approved,
                estimates=estimates,
                attachment=report,
            )
        services.fund_report_save(
            actor=self.actors.street, application=approved, estimates=estimates
        )
        approved.refresh_from_db()
        self.assertEqual(approved.fund_report.attachment, report)  # not the first, released one

    def test_approval_dates_run_in_order(self):
        """项目取得可研等审批手续后…: no approval before the one it rests on, none in the future."""
        reported = self.project("日期顺序", S.FUND_APP_SUBMITTED)
        before_fs = reported.feasibility.approved_on - timedelta(days=1)
        for day in (before_fs, timezone.localdate() + timedelta(days=1)):
            with self.assertRaisesMessage(ValidationError, "feasibility approval"):
                services.subsidy_approve(
                    actor=self.actors.city_admin,
                    application=reported,
                    inclusive_rate=Decimal("0.30"),
                    rate_reason="按上限补助。",
                    letter_no="京发改〔2026〕2号",
                    approved_on=day,
                )
        reported.refresh_from_db()
        self.assertEqual(reported.state, S.FUND_APP_SUBMITTED)

    def test_a_report_short_of_estimate_depth_goes_back_for_revision(self):
        """资金申请报告 达到概算深度: the city can send one back instead of leaving it stuck."""
        reported = self.project("概算深度不足", S.FUND_APP_SUBMITTED)
        with self.assertRaisesMessage(ValidationError, "revising"):
            services.fund_report_return(
                actor=self.actors.city_admin, application=reported, comment=" "
            )
        services.fund_report_return(
            actor=self.actors.city_admin,
            application=reported,
            comment="请按功能细化概算，补充工程费用明细。",
        )
        reported.refresh_from_db()
        self.assertEqual(reported.state, S.FS_APPROVED)
        advance(self.actors, reported, S.FUND_APPROVED)  # revised, reported again, approved
        self.assertTrue(hasattr(reported, "subsidy_approval"))

    def test_only_the_city_returns_a_report(self):
        reported = self.project("区级不能退回报告", S.FUND_APP_SUBMITTED)
        with self.assertRaises(PermissionDenied):
            services.fund_report_return(
                actor=self.actors.district, application=reported, comment="退回"
            )
