"""Two-factor sign-in: every official and administrator passes a TOTP code (or a recovery
code) after the password; residents do not; a first sign-in enrols an authenticator."""

from datetime import timedelta

import time_machine
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone, translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from linli.accounts import twofactor
from linli.accounts.roles import Role
from linli.accounts.testing import TEST_TOTP_KEY, code_for
from linli.audit.models import SecurityEvent
from linli.core.testing import TEST_PASSWORD, make_tree, make_user


class TwoFactorTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.tree = make_tree()
        cls.official = make_user(cls.tree, Role.CITY_ADMIN, cls.tree.city, "official")
        cls.resident = make_user(cls.tree, Role.RESIDENT, cls.tree.community_a, "resident")

    def setUp(self):
        self.enterContext(translation.override("en"))
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    def password_step(self, username="official"):
        return self.client.post(reverse("login"), {"username": username, "password": TEST_PASSWORD})

    def code_step(self, code, follow=False):
        return self.client.post(reverse("accounts:verify"), {"code": code}, follow=follow)


class TestVerify(TwoFactorTestCase):
    def test_every_official_and_administrator_role_needs_it_residents_do_not(self):
        for role in Role:
            user = make_user(self.tree, role, self.tree.city, f"u-{role}")
            self.assertEqual(twofactor.required(user), role != Role.RESIDENT, role)

    def test_the_password_alone_opens_nothing(self):
        self.password_step()
        verify = reverse("accounts:verify")
        self.assertRedirects(self.client.get(reverse("home")), verify)
        self.assertRedirects(
            self.client.get(reverse("funding:tranche_list")),
            f"{verify}?next=%2Ffunding%2Ftranches%2F",
        )
        api = self.client.get(reverse("api:jurisdiction-list"))
        self.assertEqual(api.status_code, 403)
        page = self.client.get(verify)
        self.assertNotContains(page, "Tranches")

    def test_the_right_code_completes_the_sign_in(self):
        self.password_step()
        response = self.code_step(code_for("official"), follow=True)
        self.assertEqual(response.request["PATH_INFO"], reverse("home"))
        self.assertContains(response, 'id="todo-list"')

    def test_wrong_and_replayed_codes_are_refused(self):
        self.password_step()
        self.assertContains(self.code_step("123456"), "not right")
        code = code_for("official")
        self.assertRedirects(self.code_step(code), reverse("home"))
        self.client.post(reverse("logout"))
        self.password_step()
        self.assertContains(self.code_step(code), "not right")  # a code works once
        self.assertEqual(
            SecurityEvent.objects.filter(kind="second_factor_failed", username="official").count(),
            2,
        )

    def test_repeated_wrong_codes_end_the_session(self):
        self.password_step()
        now = timezone.now()
        for attempt in range(5):
            with time_machine.travel(now + timedelta(minutes=attempt * 2)):
                response = self.code_step(f"00000{attempt}")
        self.assertRedirects(response, reverse("login"), fetch_redirect_response=False)
        self.assertFalse(self.client.session.get("_auth_user_id"))

    def test_a_recovery_code_works_once(self):
        codes = twofactor.recovery_codes_renew(user=self.official)
        self.password_step()
        self.assertRedirects(self.code_step(codes[0].upper()), reverse("home"))
        self.client.post(reverse("logout"))
        self.password_step()
        self.assertContains(self.code_step(codes[0]), "not right")
        with time_machine.travel(timezone.now() + timedelta(seconds=2)):  # past the 1 s delay
            self.assertRedirects(self.code_step(codes[1]), reverse("home"))
        self.assertEqual(twofactor.recovery_codes_left(self.official), 8)
        self.assertTrue(SecurityEvent.objects.filter(kind="recovery_code_used").exists())

    def test_residents_sign_in_with_the_password(self):
        self.password_step("resident")
        self.assertRedirects(self.client.get(reverse("home")), reverse("residents:portal"))


class TestEnrol(TwoFactorTestCase):
    def test_a_first_sign_in_sets_up_an_authenticator(self):
        TOTPDevice.objects.filter(user=self.official).delete()
        self.password_step()
        enrol = reverse("accounts:enrol")
        self.assertRedirects(self.client.get(reverse("home")), enrol)
        self.assertRedirects(
            self.client.get(reverse("accounts:verify")),
            f"{enrol}?next=%2Faccounts%2Ftwo-factor%2Fverify%2F",
        )
        page = self.client.get(enrol)
        self.assertContains(page, 'src="data:image/svg+xml')
        self.assertContains(page, 'id="totp-key"')
        device = twofactor.authenticator(self.official, confirmed=False)
        self.assertContains(self.client.post(enrol, {"code": "000000"}), "not right")
        with time_machine.travel(timezone.now() + timedelta(seconds=2)):  # past the 1 s delay
            codes_page = self.client.post(enrol, {"code": twofactor.current_code(device)})
        self.assertEqual(codes_page["Cache-Control"], "no-store")
        self.assertEqual(len(codes_page.context["codes"]), 10)
        self.assertTrue(twofactor.has_device(self.official))
        self.assertEqual(self.client.get(reverse("home")).status_code, 200)
        self.assertTrue(
            SecurityEvent.objects.filter(kind="second_factor_enrolled", user=self.official)
            .exclude(detail__has_key="prepared")
            .exists()
        )

    def test_replacing_the_authenticator_needs_a_recent_sign_in(self):
        self.client.force_login(self.official)
        enrol = reverse("accounts:enrol")
        self.assertEqual(self.client.get(enrol).status_code, 200)
        with time_machine.travel(timezone.now() + timedelta(minutes=11)):
            response = self.client.get(enrol)
            self.assertRedirects(
                response,
                f"{reverse('accounts:reauthenticate')}?next=%2Faccounts%2Ftwo-factor%2Fenrol%2F",
            )
        # The old phone keeps working until the new one is confirmed.
        self.assertEqual(twofactor.authenticator(self.official).key, TEST_TOTP_KEY)
