"""Account administration, four ways per page, and the separation of the three administrators:
the system administrator creates accounts (inactive), renames them, resets passwords and issues
API tokens; the security administrator sets role, scope and activation; nobody edits an
administrator account on the web."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.test import TestCase
from django.urls import reverse
from django.utils import translation
from rest_framework.authtoken.models import Token

from linli.accounts import services
from linli.accounts.models import User
from linli.accounts.roles import Role
from linli.audit.models import AuditRecord, SecurityEvent
from linli.core.testing import TEST_PASSWORD, make_tree, make_user
from linli.web.todo import todo_for

NEW_PASSWORD = "Another-strong-passw0rd"


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
            "password": NEW_PASSWORD,
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

    def test_permitted_creates_an_inactive_audited_account(self):
        self.login(self.sysadmin)
        self.assertRedirects(self.post(), reverse("accounts:user_list"))
        account = User.objects.get(username="new-worker")
        self.assertFalse(account.is_active)  # the security administrator activates it
        self.assertTrue(account.check_password(NEW_PASSWORD))
        record = AuditRecord.objects.get(object_type="accounts.user", object_id=str(account.pk))
        self.assertNotIn(NEW_PASSWORD, str(record.after))
        titles = [str(item.title) for item in todo_for(self.secadmin)]
        self.assertIn("Check and activate account: new-worker", titles)

    def test_permitted_out_of_scope_node_is_refused(self):
        self.login(self.sysadmin)
        response = self.post(jurisdiction=self.tree.community_b.pk)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Select a valid choice")
        self.assertFalse(User.objects.filter(username="new-worker").exists())

    def test_no_administrator_roles_and_no_weak_passwords(self):
        self.login(self.sysadmin)
        self.assertContains(self.post(role=Role.SECURITY_ADMIN), "Select a valid choice")
        self.assertContains(self.post(password="123456"), "too short")
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
        self.client.post(
            self.url(self.officer), {"display_name": "甲街道王科长", "role": Role.CITY_ADMIN}
        )
        self.officer.refresh_from_db()
        self.assertEqual(
            (self.officer.display_name, self.officer.role), ("甲街道王科长", Role.STREET_OFFICER)
        )
        with self.assertRaises(PermissionDenied):
            services.user_update(actor=self.sysadmin, user=self.officer, role=Role.CITY_ADMIN)

    def test_the_security_administrator_sets_role_scope_and_activation(self):
        self.login(self.secadmin)
        page = self.client.get(self.url(self.officer))
        self.assertNotContains(page, 'name="display_name"')
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

    def test_nobody_edits_an_administrator_account_on_the_web(self):
        self.login(self.secadmin)
        self.assertEqual(self.client.get(self.url(self.sysadmin)).status_code, 403)
        with self.assertRaises(PermissionDenied):
            services.user_update(actor=self.secadmin, user=self.sysadmin, is_active=False)
        with self.assertRaises(PermissionDenied):
            services.user_update(actor=self.secadmin, user=self.officer, role=Role.AUDITOR)


class TestPasswordsAndTokens(AccountAdminTestCase):
    def test_reset_four_ways(self):
        url = reverse("accounts:user_password", args=[self.officer.pk])
        self.assertEqual(self.client.get(url).status_code, 302)
        self.login(self.secadmin)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.login(self.sysadmin)
        other = reverse("accounts:user_password", args=[self.other.pk])
        self.assertEqual(self.client.get(other).status_code, 404)
        self.assertContains(self.client.post(url, {"new_password": "password"}), "too common")
        self.client.post(url, {"new_password": NEW_PASSWORD})
        self.officer.refresh_from_db()
        self.assertTrue(self.officer.check_password(NEW_PASSWORD))
        event = SecurityEvent.objects.get(kind="password_reset")
        self.assertEqual((event.user, event.detail["by"]), (self.officer, "sys-a"))

    def test_a_token_is_shown_once_works_and_can_be_revoked(self):
        url = reverse("accounts:user_token", args=[self.officer.pk])
        self.login(self.secadmin)
        self.assertEqual(self.client.post(url).status_code, 403)
        self.login(self.sysadmin)
        self.assertEqual(
            self.client.post(reverse("accounts:user_token", args=[self.other.pk])).status_code, 404
        )
        page = self.client.post(url, {"action": "issue"})
        key = Token.objects.get(user=self.officer).key
        self.assertContains(page, key)
        self.assertEqual(page["Cache-Control"], "no-store")
        self.assertNotIn(key, str(list(SecurityEvent.objects.values_list("detail", flat=True))))
        self.client.logout()
        api = reverse("api:jurisdiction-list")
        self.assertEqual(self.client.get(api, HTTP_AUTHORIZATION=f"Token {key}").status_code, 200)
        self.login(self.sysadmin)
        self.client.post(url, {"action": "revoke"})
        self.client.logout()
        refused = self.client.get(api, HTTP_AUTHORIZATION=f"Token {key}")
        self.assertIn(refused.status_code, (401, 403))
        self.assertIn("Invalid token", refused.json()["detail"])
        kinds = list(SecurityEvent.objects.filter(user=self.officer).values_list("kind", flat=True))
        self.assertIn("token_issued", kinds)
        self.assertIn("token_revoked", kinds)

    def test_everyone_changes_their_own_password(self):
        url = reverse("accounts:password_change")
        self.assertEqual(self.client.get(url).status_code, 302)
        self.login(self.officer)
        wrong = self.client.post(
            url,
            {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
        self.assertContains(wrong, "incorrect")
        response = self.client.post(
            url,
            {
                "old_password": TEST_PASSWORD,
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
        )
        self.assertRedirects(response, reverse("home"))
        self.assertEqual(self.client.get(reverse("home")).status_code, 200)  # still signed in
        self.officer.refresh_from_db()
        self.assertTrue(self.officer.check_password(NEW_PASSWORD))
        self.assertTrue(
            SecurityEvent.objects.filter(kind="password_changed", user=self.officer).exists()
        )


class TestPasswordsChosenByAnAdministrator(AccountAdminTestCase):
    """等保: a password an administrator chose is replaced before anything else is done."""

    def test_a_new_account_replaces_its_initial_password_first(self):
        self.login(self.sysadmin)
        self.client.post(
            reverse("accounts:user_create"),
            {
                "username": "first-login",
                "role": Role.COMMUNITY_WORKER,
                "jurisdiction": self.tree.community_a.pk,
                "password": NEW_PASSWORD,
            },
        )
        account = User.objects.get(username="first-login")
        self.assertTrue(account.must_change_password)
        services.user_update(actor=self.secadmin, user=account, is_active=True)

        self.client.logout()
        signed_in = self.client.post(
            reverse("login"), {"username": "first-login", "password": NEW_PASSWORD}
        )
        self.assertEqual(signed_in.status_code, 302)
        password_page = reverse("accounts:password_change")
        for url in (reverse("home"), reverse("registry:community_list")):
            self.assertRedirects(self.client.get(url), password_page)
        self.client.post(
            password_page,
            {
                "old_password": NEW_PASSWORD,
                "new_password1": "Her-own-passw0rd-2026",
                "new_password2": "Her-own-passw0rd-2026",
            },
        )
        account.refresh_from_db()
        self.assertFalse(account.must_change_password)
        self.assertEqual(self.client.get(reverse("home")).status_code, 200)

    def test_a_reset_password_must_be_replaced_too(self):
        services.password_reset(actor=self.sysadmin, user=self.officer, new_password=NEW_PASSWORD)
        self.officer.refresh_from_db()
        self.assertTrue(self.officer.must_change_password)
        self.login(self.officer)
        self.assertRedirects(self.client.get(reverse("home")), reverse("accounts:password_change"))
        self.assertEqual(self.client.post(reverse("logout")).status_code, 302)  # may sign out
