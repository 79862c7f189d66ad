"""Shared test fixtures and the four-way permission test bases.

Every view and API endpoint is tested four ways (NetBox's model): anonymous, signed in
without the permission, permitted, and permitted but outside the user's data scope.
Subclasses name the URL, the roles and how to make an object inside and outside scope.
Test data is made through the services, so the audit trail is exercised everywhere.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook

from linli.accounts import twofactor
from linli.accounts.credentials import account_open
from linli.accounts.models import User
from linli.accounts.roles import Department, Role
from linli.accounts.services import ADMINISTRATOR_ROLES, user_create_administrator
from linli.accounts.testing import give_authenticator
from linli.registry.models import Jurisdiction, Level
from linli.registry.services import jurisdiction_create, jurisdiction_create_root

TEST_PASSWORD = "a-Strong-test-password-42"


@dataclass
class TestTree:
    """市 → 区 → two streets (A in scope of the test users, B outside) → a community each."""

    city: Jurisdiction
    district: Jurisdiction
    street_a: Jurisdiction
    street_b: Jurisdiction
    community_a: Jurisdiction
    community_b: Jurisdiction
    admin: User  # the system administrator, who asks for the test accounts
    security_admin: User  # who approves them


def make_tree() -> TestTree:
    city = jurisdiction_create_root(name="测试市", code="990000000000")
    admin = user_create_administrator(
        username="sysadmin", password=TEST_PASSWORD, role=Role.SYSTEM_ADMIN, jurisdiction=city
    )
    security_admin = user_create_administrator(
        username="tree-secadmin",
        password=TEST_PASSWORD,
        role=Role.SECURITY_ADMIN,
        jurisdiction=city,
    )
    give_authenticator(admin)
    give_authenticator(security_admin)

    def child(parent, name, level, code):
        return jurisdiction_create(actor=admin, parent=parent, name=name, level=level, code=code)

    district = child(city, "测试区", Level.DISTRICT, "990100000000")
    street_a = child(district, "甲街道", Level.STREET, "990101001000")
    street_b = child(district, "乙街道", Level.STREET, "990101002000")
    return TestTree(
        city=city,
        district=district,
        street_a=street_a,
        street_b=street_b,
        community_a=child(street_a, "甲一社区", Level.COMMUNITY, "990101001001"),
        community_b=child(street_b, "乙一社区", Level.COMMUNITY, "990101002001"),
        admin=admin,
        security_admin=security_admin,
    )


def make_user(
    tree: TestTree,
    role: str,
    jurisdiction: Jurisdiction,
    username: str | None = None,
    department: str | None = None,
) -> User:
    """A working account, made the way the platform makes one: an administrator at bootstrap,
    anyone else asked for by the system administrator, approved by the security administrator,
    password set by its user with both codes. Roles that need it get the test authenticator."""
    fields = dict(
        username=username or f"{role}-{jurisdiction.code}",
        role=role,
        jurisdiction=jurisdiction,
        department=department
        if department is not None
        else (Department.CIVIL_AFFAIRS if role == Role.CITY_DEPARTMENT else ""),
    )
    if role in ADMINISTRATOR_ROLES:
        user = user_create_administrator(password=TEST_PASSWORD, **fields)
    else:
        user = account_open(
            requested_by=tree.admin,
            approved_by=tree.security_admin,
            password=TEST_PASSWORD,
            **fields,
        )
    if twofactor.required(user):
        give_authenticator(user)
    return user


def xlsx_rows(content: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


class FourWayTestCase(TestCase):
    """Sets up the tree and two users bound to street A: one permitted, one not.

    ``permitted_role`` holds the permission under test, ``unpermitted_role`` does not;
    both see street A only, so street B's objects are out of scope for them.
    """

    permitted_role: str = Role.STREET_OFFICER
    unpermitted_role: str = Role.AUDITOR
    scope_level: str = "street_a"

    @classmethod
    def setUpTestData(cls):
        cls.tree = make_tree()
        scope = getattr(cls.tree, cls.scope_level)
        cls.permitted = make_user(cls.tree, cls.permitted_role, scope, "permitted")
        cls.unpermitted = make_user(cls.tree, cls.unpermitted_role, scope, "unpermitted")

    def in_scope(self):
        raise NotImplementedError

    def out_of_scope(self):
        raise NotImplementedError


class ViewTestCases:
    """Four-way tests for HTML views (anonymous → login redirect, 403, 200, 404/absent)."""

    class DetailView(FourWayTestCase):
        url_name: str

        def url(self, obj) -> str:
            return reverse(self.url_name, args=[obj.pk])

        def test_anonymous_is_sent_to_login(self):
            response = self.client.get(self.url(self.in_scope()))
            self.assertEqual(response.status_code, 302)
            self.assertTrue(response["Location"].startswith(reverse("login")))

        def test_without_permission_is_forbidden(self):
            self.client.force_login(self.unpermitted)
            self.assertEqual(self.client.get(self.url(self.in_scope())).status_code, 403)

        def test_permitted_in_scope_is_shown(self):
            self.client.force_login(self.permitted)
            response = self.client.get(self.url(self.in_scope()))
            self.assertEqual(response.status_code, 200)
            self.assertContains(response, str(self.in_scope()))

        def test_permitted_out_of_scope_is_not_found(self):
            self.client.force_login(self.permitted)
            self.assertEqual(self.client.get(self.url(self.out_of_scope())).status_code, 404)

    class ListView(FourWayTestCase):
        url_name: str

        def test_anonymous_is_sent_to_login(self):
            response = self.client.get(reverse(self.url_name))
            self.assertEqual(response.status_code, 302)
            self.assertTrue(response["Location"].startswith(reverse("login")))

        def test_without_permission_is_forbidden(self):
            self.client.force_login(self.unpermitted)
            self.assertEqual(self.client.get(reverse(self.url_name)).status_code, 403)
            self.assertEqual(
                self.client.get(reverse(self.url_name), {"export": "xlsx"}).status_code, 403
            )

        def test_permitted_lists_only_its_scope(self):
            self.client.force_login(self.permitted)
            response = self.client.get(reverse(self.url_name))
            self.assertEqual(response.status_code, 200)
            self.assertContains(response, str(self.in_scope()))
            self.assertNotContains(response, str(self.out_of_scope()))

        def test_export_holds_only_its_scope(self):
            self.client.force_login(self.permitted)
            response = self.client.get(reverse(self.url_name), {"export": "xlsx"})
            self.assertEqual(response.status_code, 200)
            cells = {str(cell) for row in xlsx_rows(response.content) for cell in row}
            self.assertIn(str(self.in_scope()), cells)
            self.assertNotIn(str(self.out_of_scope()), cells)


class APITestCases:
    """Four-way tests for REST endpoints (anonymous → 401/403, 403, 200, 404/absent)."""

    class Endpoint(FourWayTestCase):
        basename: str

        def detail_url(self, obj) -> str:
            return reverse(f"api:{self.basename}-detail", args=[obj.pk])

        def list_url(self) -> str:
            return reverse(f"api:{self.basename}-list")

        def test_anonymous_is_refused(self):
            self.assertIn(self.client.get(self.list_url()).status_code, (401, 403))
            self.assertIn(self.client.get(self.detail_url(self.in_scope())).status_code, (401, 403))

        def test_without_permission_is_forbidden(self):
            self.client.force_login(self.unpermitted)
            self.assertEqual(self.client.get(self.list_url()).status_code, 403)
            self.assertEqual(self.client.get(self.detail_url(self.in_scope())).status_code, 403)

        def test_permitted_in_scope(self):
            self.client.force_login(self.permitted)
            self.assertEqual(self.client.get(self.detail_url(self.in_scope())).status_code, 200)
            ids = {row["id"] for row in self.client.get(self.list_url()).json()["results"]}
            self.assertIn(self.in_scope().pk, ids)
            self.assertNotIn(self.out_of_scope().pk, ids)

        def test_permitted_out_of_scope_is_not_found(self):
            self.client.force_login(self.permitted)
            self.assertEqual(self.client.get(self.detail_url(self.out_of_scope())).status_code, 404)
