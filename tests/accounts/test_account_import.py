"""Importing accounts from the xlsx template: four ways, every problem at once, all or none,
new-account requests whose first halves of the codes come back once."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from linli.accounts.imports import HEADERS, SHEET
from linli.accounts.models import User
from linli.accounts.roles import Department, Role
from linli.audit.models import AuditRecord
from linli.core.testing import xlsx_rows
from tests.accounts.test_account_admin import AccountAdminTestCase


def workbook(*rows) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("accounts.xlsx", buffer.getvalue())


class TestAccountImport(AccountAdminTestCase):
    url = reverse("accounts:user_import")

    def good_file(self):
        a, community = self.tree.street_a, self.tree.community_a
        return workbook(
            ("jia-street-li", "甲街道李干事", "街道（乡镇）工作人员", None, a.code),
            ("jia-one-zhao", "甲一社区赵主任", "社区工作者", None, community.code),
        )

    def test_anonymous_and_unpermitted_are_refused(self):
        self.assertEqual(self.client.get(self.url).status_code, 302)
        self.login(self.secadmin)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.assertEqual(self.client.post(self.url, {"file": self.good_file()}).status_code, 403)
        template = reverse("accounts:user_import_template")
        self.assertEqual(self.client.get(template).status_code, 403)
        self.assertFalse(User.objects.filter(username="jia-street-li").exists())

    def test_template_has_the_columns_and_dropdowns(self):
        self.login(self.sysadmin)
        response = self.client.get(reverse("accounts:user_import_template"))
        sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        self.assertEqual(tuple(c.value for c in sheet[1]), HEADERS)
        dropdowns = " ".join(v.formula1 for v in sheet.data_validations.dataValidation)
        self.assertIn("社区工作者", dropdowns)
        self.assertNotIn("系统管理员", dropdowns)  # administrators are made at installation

    def test_permitted_asks_for_the_accounts_and_gets_first_half_codes_once(self):
        self.login(self.sysadmin)
        response = self.client.post(self.url, {"file": self.good_file()})
        self.assertEqual(response["Content-Disposition"].split(";")[0], "attachment")
        self.assertEqual(response["Cache-Control"], "no-store")  # the codes are kept nowhere
        header, *rows = xlsx_rows(response.content)
        self.assertEqual(header[-1], "开通码第一段（系统管理员）")
        self.assertEqual([row[0] for row in rows], ["jia-street-li", "jia-one-zhao"])
        for username, *_rest, code in rows:
            account = User.objects.get(username=username)
            self.assertFalse(account.is_active)
            self.assertFalse(account.has_usable_password())
            self.assertEqual(account.credential_requests.get().state, "pending")
            record = AuditRecord.objects.get(object_type="accounts.user", object_id=str(account.pk))
            self.assertNotIn(code, str(record.after))
        self.assertEqual(User.objects.get(username="jia-one-zhao").role, Role.COMMUNITY_WORKER)

    def test_every_problem_is_reported_and_nothing_is_created(self):
        self.login(self.sysadmin)
        before = User.objects.count()
        bad = workbook(
            ("officer-a", "重名", "街道（乡镇）工作人员", None, self.tree.street_a.code),
            ("twice", "", "社区工作者", None, self.tree.community_a.code),
            ("twice", "", "社区工作者", None, self.tree.community_a.code),
            ("boss", "", "系统管理员", None, self.tree.street_a.code),
            ("reviewer", "", "市级部门审查人员", None, self.tree.street_a.code),
            ("far", "", "社区工作者", None, self.tree.community_b.code),
            ("fine", "", "社区工作者", None, self.tree.community_a.code),
        )
        page = self.client.post(self.url, {"file": bad})
        self.assertEqual(page.status_code, 200)
        problems = [str(p) for p in page.context["problems"]]
        self.assertEqual(len(problems), 5, problems)
        for expected in (
            "第2行 用户名",  # taken by an existing account
            "第4行 用户名",  # twice in the file
            "第5行 角色",  # an administrator role
            "第6行 部门",  # a reviewer without a department
            "第7行 所属辖区代码",  # outside the scope
        ):
            self.assertTrue(any(p.startswith(expected) for p in problems), expected)
        self.assertEqual(User.objects.count(), before)

    def test_department_reviewers_take_their_department(self):
        self.login(self.sysadmin)
        with translation.override("zh-hans"):
            department = str(Department.FINANCE.label)  # as the template's dropdown offers it
        file = workbook(("fin-wang", "", "市级部门审查人员", department, self.tree.street_a.code))
        self.client.post(self.url, {"file": file})
        self.assertEqual(User.objects.get(username="fin-wang").department, Department.FINANCE)

    def test_a_file_that_is_not_the_template_is_refused(self):
        self.login(self.sysadmin)
        page = self.client.post(self.url, {"file": SimpleUploadedFile("x.xlsx", b"not a workbook")})
        self.assertContains(page, "not a valid xlsx file")
        book = Workbook()
        book.active.append(["用户名", "角色"])
        buffer = io.BytesIO()
        book.save(buffer)
        page = self.client.post(self.url, {"file": SimpleUploadedFile("y.xlsx", buffer.getvalue())})
        self.assertContains(page, "所属辖区代码")
