"""Helpers for the registry import and export tests: files written from rows, a counter of
everything an import could change."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from django.test import TestCase
from openpyxl import Workbook

from linli.accounts.roles import Role
from linli.audit.models import AuditRecord
from linli.core.testing import make_tree, make_user
from linli.registry.columns import SPECS
from linli.registry.models import (
    CandidateSite,
    Community,
    Compound,
    Facility,
    FacilityFunction,
    Jurisdiction,
    Operator,
)
from linli.validators import uscc_check_digit

COUNTED = (
    Jurisdiction,
    Community,
    Compound,
    Operator,
    Facility,
    FacilityFunction,
    CandidateSite,
    AuditRecord,
)


def uscc(serial: int) -> str:
    first17 = f"91990101MA{serial:07d}"
    return first17 + uscc_check_digit(first17)


def headers(kind: str) -> list[str]:
    return [column.zh for column in SPECS[kind].columns]


def write_xlsx(path: Path, rows: list[list], title: str = "Sheet") -> Path:
    workbook = Workbook()
    workbook.active.title = title
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)
    return path


class ImportTestCase(TestCase):
    """A street officer of street A (甲街道), with street B outside the scope."""

    @classmethod
    def setUpTestData(cls):
        cls.tree = make_tree()
        cls.officer = make_user(cls.tree, Role.STREET_OFFICER, cls.tree.street_a, "officer")

    def setUp(self):
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.folder = Path(folder.name)

    def xlsx(self, rows: list[list], name: str = "data.xlsx") -> Path:
        return write_xlsx(self.folder / name, rows)

    def csv(self, rows: list[list], name: str = "data.csv", encoding: str = "utf-8") -> Path:
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        (self.folder / name).write_bytes(buffer.getvalue().encode(encoding))
        return self.folder / name

    def counts(self) -> dict[str, int]:
        return {model.__name__: model.objects.count() for model in COUNTED}

    def assert_nothing_changed(self, before: dict[str, int]) -> None:
        self.assertEqual(self.counts(), before)

    def community_row(self, code="990101001002", name="甲二社区", **values) -> list:
        row = {
            "街道代码": "990101001000",
            "街道名称": "甲街道",
            "社区代码": code,
            "社区名称": name,
            "户数": 1000,
            "常住人口": 2800,
            "0-2岁人口": 60,
            "3-5岁人口": 70,
            "6-12岁人口": 200,
            "60岁及以上人口": 600,
            "80岁及以上人口": 100,
            "社区综合服务设施面积(m²)": 650.5,
            "中心点经度": 113.6,
            "中心点纬度": 34.75,
            "试点社区": "否",
        }
        row.update(values)
        return [row[h] for h in headers("community")]
