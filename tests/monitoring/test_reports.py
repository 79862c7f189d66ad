"""Periodic reports: the 调度表 as xlsx (read back) and PDF (text and ink), on demand, from the
command for cron, the history kept; the pages four ways."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from linli.accounts.roles import Role
from linli.core.testing import make_user
from linli.funding import services as funding
from linli.funding.choices import MilestoneKind
from linli.monitoring.models import Period, PeriodicReport
from linli.monitoring.reports import period_bounds, previous_period, report_generate
from linli.registry.models import Level
from linli.registry.services import jurisdiction_create
from tests.monitoring.base import ProgrammeTestCase

pdfium = pytest.importorskip("pypdfium2")


def pdf_text(content: bytes) -> str:
    document = pdfium.PdfDocument(content)
    return "".join(page.get_textpage().get_text_range() for page in document).replace("\r\n", "")


class PeriodTests(ProgrammeTestCase):
    def test_bounds(self):
        on = date(2026, 5, 17)
        self.assertEqual(period_bounds(Period.MONTHLY, on), (date(2026, 5, 1), date(2026, 5, 31)))
        self.assertEqual(period_bounds(Period.QUARTERLY, on), (date(2026, 4, 1), date(2026, 6, 30)))
        self.assertEqual(period_bounds(Period.ANNUAL, on), (date(2026, 1, 1), date(2026, 12, 31)))
        self.assertEqual(
            previous_period(Period.QUARTERLY, date(2026, 1, 3)),
            (date(2025, 10, 1), date(2025, 12, 31)),
        )
        self.assertEqual(
            period_bounds(Period.QUARTERLY, date(2026, 11, 2)),
            (date(2026, 10, 1), date(2026, 12, 31)),
        )


class ReportTests(ProgrammeTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        start = cls.operating.milestones.get(kind=MilestoneKind.START)
        tranche = funding.tranche_request(
            actor=cls.actors.street, milestone=start, amount_cny=Decimal("300000.00")
        )
        funding.tranche_verify(actor=cls.actors.district, tranche=tranche)
        funding.tranche_approve(actor=cls.actors.city_admin, tranche=tranche)
        funding.tranche_release(actor=cls.actors.city_admin, tranche=tranche)
        cls.report = report_generate(
            actor=cls.actors.city_admin,
            jurisdiction=cls.tree.city,
            period=Period.MONTHLY,
            on=date.today(),
        )

    def test_xlsx_has_the_layout_of_the_schedule_table(self):
        sheet = load_workbook(io.BytesIO(bytes(self.report.xlsx))).active
        self.assertIn("调度表", sheet["A1"].value)
        self.assertIn("月报", sheet["A1"].value)
        groups = [sheet.cell(3, c).value for c in range(1, sheet.max_column + 1)]
        self.assertEqual(
            [g for g in groups if g], ["项目基本情况", "建设进度", "资金（万元）", "服务能力"]
        )
        headers = [sheet.cell(4, c).value for c in range(1, sheet.max_column + 1)]
        for header in ("项目名称", "开工", "投入运营", "批复补助", "本期下达", "托位"):
            self.assertIn(header, headers)
        names = [sheet.cell(r, 2).value for r in range(5, sheet.max_row + 1)]
        # one row per project past the draft (four), then the total
        self.assertEqual(
            sorted(names[:-1]),
            sorted(
                [
                    "甲一社区邻里中心",
                    "甲一社区养老托育综合体",
                    "甲一社区一老一小服务站",
                    "乙一社区嵌入式服务综合体",
                ]
            ),
        )
        self.assertEqual(names[-1], "合计")
        self.assertEqual(self.report.projects, 4)
        column = {h: i + 1 for i, h in enumerate(headers)}
        last = sheet.max_row
        approved = sum(
            (Decimal(str(sheet.cell(r, column["批复补助"]).value)) for r in range(5, last)),
            Decimal(0),
        )
        self.assertEqual(Decimal(str(sheet.cell(last, column["批复补助"]).value)), approved)
        in_period = Decimal(str(sheet.cell(last, column["本期下达"]).value))
        self.assertEqual(in_period, Decimal("30.00"))  # 300 000 元 = 30 万元
        row = names.index("甲一社区养老托育综合体") + 5
        self.assertTrue(str(sheet.cell(row, column["进度"]).value).startswith("滞后"))

    def test_pdf_reads_back_in_chinese_and_is_inked(self):
        text = pdf_text(bytes(self.report.pdf))
        self.assertIn("城市社区嵌入式服务设施建设工程调度表", text)
        self.assertIn("甲一社区养老托育综合体", text)
        self.assertIn("本期下达", text)
        self.assertNotIn("\ufffd", text)
        page = pdfium.PdfDocument(bytes(self.report.pdf))[0]
        image = page.render(scale=1).to_pil().convert("L")
        dark = sum(image.histogram()[:128])
        self.assertGreater(dark, 2000)

    def test_command_for_cron_keeps_history(self):
        out = io.StringIO()
        call_command(
            "monitoring_report",
            period="quarterly",
            username=self.actors.city_admin.username,
            stdout=out,
        )
        reports = PeriodicReport.objects.filter(period=Period.QUARTERLY)
        # the city and its district, for the last complete quarter
        self.assertEqual({r.jurisdiction for r in reports}, {self.tree.city, self.tree.district})
        start, end = previous_period(Period.QUARTERLY, date.today())
        self.assertTrue(all(r.period_start == start and r.period_end == end for r in reports))
        call_command(
            "monitoring_report",
            period="quarterly",
            username=self.actors.city_admin.username,
            stdout=out,
        )
        self.assertEqual(PeriodicReport.objects.filter(period=Period.QUARTERLY).count(), 4)
        self.assertIn("测试区", out.getvalue())


class ReportViewTests(ProgrammeTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.other_district = jurisdiction_create(
            actor=cls.tree.admin,
            parent=cls.tree.city,
            name="外区",
            level=Level.DISTRICT,
            code="990200000000",
        )
        cls.auditor = make_user(cls.tree, Role.AUDITOR, cls.tree.district, "rep-auditor")
        cls.outside = report_generate(
            actor=cls.actors.city_admin,
            jurisdiction=cls.other_district,
            period=Period.ANNUAL,
            on=date.today(),
        )
        cls.inside = report_generate(
            actor=cls.actors.district,
            jurisdiction=cls.tree.district,
            period=Period.MONTHLY,
            on=date.today(),
        )

    def test_anonymous_is_sent_to_login(self):
        for url in (
            reverse("monitoring:report_list"),
            reverse("monitoring:report_download", args=[self.inside.pk, "pdf"]),
        ):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 302)

    def test_without_permission_is_forbidden(self):
        self.client.force_login(self.auditor)
        self.assertEqual(self.client.get(reverse("monitoring:report_list")).status_code, 403)
        url = reverse("monitoring:report_download", args=[self.inside.pk, "xlsx"])
        self.assertEqual(self.client.get(url).status_code, 403)
        response = self.client.post(
            reverse("monitoring:report_create"),
            {"jurisdiction": self.tree.district.pk, "period": "monthly", "on": "2026-11-01"},
        )
        self.assertEqual(response.status_code, 403)

    def test_permitted_generates_and_downloads(self):
        self.client.force_login(self.actors.district)
        response = self.client.post(
            reverse("monitoring:report_create"),
            {"jurisdiction": self.tree.district.pk, "period": "quarterly", "on": "2026-11-01"},
        )
        self.assertEqual(response.status_code, 302)
        made = PeriodicReport.objects.latest("pk")
        self.assertEqual(
            (made.period_start, made.created_by), (date(2026, 10, 1), self.actors.district)
        )
        listing = self.client.get(reverse("monitoring:report_list"))
        self.assertContains(listing, reverse("monitoring:report_download", args=[made.pk, "xlsx"]))
        pdf = self.client.get(reverse("monitoring:report_download", args=[made.pk, "pdf"]))
        self.assertEqual(pdf["Content-Type"], "application/pdf")

    def test_out_of_scope_is_absent_and_not_found(self):
        self.client.force_login(self.actors.district)
        listing = self.client.get(reverse("monitoring:report_list"))
        self.assertNotContains(listing, "外区")
        url = reverse("monitoring:report_download", args=[self.outside.pk, "pdf"])
        self.assertEqual(self.client.get(url).status_code, 404)
        response = self.client.post(
            reverse("monitoring:report_create"),
            {"jurisdiction": self.other_district.pk, "period": "monthly", "on": "2026-11-01"},
        )
        self.assertEqual(response.status_code, 302)
        self.assertFalse(
            PeriodicReport.objects.filter(
                jurisdiction=self.other_district, period="monthly"
            ).exists()
        )
