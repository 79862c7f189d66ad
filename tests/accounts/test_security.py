"""Security baseline: sign-in throttling, session limits, password rules, the security log
(SEC-10..12, SEC-25; 等保 level 3)."""

from datetime import timedelta

import time_machine
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.authtoken.models import Token

from linli.accounts import services
from linli.accounts.roles import Role
from linli.accounts.testing import code_for
from linli.audit.models import SecurityEvent
from linli.core.testing import TEST_PASSWORD, FourWayTestCase, make_user

ATTACKER, OFFICE = "192.0.2.66", "198.51.100.7"


class SignInTestCase(FourWayTestCase):
    """``permitted`` is a street officer (second factor required); ``resident`` is not."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.resident = make_user(cls.tree, Role.RESIDENT, cls.tree.community_a, "resident")

    def login(self, password, username="resident", address=ATTACKER):
        return self.client.post(
            reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
        )

    def wrong_logins(self, count, start, username="resident", address=ATTACKER, gap=1):
        """``count`` wrong passwords ``gap`` minutes apart (past any delay) from ``start``."""
        for attempt in range(count):
            with time_machine.travel(start + timedelta(minutes=gap * attempt)):
                self.login("wrong-password", username, address)
        return start + timedelta(minutes=gap * count)


class TestThrottle(SignInTestCase):
    def test_five_failures_lock_the_address_out_of_the_account(self):
        now = timezone.now()
        for attempt in range(4):
            with time_machine.travel(now + timedelta(minutes=attempt)):
                self.assertEqual(self.login("wrong-password").status_code, 200)
        with time_machine.travel(now + timedelta(minutes=4)):
            locked = self.login("wrong-password")
            self.assertEqual(locked.status_code, 429)
            self.assertContains(locked, "锁定", status_code=429)
        kinds = list(
            SecurityEvent.objects.filter(username="resident").values_list("kind", flat=True)
        )
        self.assertEqual(kinds.count("login_failed"), 5)
        self.assertEqual(kinds.count("lockout"), 1)
        with time_machine.travel(now + timedelta(minutes=5)):
            # Even the right password is refused from that address, and not counted.
            self.assertEqual(self.login(TEST_PASSWORD).status_code, 429)
            self.assertFalse(self.client.session.get("_auth_user_id"))
        self.assertEqual(
            SecurityEvent.objects.filter(username="resident", kind="login_failed").count(), 5
        )

    def test_someone_else_cannot_lock_an_official_out(self):
        """Anyone who knows a username can try it; the official still signs in."""
        now = timezone.now()
        later = self.wrong_logins(10, now, username="permitted", address=ATTACKER)
        with time_machine.travel(later):
            self.assertEqual(self.login(TEST_PASSWORD, "permitted", ATTACKER).status_code, 429)
            response = self.login(TEST_PASSWORD, "permitted", OFFICE)
            self.assertRedirects(response, reverse("home"), fetch_redirect_response=False)

    def test_failures_from_many_addresses_slow_down_guessing(self):
        now = timezone.now()
        for number in range(4):  # four attackers, one guess each, ten seconds apart
            with time_machine.travel(now + timedelta(seconds=10 * number), tick=False):
                self.login("wrong-password", "permitted", f"203.0.113.{number}")
        # After the third failure each attempt waits 1, 2, 4 … seconds after the last.
        with time_machine.travel(now + timedelta(seconds=31), tick=False):
            waited = self.login("wrong-password", "permitted", "203.0.113.99")
            self.assertEqual(waited.status_code, 429)
            self.assertContains(waited, "1 秒", status_code=429)
        event = SecurityEvent.objects.filter(kind="login_throttled").get()
        self.assertEqual(event.detail, {"reason": "account", "wait_seconds": 1})
        # The official's right password goes through after at most the maximum delay.
        with time_machine.travel(now + timedelta(seconds=30 + 30)):
            ok = self.login(TEST_PASSWORD, "permitted", OFFICE)
            self.assertRedirects(ok, reverse("home"), fetch_redirect_response=False)

    def test_one_address_trying_many_accounts_is_stopped(self):
        now = timezone.now()
        with override_settings(SIGN_IN_ADDRESS_FAILURES=6):
            for number in range(6):
                with time_machine.travel(now + timedelta(minutes=number)):
                    self.login("wrong-password", f"official-{number}", ATTACKER)
            with time_machine.travel(now + timedelta(minutes=7)):
                self.assertEqual(self.login(TEST_PASSWORD, "resident", ATTACKER).status_code, 429)
                ok = self.login(TEST_PASSWORD, "resident", OFFICE)
                self.assertRedirects(ok, reverse("home"), fetch_redirect_response=False)

    def test_lock_expires_after_fifteen_minutes(self):
        later = self.wrong_logins(5, timezone.now())
        with time_machine.travel(later + timedelta(minutes=16)):
            response = self.login(TEST_PASSWORD)
            self.assertRedirects(response, reverse("home"), fetch_redirect_response=False)

    def test_security_admin_unlocks_and_is_logged(self):
        later = self.wrong_logins(5, timezone.now())
        security_admin = make_user(self.tree, Role.SECURITY_ADMIN, self.tree.city, "secadmin")
        with time_machine.travel(later):
            self.client.force_login(security_admin)
            home = self.client.get(reverse("home"))
            self.assertContains(home, "resident")  # the locked pair is on the to-do list
            self.assertContains(home, ATTACKER)
            response = self.client.post(reverse("accounts:user_unlock", args=[self.resident.pk]))
            self.assertEqual(response.status_code, 302)
            self.client.logout()
            self.assertEqual(self.login(TEST_PASSWORD).status_code, 302)
        self.assertTrue(SecurityEvent.objects.filter(kind="unlock", username="resident").exists())

    def test_unlock_needs_the_security_admin(self):
        with self.assertRaises(PermissionDenied):
            services.user_unlock(actor=self.tree.admin, user=self.resident)


class TestSessions(SignInTestCase):
    """With the resident's account: their home is the portal."""

    def sign_in(self):
        self.client.post(reverse("login"), {"username": "resident", "password": TEST_PASSWORD})

    def test_idle_session_is_logged_out(self):
        self.sign_in()
        self.assertEqual(self.client.get(reverse("residents:portal")).status_code, 200)
        with time_machine.travel(timezone.now() + timedelta(minutes=31)):
            response = self.client.get(reverse("residents:portal"))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("login")))

    def test_page_views_within_a_minute_write_no_session_row(self):
        self.sign_in()
        self.client.get(reverse("residents:portal"))
        session = Session.objects.get()
        with time_machine.travel(timezone.now() + timedelta(seconds=30)):
            self.client.get(reverse("residents:portal"))
        self.assertEqual(Session.objects.get().expire_date, session.expire_date)
        with time_machine.travel(timezone.now() + timedelta(seconds=61)):
            self.client.get(reverse("residents:portal"))
        self.assertGreater(Session.objects.get().expire_date, session.expire_date)

    def test_activity_keeps_the_session_alive_up_to_its_maximum(self):
        self.sign_in()
        now = timezone.now()
        for minutes in range(20, 12 * 60, 20):
            with time_machine.travel(now + timedelta(minutes=minutes)):
                self.assertEqual(self.client.get(reverse("residents:portal")).status_code, 200)
        with time_machine.travel(now + timedelta(hours=12, minutes=5)):
            response = self.client.get(reverse("residents:portal"))
        self.assertTrue(response["Location"].startswith(reverse("login")))
        self.assertTrue(SecurityEvent.objects.filter(kind="session_expired").exists())


class TestPasswords(SignInTestCase):
    def setUp(self):
        self.enterContext(translation.override("en"))  # messages are asserted in English

    def test_weak_passwords_are_refused(self):
        for weak in ("short1!", "password123", "1234567890123", "onlylowercaseletters"):
            with self.assertRaises(ValidationError):
                services.set_password(self.resident, weak)

    def test_composition_needs_three_kinds_of_character(self):
        with self.assertRaisesMessage(ValidationError, "at least 3 of"):
            services.set_password(self.resident, "lowercase-and-symbols")
        services.set_password(self.resident, "Lowercase-and-symbols")

    def test_the_last_five_passwords_are_not_chosen_again(self):
        passwords = [f"Rotating-passw0rd-{n}" for n in range(5)]
        for password in passwords:
            services.password_change(user=self.resident, new_password=password)
        for password in passwords:
            with self.assertRaisesMessage(ValidationError, "last 5 passwords"):
                services.password_change(user=self.resident, new_password=password)
        # The password before those five may come back.
        services.password_change(user=self.resident, new_password=TEST_PASSWORD)

    def test_a_password_past_its_age_must_be_replaced(self):
        with time_machine.travel(timezone.now() + timedelta(days=91)):
            self.client.force_login(self.resident)
            self.assertRedirects(
                self.client.get(reverse("home")), reverse("accounts:password_change")
            )

    def test_an_api_token_does_not_work_while_a_change_is_forced(self):
        key = Token.objects.create(user=self.resident).key
        api = reverse("api:jurisdiction-list")
        self.assertEqual(self.client.get(api, HTTP_AUTHORIZATION=f"Token {key}").status_code, 200)
        self.resident.must_change_password = True
        self.resident.save()
        refused = self.client.get(api, HTTP_AUTHORIZATION=f"Token {key}")
        self.assertIn(refused.status_code, (401, 403))
        self.assertIn("更换密码", refused.json()["detail"])


class TestSecurityLog(SignInTestCase):
    def test_login_and_logout_are_logged_with_address(self):
        self.client.post(
            reverse("login"),
            {"username": "resident", "password": TEST_PASSWORD},
            REMOTE_ADDR="192.0.2.7",
        )
        self.client.post(reverse("logout"))
        events = SecurityEvent.objects.filter(
            username="resident", kind__in=["login", "logout"]
        ).order_by("id")
        self.assertEqual([e.kind for e in events], ["login", "logout"])
        self.assertEqual(events[0].client_ip, "192.0.2.7")

    def test_a_wrong_second_factor_code_is_logged(self):
        self.client.post(reverse("login"), {"username": "permitted", "password": TEST_PASSWORD})
        self.client.post(reverse("accounts:verify"), {"code": "000000"})
        self.client.post(reverse("accounts:verify"), {"code": code_for("permitted")})
        kinds = list(
            SecurityEvent.objects.filter(username="permitted").values_list("kind", flat=True)
        )
        self.assertIn("second_factor_failed", kinds)

    def test_denied_access_is_logged(self):
        self.client.force_login(self.permitted)
        self.client.get(reverse("audit:auditrecord_list"))  # 403: no permission
        self.client.get(reverse("registry:jurisdiction_detail", args=[self.tree.community_b.pk]))
        denied = SecurityEvent.objects.filter(kind="access_denied", username="permitted")
        self.assertEqual(denied.count(), 2)


class TestAdministratorSeparation(FourWayTestCase):
    def test_system_admin_cannot_mint_administrators(self):
        from linli.accounts.credentials import user_create

        for role in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR):
            with self.assertRaises(PermissionDenied):
                user_create(
                    actor=self.tree.admin,
                    username=f"x-{role}",
                    role=role,
                    jurisdiction=self.tree.city,
                )

    def test_system_admin_cannot_read_the_logs(self):
        self.client.force_login(self.tree.admin)
        self.assertEqual(self.client.get(reverse("audit:auditrecord_list")).status_code, 403)
        self.assertEqual(self.client.get(reverse("audit:securityevent_list")).status_code, 403)

    def test_account_outside_the_actors_scope_is_refused(self):
        from linli.accounts.credentials import user_create

        street_admin = make_user(self.tree, Role.SYSTEM_ADMIN, self.tree.street_a, "street-a")
        with self.assertRaises(PermissionDenied):
            user_create(
                actor=street_admin,
                username="y",
                role=Role.RESIDENT,
                jurisdiction=self.tree.community_b,
            )
