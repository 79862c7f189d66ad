"""Security baseline: lockout, idle timeout, password rules, security log (SEC-10..12, SEC-25)."""

from datetime import timedelta

import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from linli.accounts import services
from linli.accounts.roles import Role
from linli.audit.models import SecurityEvent
from linli.core.testing import TEST_PASSWORD, FourWayTestCase, make_user


class TestLockout(FourWayTestCase):
    def login(self, password, username="permitted"):
        return self.client.post(reverse("login"), {"username": username, "password": password})

    def test_five_wrong_passwords_lock_the_account(self):
        for _attempt in range(4):
            self.assertEqual(self.login("wrong-password").status_code, 200)
        locked = self.login("wrong-password")
        self.assertEqual(locked.status_code, 429)
        self.assertContains(locked, "锁定", status_code=429)
        kinds = list(
            SecurityEvent.objects.filter(username="permitted").values_list("kind", flat=True)
        )
        self.assertEqual(kinds.count("login_failed"), 5)
        self.assertEqual(kinds.count("lockout"), 1)
        # Even the right password is refused while locked.
        self.assertEqual(self.login(TEST_PASSWORD).status_code, 429)
        self.assertFalse(self.client.session.get("_auth_user_id"))

    def test_lock_expires_after_fifteen_minutes(self):
        for _attempt in range(5):
            self.login("wrong-password")
        with time_machine.travel(timezone.now() + timedelta(minutes=16)):
            response = self.login(TEST_PASSWORD)
            self.assertRedirects(response, reverse("home"), fetch_redirect_response=False)

    def test_four_failures_then_success_resets_the_count(self):
        for _attempt in range(4):
            self.login("wrong-password")
        self.assertEqual(self.login(TEST_PASSWORD).status_code, 302)
        self.client.logout()
        for _attempt in range(4):
            self.assertEqual(self.login("wrong-password").status_code, 200)

    def test_security_admin_unlocks_and_is_logged(self):
        for _attempt in range(5):
            self.login("wrong-password")
        security_admin = make_user(self.tree, Role.SECURITY_ADMIN, self.tree.city, "secadmin")
        self.client.force_login(security_admin)
        home = self.client.get(reverse("home"))
        self.assertContains(home, "permitted")  # the locked account is on the to-do list
        response = self.client.post(reverse("accounts:user_unlock", args=[self.permitted.pk]))
        self.assertEqual(response.status_code, 302)
        self.client.logout()
        self.assertEqual(self.login(TEST_PASSWORD).status_code, 302)
        self.assertTrue(SecurityEvent.objects.filter(kind="unlock", username="permitted").exists())

    def test_unlock_needs_the_security_admin(self):
        with self.assertRaises(PermissionDenied):
            services.user_unlock(actor=self.tree.admin, user=self.permitted)


class TestIdleTimeout(FourWayTestCase):
    def test_idle_session_is_logged_out(self):
        self.client.post(reverse("login"), {"username": "permitted", "password": TEST_PASSWORD})
        self.assertEqual(self.client.get(reverse("home")).status_code, 200)
        with time_machine.travel(timezone.now() + timedelta(minutes=31)):
            response = self.client.get(reverse("home"))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("login")))

    def test_activity_keeps_the_session_alive(self):
        self.client.post(reverse("login"), {"username": "permitted", "password": TEST_PASSWORD})
        now = timezone.now()
        for minutes in (20, 40, 60):
            with time_machine.travel(now + timedelta(minutes=minutes)):
                self.assertEqual(self.client.get(reverse("home")).status_code, 200)


class TestPasswordsAndLog(FourWayTestCase):
    def test_weak_passwords_are_refused(self):
        for weak in ("short1!", "password123", "1234567890123"):
            with self.assertRaises(ValidationError):
                services.user_create(
                    actor=self.tree.admin,
                    username=f"u{len(weak)}",
                    password=weak,
                    role=Role.RESIDENT,
                    jurisdiction=self.tree.community_a,
                )

    def test_login_and_logout_are_logged_with_address(self):
        self.client.post(
            reverse("login"),
            {"username": "permitted", "password": TEST_PASSWORD},
            REMOTE_ADDR="192.0.2.7",
        )
        self.client.post(reverse("logout"))
        events = SecurityEvent.objects.filter(username="permitted").order_by("id")
        self.assertEqual([e.kind for e in events], ["login", "logout"])
        self.assertEqual(events[0].client_ip, "192.0.2.7")

    def test_denied_access_is_logged(self):
        self.client.force_login(self.permitted)
        self.client.get(reverse("audit:auditrecord_list"))  # 403: no permission
        self.client.get(reverse("registry:jurisdiction_detail", args=[self.tree.community_b.pk]))
        denied = SecurityEvent.objects.filter(kind="access_denied", username="permitted")
        self.assertEqual(denied.count(), 2)


class TestAdministratorSeparation(FourWayTestCase):
    def test_system_admin_cannot_mint_administrators(self):
        for role in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR):
            with self.assertRaises(PermissionDenied):
                services.user_create(
                    actor=self.tree.admin,
                    username=f"x-{role}",
                    password=TEST_PASSWORD,
                    role=role,
                    jurisdiction=self.tree.city,
                )

    def test_system_admin_cannot_read_the_logs(self):
        self.client.force_login(self.tree.admin)
        self.assertEqual(self.client.get(reverse("audit:auditrecord_list")).status_code, 403)
        self.assertEqual(self.client.get(reverse("audit:securityevent_list")).status_code, 403)

    def test_account_outside_the_actors_scope_is_refused(self):
        officer_admin = make_user(self.tree, Role.STREET_OFFICER, self.tree.street_a, "street-a")
        with self.assertRaises(PermissionDenied):
            services.user_create(
                actor=officer_admin,
                username="y",
                password=TEST_PASSWORD,
                role=Role.RESIDENT,
                jurisdiction=self.tree.community_b,
            )
