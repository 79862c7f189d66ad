"""Hypothesis over the accounts import page: any rows give a page that names each problem by
row and column, or create every account; never a server error, never some of the accounts."""

from __future__ import annotations

import io
import os

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from linli.accounts.imports import HEADERS, SHEET
from linli.accounts.models import User
from linli.accounts.roles import Role
from linli.core.testing import make_tree, make_user

_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
_CELL = st.one_of(
    st.none(),
    _TEXT,
    st.sampled_from(
        [
            "bad user name",  # spaces
            "a" * 151,  # over the 150 characters of a username
            "张" * 65,  # over the 64 of a display name
            "ok-user",
            "社区工作者",
            "街道（乡镇）工作人员",
            "系统管理员",  # administrator roles cannot be imported
            "990101001000",
            "990101002000",  # outside the administrator's scope
            "=cmd|' /C calc'!A0",
            "1e26",
        ]
    ),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
)


def _upload(rows) -> SimpleUploadedFile:
    book = Workbook()
    book.active.title = SHEET
    book.active.append(HEADERS)
    for row in rows:
        book.active.append(
            [ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("accounts.xlsx", buffer.getvalue())


class TestAccountImportNeverCrashes(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.tree = make_tree()
        cls.sysadmin = make_user(cls.tree, Role.SYSTEM_ADMIN, cls.tree.street_a, "sys-a")

    @settings(
        max_examples=int(os.environ.get("LINLI_FUZZ_EXAMPLES", 25)),
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(rows=st.lists(st.lists(_CELL, min_size=0, max_size=7), min_size=1, max_size=4))
    def test_any_rows(self, rows):
        self.client.force_login(self.sysadmin)
        before = User.objects.count()
        response = self.client.post(reverse("accounts:user_import"), {"file": _upload(rows)})
        self.assertIn(response.status_code, (200,))
        created = User.objects.count() - before
        if response["Content-Type"].startswith("application/vnd.openxmlformats"):
            non_empty = [r for r in rows if any(v not in (None, "") for v in r[:5])]
            self.assertEqual(created, len(non_empty))  # all of them…
        else:
            self.assertEqual(created, 0)  # …or none

    def test_bad_usernames_and_names_are_named_by_row_and_column(self):
        self.client.force_login(self.sysadmin)
        code = self.tree.street_a.code
        rows = [
            ("bad user name", "", "街道（乡镇）工作人员", None, code),
            ("a" * 151, "", "街道（乡镇）工作人员", None, code),
            ("good-user", "张" * 65, "街道（乡镇）工作人员", None, code),
        ]
        response = self.client.post(reverse("accounts:user_import"), {"file": _upload(rows)})
        self.assertEqual(response.status_code, 200)
        problems = [str(p) for p in response.context["problems"]]
        self.assertEqual(
            [p.split(":")[0] for p in problems], ["第2行 用户名", "第3行 用户名", "第4行 显示名称"]
        )
        self.assertFalse(User.objects.filter(username="good-user").exists())
