"""A change request carries the funding mix (121号 三(八)): the project's channels add up to the
new total investment, the 资金申请报告's to the changed 概算 total, and an approved change
moves both, on the record and in the 补充批复."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError

from linli.audit.models import AuditAction, AuditRecord
from linli.funding import services
from linli.funding.choices import ApplicationState
from linli.funding.letters import supplementary_letter_html
from linli.funding.models import Application, ChangeRequest, FundReport, SupplementaryApproval
from linli.funding.testing import CallTestCase, advance, draft, mix_adding_up_to

S = ApplicationState
# testing.SAMPLE_FIELDS: 5 000 000 CNY, the 概算 the same, in three channels.
MIX = {
    "municipal_subsidy": "1950000.00",
    "district_fiscal": "2050000.00",
    "social_capital": "1000000.00",
}


class ChangeMixTests(CallTestCase):
    def funded(self, name: str) -> Application:
        return advance(self.actors, draft(self.actors.street, self.call, name), S.FUND_APPROVED)

    def change(self, application, total, rows=None, **mixes):
        return services.change_request_create(
            actor=self.actors.street,
            application=application,
            reason="取消新建电梯井，节约投资。",
            total_investment_cny=Decimal(total),
            gross_floor_area_m2=application.gross_floor_area_m2,
            functions=rows,
            **mixes,
        )

    def approve(self, change, letter_no="京发改（审）〔2026〕88号-补1"):
        return services.change_request_decide(
            actor=self.actors.city_admin, change=change, approve=True, letter_no=letter_no
        )

    def saving(self, application, cut: str) -> tuple[list, Decimal]:
        """The elderly-care 概算 lowered by ``cut``: the rows and their total."""
        rows = services._current_functions(application)
        rows[0]["estimate_cny"] -= Decimal(cut)
        return rows, sum((Decimal(r["estimate_cny"]) for r in rows), Decimal(0))

    def refused(self, key: str, call) -> str:
        with self.assertRaises(ValidationError) as refused:
            call()
        self.assertIn(key, refused.exception.message_dict)
        return " ".join(refused.exception.message_dict[key])

    def test_without_a_mix_the_current_one_must_add_up_to_the_new_total(self):
        application = self.funded("无渠道变更")
        message = self.refused("funding_mix", lambda: self.change(application, "5200000"))
        self.assertIn("adds up to 5000000.00 CNY but the new total investment is 5200000", message)
        self.assertIn("record every channel", message)
        unchanged = self.change(application, "5000000")  # the total stays: the mix too
        self.assertEqual(unchanged.funding_mix, MIX)
        self.assertEqual(unchanged.report_funding_mix, MIX)

    def test_a_mix_that_does_not_add_up_is_refused_naming_the_field(self):
        application = self.funded("渠道不符")
        message = self.refused(
            "funding_mix",
            lambda: self.change(application, "5200000", funding_mix={**MIX, "relending": "1"}),
        )
        self.assertIn("5000001.00 CNY but the new total investment is 5200000", message)
        self.refused(
            "funding_mix",
            lambda: self.change(application, "5000000", funding_mix={"lottery": "5000000"}),
        )
        self.assertFalse(application.changes.exists())

    def test_approval_moves_both_mixes_on_the_record_and_in_the_letter(self):
        application = self.funded("节约渠道")
        rows, total = self.saving(application, "1000000")
        mix = mix_adding_up_to(MIX, total)  # the district puts in 1 000 000 less
        change = self.change(application, total, rows, funding_mix=mix)
        after = {"municipal_subsidy": "1950000.00", "district_fiscal": "1050000.00",
                 "social_capital": "1000000.00"}  # fmt: skip
        self.assertEqual((change.funding_mix, change.report_funding_mix), (after, after))
        self.approve(change)
        application.refresh_from_db()
        report = FundReport.objects.get(application=application)
        self.assertEqual((application.funding_mix, report.funding_mix), (after, after))
        self.assertEqual(report.total_cny, application.total_investment_cny)
        for obj in (application, report):
            record = AuditRecord.objects.filter(
                object_type=obj._meta.label_lower, object_id=str(obj.pk), action=AuditAction.UPDATE
            ).latest("pk")
            self.assertEqual(
                (record.before["funding_mix"], record.after["funding_mix"]), (MIX, after)
            )
        supplement = SupplementaryApproval.objects.get(change=change)
        self.assertEqual(supplement.previous_funding_mix, MIX)
        letter = supplementary_letter_html(supplement)
        self.assertIn("变更后项目资金来源", letter)
        for figure in (
            "区级财政投入",
            "2,050,000.00",
            "1,050,000.00",
            "5,000,000.00",
            "4,000,000.00",
        ):
            self.assertIn(figure, letter)
        self.assertNotIn("资金申请报告（概算）资金来源", letter)  # the same mix: said once

    def test_when_the_estimate_is_not_the_total_the_report_carries_its_own_mix(self):
        application = self.funded("概算不等")
        # 概算 4 900 000; the total 5 300 000 (other costs outside the itemised estimate)
        rows, estimated = self.saving(application, "100000")
        mix = mix_adding_up_to(MIX, "5300000")
        message = self.refused(
            "report_funding_mix", lambda: self.change(application, "5300000", rows, funding_mix=mix)
        )
        self.assertIn("changed estimated total (概算) is 4900000.00", message)
        report_mix = mix_adding_up_to(MIX, estimated)
        change = self.change(
            application, "5300000", rows, funding_mix=mix, report_funding_mix=report_mix
        )
        self.approve(change)
        application.refresh_from_db()
        report = FundReport.objects.get(application=application)
        self.assertEqual(application.funding_mix["district_fiscal"], "2350000.00")
        self.assertEqual(report.funding_mix["district_fiscal"], "1950000.00")
        self.assertEqual(report.total_cny, Decimal("4900000.00"))
        letter = supplementary_letter_html(SupplementaryApproval.objects.get(change=change))
        self.assertIn("资金申请报告（概算）资金来源", letter)
        self.assertIn("1,950,000.00", letter)

    def test_when_the_estimate_is_the_total_the_report_takes_the_same_mix(self):
        application = self.funded("概算相等")
        rows, total = self.saving(application, "500000")
        mix = mix_adding_up_to(MIX, total)
        other = {"district_fiscal": total}  # adds up, but is not the project's mix
        message = self.refused(
            "report_funding_mix",
            lambda: self.change(
                application, total, rows, funding_mix=mix, report_funding_mix=other
            ),
        )
        self.assertIn("leave the report's mix blank", message)
        change = self.change(application, total, rows, funding_mix=mix)
        self.assertEqual(change.report_funding_mix, change.funding_mix)

    def test_the_municipal_subsidy_is_not_drawn_twice_through_a_change(self):
        first, second = self.funded("首轮项目"), self.funded("同一项目再轮")
        pending = self.change(second, "5000000")
        # the same project in two rounds, both funded (as the fidelity test builds it)
        Application.objects.filter(pk=second.pk).update(carried_from=first)
        second.refresh_from_db()
        with self.assertRaisesMessage(ValidationError, "cannot draw it twice"):
            self.change(second, "5000000")
        with self.assertRaisesMessage(ValidationError, "cannot draw it twice"):
            self.approve(pending)

    def test_a_change_from_before_mixes_were_kept(self):
        application = self.funded("旧变更")
        waiting = self.change(application, "5000000")
        ChangeRequest.objects.filter(pk=waiting.pk).update(funding_mix={}, report_funding_mix={})
        waiting.refresh_from_db()
        message = self.refused("funding_mix", lambda: self.approve(waiting))
        self.assertIn("new total investment is 5000000.00 CNY", message)
        # an approved one: its letter reads as it was issued, without a mix
        approved = self.change(application, "5000000")
        self.approve(approved, "补2")
        ChangeRequest.objects.filter(pk=approved.pk).update(funding_mix={}, report_funding_mix={})
        letter = supplementary_letter_html(SupplementaryApproval.objects.get(change=approved))
        self.assertNotIn("资金来源", letter)
        self.assertIn("三、已下达资金", letter)

    def test_a_changed_estimate_above_the_feasibility_approval_is_refused(self):
        application = self.funded("超可研变更")
        approved = application.feasibility.approved_investment_cny
        rows = services._current_functions(application)
        rows[0]["estimate_cny"] += approved  # now certainly above the 可研批复
        message = self.refused(
            "functions", lambda: self.change(application, approved * 2, rows=rows)
        )
        self.assertIn("可研批复", message)
        self.assertFalse(ChangeRequest.objects.filter(application=application).exists())
