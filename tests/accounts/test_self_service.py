"""A user's own account: the account page, re-authentication before sensitive changes (and its
rate limit), changing one's password, a password that must be replaced first."""

from datetime import timedelta

import time_machine
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone, translation

from linli.accounts.roles import Role
from linli.accounts.testing import code_for
from linli.audit.models import SecurityEvent
from linli.core.testing import TEST_PASSWORD, make_tree, make_user

NEW_PASSWORD = "Another-strong-passw0rd"


class SelfServiceTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.tree = make_tree()
        cls.officer = make_user(cls.tree, Role.STREET_OFFICER, cls.tree.street_a, "officer")
        cls.colleague = make_user(cls.tree, Role.STREET_OFFICER, cls.tree.street_a, "colleague")

    def setUp(self):
        self.enterContext(translation.override("en"))
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


class TestMyAccount(SelfServiceTestCase):
    def test_anonymous_is_sent_to_login(self):
        response = self.client.get(reverse("accounts:me"))
        self.assertTrue(response["Location"].startswith(reverse("login")))

    def test_shows_only_the_users_own_sign_ins(self):
        self.client.post(
            reverse("login"),
            {"username": "colleague", "password": TEST_PASSWORD},
            REMOTE_ADDR="203.0.113.9",
        )
        self.client.logout()
        self.client.post(
            reverse("login"),
            {"username": "officer", "password": TEST_PASSWORD},
            REMOTE_ADDR="192.0.2.1",
        )
        self.client.post(reverse("accounts:verify"), {"code": code_for("officer")})
        page = self.client.get(reverse("accounts:me"))
        self.assertContains(page, "192.0.2.1")
        self.assertNotContains(page, "203.0.113.9")


class TestPasswordChange(SelfServiceTestCase):
    url = reverse("accounts:password_change")

    def change(self, password=NEW_PASSWORD):
        return self.client.post(self.url, {"new_password1": password, "new_password2": password})

    def test_anonymous_is_sent_to_login(self):
        self.assertTrue(self.client.get(self.url)["Location"].startswith(reverse("login")))

    def test_right_after_sign_in_the_user_sets_a_new_password(self):
        self.client.force_login(self.officer)
        self.assertRedirects(self.change(), reverse("home"))
        self.assertEqual(self.client.get(reverse("home")).status_code, 200)  # still signed in
        self.officer.refresh_from_db()
        self.assertTrue(self.officer.check_password(NEW_PASSWORD))
        self.assertTrue(
            SecurityEvent.objects.filter(kind="password_changed", user=self.officer).exists()
        )
        self.assertContains(self.change(TEST_PASSWORD), "last 5 passwords")

    def test_later_the_user_confirms_who_they_are_first(self):
        self.client.force_login(self.officer)
        reauthenticate = reverse("accounts:reauthenticate")
        with time_machine.travel(timezone.now() + timedelta(minutes=11)):
            self.assertRedirects(
                self.client.get(self.url), f"{reauthenticate}?next=%2Faccounts%2Fpassword%2F"
            )
            self.assertRedirects(self.change(), f"{reauthenticate}?next=%2Faccounts%2Fpassword%2F")
            wrong = self.client.post(
                reauthenticate, {"password": "wrong", "code": code_for("officer")}
            )
            self.assertContains(wrong, "not right")
            no_code = self.client.post(reauthenticate, {"password": TEST_PASSWORD, "code": "1"})
            self.assertContains(no_code, "not right")
            back = self.client.post(
                reauthenticate,
                {"password": TEST_PASSWORD, "code": code_for("officer"), "next": self.url},
            )
            self.assertRedirects(back, self.url)
            self.assertRedirects(self.change(), reverse("home"))

    def test_guessing_the_old_password_is_rate_limited_and_ends_the_session(self):
        self.client.force_login(self.officer)
        reauthenticate = reverse("accounts:reauthenticate")
        now = timezone.now() + timedelta(minutes=11)
        for attempt in range(5):
            with time_machine.travel(now + timedelta(minutes=attempt)):
                response = self.client.post(
                    reauthenticate, {"password": f"guess-{attempt}", "code": "000000"}
                )
        self.assertEqual(response.status_code, 429)
        self.assertFalse(self.client.session.get("_auth_user_id"))
        self.assertEqual(
            SecurityEvent.objects.filter(kind="login_failed", username="officer").count(), 5
        )


class TestForcedChange(SelfServiceTestCase):
    def test_every_page_leads_to_the_password_page_first(self):
        self.officer.must_change_password = True
        self.officer.save()
        self.client.force_login(self.officer)
        password_page = reverse("accounts:password_change")
        self.assertRedirects(self.client.get(reverse("home")), password_page)
        self.assertRedirects(
            self.client.get(reverse("registry:community_list")),
            f"{password_page}?next=%2Fregistry%2Fcommunities%2F",
        )
        self.assertEqual(self.client.get(reverse("api:jurisdiction-list")).status_code, 403)
        self.assertEqual(self.client.post(reverse("logout")).status_code, 302)  # may sign out
        self.client.force_login(self.officer)
        self.client.post(
            password_page, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        )
        self.officer.refresh_from_db()
        self.assertFalse(self.officer.must_change_password)
        self.assertEqual(self.client.get(reverse("home")).status_code, 200)
