"""Every service action four ways: anonymous, without the permission, permitted in scope,
permitted but outside the scope. A refused action changes nothing and audits nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import transaction

from linli.accounts.roles import Department, Role
from linli.audit.models import AuditRecord
from linli.funding import services
from linli.funding.choices import ApplicationState, AttachmentKind, MilestoneKind, ReviewDecision
from linli.funding.models import Application, Call, Tranche
from linli.funding.testing import (
    SAMPLE_FIELDS,
    document,
    milestone_evidence,
    mix_adding_up_to,
    upload,
)
from tests.funding.base import FundingWorld

S = ApplicationState


class Bases:
    """Held apart so that the bases themselves are not collected as tests."""

    class ServiceFourWay(FundingWorld):
        """Subclasses set the role that may act, the state to act in, and :meth:`act`."""

        scoped = True

        def act(self, user):
            raise NotImplementedError

        def _refused(self, user):
            audited = AuditRecord.objects.count()
            with self.assertRaises(PermissionDenied):
                self.act(user)
            self.assertEqual(AuditRecord.objects.count(), audited)

        def test_anonymous_is_refused(self):
            self._refused(AnonymousUser())

        def test_without_permission_is_refused(self):
            self._refused(self.unpermitted)

        def test_permitted_out_of_scope_is_refused(self):
            if not self.scoped:
                return
            self._refused(self.outsider)

        def test_permitted_in_scope_acts_and_audits(self):
            audited = AuditRecord.objects.count()
            self.act(self.permitted)
            self.assertGreater(AuditRecord.objects.count(), audited)

    class TrancheCase(ServiceFourWay):
        state = S.IN_CONSTRUCTION
        tranche_state: str = "requested"

        @classmethod
        def prepare(cls):
            milestone = cls.application.milestones.get()
            cls.tranche = services.tranche_request(
                actor=cls.actors.street, milestone=milestone, amount_cny=Decimal("100000")
            )
            if cls.tranche_state in ("verified", "approved"):
                services.tranche_verify(actor=cls.actors.district, tranche=cls.tranche)
            if cls.tranche_state == "approved":
                services.tranche_approve(actor=cls.actors.city_admin, tranche=cls.tranche)

        def tranche_now(self):
            return Tranche.objects.get(pk=self.tranche.pk)


class CallOpen(Bases.ServiceFourWay):
    role = Role.CITY_ADMIN
    unpermitted_role = Role.DISTRICT_OFFICER
    scoped = False

    def act(self, user):
        services.call_open(
            actor=user,
            title="第二批",
            policy_id="beijing-2024",
            opens_on=date(2026, 1, 1),
            closes_on=date(2026, 3, 1),
            budget_cny=Decimal("1000"),
            districts=[self.tree.district],
            notice="…",
        )


class CallClose(Bases.ServiceFourWay):
    role = Role.CITY_ADMIN
    unpermitted_role = Role.STREET_OFFICER
    scoped = False

    def act(self, user):
        services.call_close(actor=user, call=Call.objects.get(pk=self.call.pk))


class ApplicationCreate(Bases.ServiceFourWay):
    role = Role.STREET_OFFICER

    def act(self, user):
        services.application_create(
            actor=user,
            call=self.call,
            name="新项目",
            jurisdiction=self.tree.street_a,
            kind="scattered",
            construction="new",
            space_source="co_build",
            gross_floor_area_m2=Decimal("300"),
            total_investment_cny=Decimal("900000"),
            operating_model="self_run",
        )


class ApplicationUpdate(Bases.ServiceFourWay):
    role = Role.STREET_OFFICER

    def act(self, user):
        services.application_update(actor=user, application=self.application, name="改名")


class AttachmentAdd(Bases.ServiceFourWay):
    role = Role.STREET_OFFICER

    def act(self, user):
        services.attachment_add(
            actor=user, application=self.application, kind="safety", upload=upload("安全.pdf")
        )


class ApplicationSubmit(Bases.ServiceFourWay):
    role = Role.STREET_OFFICER
    unpermitted_role = Role.COMMUNITY_WORKER

    def act(self, user):
        services.application_submit(actor=user, application=self.application)

    def test_state_is_unchanged_after_refusal(self):
        with self.assertRaises(PermissionDenied):
            services.application_submit(actor=self.actors.street_b, application=self.application)
        self.assertEqual(Application.objects.get(pk=self.application.pk).state, S.DRAFT)


class ApplicationReturn(Bases.ServiceFourWay):
    role = Role.DISTRICT_OFFICER
    unpermitted_role = Role.STREET_OFFICER
    state = S.DISTRICT_REVIEW

    def act(self, user):
        services.application_return(actor=user, application=self.application, comment="补充材料")


class ApplicationForward(Bases.ServiceFourWay):
    role = Role.DISTRICT_OFFICER
    unpermitted_role = Role.STREET_OFFICER
    state = S.DISTRICT_REVIEW

    def act(self, user):
        services.application_forward(actor=user, applications=[self.application])


class ApplicationAssign(Bases.ServiceFourWay):
    role = Role.CITY_ADMIN
    unpermitted_role = Role.DISTRICT_OFFICER
    state = S.DISTRICT_SUBMITTED

    def act(self, user):
        services.application_assign(
            actor=user,
            application=self.application,
            departments=[Department.CIVIL_AFFAIRS, Department.PLANNING, Department.FINANCE],
        )


class ReviewRecord(Bases.ServiceFourWay):
    role = Role.CITY_DEPARTMENT
    unpermitted_role = Role.DISTRICT_OFFICER
    state = S.JOINT_REVIEW

    def act(self, user):
        review = self.application.reviews.filter(department=Department.CIVIL_AFFAIRS).first()
        services.review_record(
            actor=user,
            review=review,
            decision=ReviewDecision.AGREE_WITH_CONDITIONS,
            comment="托育用房须设在首层",
            internal_comment="与卫健委会商",
        )


class ApplicationDecide(Bases.ServiceFourWay):
    role = Role.CITY_ADMIN
    unpermitted_role = Role.CITY_DEPARTMENT
    state = S.JOINT_REVIEW

    @classmethod
    def prepare(cls):
        for review in cls.application.reviews.all():
            services.review_record(
                actor=cls.actors.reviewer(review.department),
                review=review,
                decision=ReviewDecision.AGREE,
                comment="",
            )

    def act(self, user):
        services.application_decide(actor=user, application=self.application, decision="select")


class FeasibilityRecord(Bases.ServiceFourWay):
    role = Role.DISTRICT_OFFICER
    unpermitted_role = Role.STREET_OFFICER
    state = S.SELECTED

    def act(self, user):
        with transaction.atomic():  # as the view does: the document and the step together
            services.feasibility_record(
                actor=user,
                application=self.application,
                document_no="区发改〔2026〕1号",
                approved_on=date(2026, 5, 1),
                approved_investment_cny=Decimal("5000000"),
                approving_body="区发展和改革委员会",
                attachment=document(user, self.application, AttachmentKind.FEASIBILITY),
            )


class FundReportSave(Bases.ServiceFourWay):
    role = Role.STREET_OFFICER
    state = S.FS_APPROVED

    def act(self, user):
        services.fund_report_save(
            actor=user,
            application=self.application,
            estimates={f.pk: f.investment_cny for f in self.application.functions.all()},
        )


class FundReportSubmit(Bases.ServiceFourWay):
    role = Role.DISTRICT_OFFICER
    unpermitted_role = Role.STREET_OFFICER
    state = S.FS_APPROVED

    @classmethod
    def prepare(cls):
        services.fund_report_save(
            actor=cls.actors.street,
            application=cls.application,
            estimates={f.pk: f.investment_cny for f in cls.application.functions.all()},
            attachment=document(cls.actors.street, cls.application, AttachmentKind.FUND_REPORT),
        )

    def act(self, user):
        services.fund_report_submit(actor=user, application=self.application)


class SubsidyApprove(Bases.ServiceFourWay):
    role = Role.CITY_ADMIN
    unpermitted_role = Role.DISTRICT_OFFICER
    state = S.FUND_APP_SUBMITTED

    def act(self, user):
        services.subsidy_approve(
            actor=user,
            application=self.application,
            inclusive_rate=Decimal("0.3"),
            rate_reason="普惠价格",
            letter_no="京发改〔2026〕9号",
            approved_on=date.today(),
        )


class MilestoneRecord(Bases.ServiceFourWay):
    role = Role.STREET_OFFICER
    unpermitted_role = Role.DISTRICT_OFFICER
    state = S.FUND_APPROVED

    def act(self, user):
        with transaction.atomic():  # as the view does: the evidence and the step together
            services.milestone_record(
                actor=user,
                application=self.application,
                kind=MilestoneKind.START,
                achieved_on=date(2026, 7, 1),
                evidence=milestone_evidence(user, self.application),
            )


class TrancheRequest(Bases.TrancheCase):
    role = Role.STREET_OFFICER
    unpermitted_role = Role.DISTRICT_OFFICER

    def act(self, user):
        services.tranche_request(
            actor=user, milestone=self.application.milestones.get(), amount_cny=Decimal("1000")
        )


class TrancheVerify(Bases.TrancheCase):
    role = Role.DISTRICT_OFFICER
    unpermitted_role = Role.STREET_OFFICER

    def act(self, user):
        services.tranche_verify(actor=user, tranche=self.tranche_now())


class TrancheReject(Bases.TrancheCase):
    role = Role.DISTRICT_OFFICER
    unpermitted_role = Role.STREET_OFFICER

    def act(self, user):
        services.tranche_reject(actor=user, tranche=self.tranche_now(), note="进度不符")


class TrancheApprove(Bases.TrancheCase):
    role = Role.CITY_ADMIN
    unpermitted_role = Role.DISTRICT_OFFICER
    tranche_state = "verified"

    def act(self, user):
        services.tranche_approve(actor=user, tranche=self.tranche_now())


class TrancheRelease(Bases.TrancheCase):
    role = Role.CITY_ADMIN
    unpermitted_role = Role.DISTRICT_OFFICER
    tranche_state = "approved"

    def act(self, user):
        services.tranche_release(actor=user, tranche=self.tranche_now())


class ChangeRequestCreate(Bases.ServiceFourWay):
    role = Role.STREET_OFFICER
    unpermitted_role = Role.DISTRICT_OFFICER
    state = S.FUND_APPROVED

    def act(self, user):
        services.change_request_create(
            actor=user,
            application=self.application,
            reason="增加投资",
            total_investment_cny=Decimal("5200000"),
            gross_floor_area_m2=Decimal("1000"),
            funding_mix=mix_adding_up_to(SAMPLE_FIELDS["funding_mix"], "5200000"),
        )


class ChangeRequestDecide(Bases.ServiceFourWay):
    role = Role.CITY_ADMIN
    unpermitted_role = Role.DISTRICT_OFFICER
    state = S.FUND_APPROVED

    @classmethod
    def prepare(cls):
        cls.change = services.change_request_create(
            actor=cls.actors.street,
            application=cls.application,
            reason="增加投资",
            total_investment_cny=Decimal("5200000"),
            gross_floor_area_m2=Decimal("1000"),
            funding_mix=mix_adding_up_to(SAMPLE_FIELDS["funding_mix"], "5200000"),
        )

    def act(self, user):
        services.change_request_decide(
            actor=user, change=self.change, approve=True, letter_no="京发改（审）〔2026〕9号-补1"
        )
