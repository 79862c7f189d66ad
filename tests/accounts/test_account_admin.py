"""Account administration, four ways per page: the system administrator asks for accounts and
renames them; the security administrator sets role, scope and activation; nobody edits an
administrator account on the web."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase
from django.urls import reverse
from django.utils import translation

from linli.accounts import services
from linli.accounts.models import CredentialRequest, User
from linli.accounts.roles import Role
from linli.audit.models import AuditRecord
from linli.core.testing import make_tree, make_user
from linli.web.todo import todo_for


class AccountAdminTestCase(TestCase):
    """Administrators bound to street A; an officer in street A and one in street B."""

    @classmethod
    def setUpTestData(cls):
        cls.tree = make_tree()
        a, b = cls.tree.street_a, cls.tree.street_b
        cls.sysadmin = make_user(cls.tree, Role.SYSTEM_ADMIN, a, "sys-a")
        cls.secadmin = make_user(cls.tree, Role.SECURITY_ADMIN, a, "sec-a")
        cls.officer = make_user(cls.tree, Role.STREET_OFFICER, a, "officer-a")
        cls.other = make_user(cls.tree, Role.STREET_OFFICER, b, "officer-b")

    def setUp(self):
        self.enterContext(translation.override("en"))  # messages are asserted in English
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    def login(self, user):
        self.client.force_login(user)


class TestCreate(AccountAdminTestCase):
    url = reverse("accounts:user_create")

    def post(self, **fields):
        data = {
            "username": "new-worker",
            "display_name": "新同事",
            "role": Role.COMMUNITY_WORKER,
            "jurisdiction": self.tree.community_a.pk,
            "email": "",
            **fields,
        }
        return self.client.post(self.url, data)

    def test_anonymous_is_sent_to_login(self):
        self.assertTrue(self.client.get(self.url)["Location"].startswith(reverse("login")))

    def test_without_permission_is_forbidden(self):
        for user in (self.officer, self.secadmin):
            self.login(user)
            self.assertEqual(self.client.get(self.url).status_code, 403)
            self.assertEqual(self.post().status_code, 403)
        self.assertFalse(User.objects.filter(username="new-worker").exists())

    def test_permitted_asks_for_an_account_that_does_not_work_yet(self):
        self.login(self.sysadmin)
        page = self.client.get(self.url)
        self.assertNotContains(page, 'name="password"')  # the administrator sets no password
        response = self.post()
        self.assertEqual(response["Cache-Control"], "no-store")
        self.assertContains(response, 'id="half-code"')
        account = User.objects.get(username="new-worker")
        self.assertFalse(account.is_active)
        self.assertFalse(account.has_usable_password())
        request = CredentialRequest.objects.get(user=account)
        self.assertEqual((request.kind, request.state), ("new_account", "pending"))
        record = AuditRecord.objects.get(object_type="accounts.user", object_id=str(account.pk))
        self.assertEqual(record.actor, self.sysadmin)
        titles = [str(item.title) for item in todo_for(self.secadmin)]
        self.assertIn("Approve or reject: New account · new-worker", titles)

    def test_permitted_out_of_scope_node_is_refused(self):
        self.login(self.sysadmin)
        response = self.post(jurisdiction=self.tree.community_b.pk)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Select a valid choice")
        self.assertFalse(User.objects.filter(username="new-worker").exists())

    def test_no_administrator_roles(self):
        self.login(self.sysadmin)
        self.assertContains(self.post(role=Role.SECURITY_ADMIN), "Select a valid choice")
        self.assertFalse(User.objects.filter(username="new-worker").exists())


class TestEdit(AccountAdminTestCase):
    def url(self, user):
        return reverse("accounts:user_edit", args=[user.pk])

    def test_anonymous_is_sent_to_login(self):
        self.assertEqual(self.client.get(self.url(self.officer)).status_code, 302)

    def test_without_permission_is_forbidden(self):
        self.login(self.officer)
        self.assertEqual(self.client.get(self.url(self.officer)).status_code, 403)

    def test_permitted_out_of_scope_is_not_found(self):
        for admin in (self.sysadmin, self.secadmin):
            self.login(admin)
            self.assertEqual(self.client.get(self.url(self.other)).status_code, 404)

    def test_the_system_administrator_renames_but_cannot_grant(self):
        self.login(self.sysadmin)
        page = self.client.get(self.url(self.officer))
        self.assertContains(page, 'name="display_name"')
        self.assertNotContains(page, 'name="role"')
        self.assertContains(page, 'id="request-password_reset"')
        self.client.post(
            self.url(self.officer),
            {"display_name": "甲街道王科长", "email": "", "role": Role.CITY_ADMIN},
        )
        self.officer.refresh_from_db()
        self.assertEqual(
            (self.officer.display_name, self.officer.role), ("甲街道王科长", Role.STREET_OFFICER)
        )
        with self.assertRaises(PermissionDenied):
            services.user_update(actor=self.sysadmin, user=self.officer, role=Role.CITY_ADMIN)
        with self.assertRaises(PermissionDenied):
            services.user_update(actor=self.sysadmin, user=self.officer, is_active=True)

    def test_the_security_administrator_sets_role_scope_and_activation(self):
        self.login(self.secadmin)
        page = self.client.get(self.url(self.officer))
        self.assertNotContains(page, 'name="display_name"')
        self.assertNotContains(page, 'id="request-password_reset"')
        response = self.client.post(
            self.url(self.officer),
            {
                "role": Role.COMMUNITY_WORKER,
                "department": "",
                "jurisdiction": self.tree.community_a.pk,
                "is_active": "",  # unchecked: deactivated
            },
        )
        self.assertRedirects(response, reverse("accounts:user_list"))
        self.officer.refresh_from_db()
        self.assertEqual(self.officer.role, Role.COMMUNITY_WORKER)
        self.assertEqual(self.officer.jurisdiction, self.tree.community_a)
        self.assertFalse(self.officer.is_active)
        record = AuditRecord.objects.filter(object_id=str(self.officer.pk)).latest("pk")
        self.assertEqual(record.before["role"], Role.STREET_OFFICER)
        self.assertEqual(record.after["role"], Role.COMMUNITY_WORKER)

    def test_an_account_without_a_password_is_not_switched_on_by_hand(self):
        from linli.accounts.credentials import user_create

        pending = user_create(
            actor=self.sysadmin,
            username="pending",
            role=Role.RESIDENT,
            jurisdiction=self.tree.community_a,
        ).request.user
        with self.assertRaises(ValidationError):
            services.user_update(actor=self.secadmin, user=pending, is_active=True)

    def test_nobody_edits_an_administrator_account_on_the_web(self):
        self.login(self.secadmin)
        self.assertEqual(self.client.get(self.url(self.sysadmin)).status_code, 403)
        with self.assertRaises(PermissionDenied):
            services.user_update(actor=self.secadmin, user=self.sysadmin, is_active=False)
        with self.assertRaises(PermissionDenied):
            services.user_update(actor=self.secadmin, user=self.officer, role=Role.AUDITOR)


class TestTokenRevoke(AccountAdminTestCase):
    def test_revoke_four_ways(self):
        from rest_framework.authtoken.models import Token

        Token.objects.create(user=self.officer)
        url = reverse("accounts:user_token", args=[self.officer.pk])
        self.assertTrue(self.client.post(url)["Location"].startswith(reverse("login")))
        self.login(self.secadmin)
        self.assertEqual(self.client.post(url).status_code, 403)
        self.login(self.sysadmin)
        other = reverse("accounts:user_token", args=[self.other.pk])
        self.assertEqual(self.client.post(other).status_code, 404)
        self.assertRedirects(
            self.client.post(url), reverse("accounts:user_edit", args=[self.officer.pk])
        )
        self.assertFalse(Token.objects.filter(user=self.officer).exists())
