"""三员分立 for credentials: the system administrator asks, someone else completes, and no
administrator alone ever holds a working credential for a business account."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.authtoken.models import Token

from linli.accounts import credentials, twofactor
from linli.accounts.models import CredentialRequest, RequestKind, User
from linli.accounts.roles import Role
from linli.accounts.testing import sign_in
from linli.audit.models import SecurityEvent
from linli.core.testing import TEST_PASSWORD, make_tree, make_user, xlsx_rows

OWN = "Her-own-passw0rd-2026"


class CredentialTestCase(TestCase):
    """Both administrators bound to street A; a city office official (a business account
    that releases money) and a street officer; a resident out of scope in street B."""

    @classmethod
    def setUpTestData(cls):
        cls.tree = make_tree()
        a = cls.tree.street_a
        cls.sysadmin = make_user(cls.tree, Role.SYSTEM_ADMIN, cls.tree.city, "sys")
        cls.secadmin = make_user(cls.tree, Role.SECURITY_ADMIN, cls.tree.city, "sec")
        cls.street_sysadmin = make_user(cls.tree, Role.SYSTEM_ADMIN, a, "sys-a")
        cls.city_admin = make_user(cls.tree, Role.CITY_ADMIN, cls.tree.city, "city")
        cls.officer = make_user(cls.tree, Role.STREET_OFFICER, a, "officer-a")
        cls.outsider = make_user(cls.tree, Role.RESIDENT, cls.tree.community_b, "resident-b")

    def setUp(self):
        self.enterContext(translation.override("en"))
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        # Each attempt a minute after the last: these tests are about who holds what, not
        # about the sign-in throttle (test_security.py), which would otherwise slow them.
        self.clock = self.enterContext(time_machine.travel(timezone.now(), tick=False))

    def later(self) -> None:
        self.clock.shift(timedelta(minutes=1))

    def signs_in(self, username: str, password: str) -> bool:
        self.later()
        self.client.logout()
        response = sign_in(self.client, username, password)
        return response.request["PATH_INFO"] != reverse("login")

    def activate(self, username, first, second, password=OWN):
        self.later()
        return self.client.post(
            reverse("accounts:activate"),
            {
                "username": username,
                "first_code": first,
                "second_code": second,
                "new_password1": password,
                "new_password2": password,
            },
        )


class TestSystemAdministratorAlone(CredentialTestCase):
    """Done when: a system administrator cannot obtain a working credential for a business
    account alone — not a new account, not a reset password, not an API token."""

    def test_a_new_account_does_not_work_on_the_system_administrators_word(self):
        self.client.force_login(self.sysadmin)
        page = self.client.post(
            reverse("accounts:user_create"),
            {
                "username": "puppet",
                "role": Role.CITY_ADMIN,
                "jurisdiction": self.tree.city.pk,
            },
        )
        first = page.context["filed"].code
        account = User.objects.get(username="puppet")
        # Whatever password the administrator tries, and with its own half of the code:
        for password in (TEST_PASSWORD, "", first):
            self.assertFalse(self.signs_in("puppet", password))
        self.assertContains(self.activate("puppet", first, first), "do not open")
        self.assertContains(self.activate("puppet", first, "AAAA-AAAA"), "do not open")
        # Switching it on itself, or approving its own request, is refused.
        with self.assertRaises(PermissionDenied):
            credentials.credential_request_approve(
                actor=self.sysadmin, request=CredentialRequest.objects.get(user=account)
            )
        self.client.force_login(self.sysadmin)
        request = CredentialRequest.objects.get(user=account)
        decide = reverse("accounts:request_decide", args=[request.pk])
        self.assertEqual(self.client.post(decide, {"decision": "approve"}).status_code, 403)
        account.refresh_from_db()
        self.assertFalse(account.is_active)
        self.assertFalse(account.has_usable_password())

    def test_a_password_reset_gives_the_system_administrator_nothing_that_works(self):
        filed = credentials.credential_request_file(
            actor=self.sysadmin,
            user=self.city_admin,
            kind=RequestKind.PASSWORD_RESET,
            reason="本人电话申请，已核对工号",
        )
        self.assertTrue(self.signs_in("city", TEST_PASSWORD))  # nothing changed yet
        approved = credentials.credential_request_approve(
            actor=self.secadmin, request=filed.request
        )
        # The system administrator holds one half; a guess at the other is refused.
        self.assertContains(self.activate("city", filed.code, filed.code), "do not open")
        self.assertTrue(self.signs_in("city", TEST_PASSWORD))
        self.assertFalse(self.signs_in("city", OWN))
        # Only both halves together set a password, and it is the user's own.
        response = self.activate("city", filed.code, approved.code)
        self.assertRedirects(response, reverse("home"), fetch_redirect_response=False)
        self.assertFalse(self.signs_in("city", TEST_PASSWORD))
        self.assertTrue(self.signs_in("city", OWN))

    def test_a_reset_password_still_needs_the_users_phone(self):
        filed = credentials.credential_request_file(
            actor=self.sysadmin, user=self.city_admin, kind="password_reset", reason="忘记密码"
        )
        approved = credentials.credential_request_approve(
            actor=self.secadmin, request=filed.request
        )
        credentials.account_activate(
            username="city",
            first_code=filed.code,
            second_code=approved.code,
            new_password=OWN,
        )
        self.client.post(reverse("login"), {"username": "city", "password": OWN})
        # Signed in with the password, the session reaches nothing but the code page.
        self.assertRedirects(
            self.client.get(reverse("funding:tranche_list")),
            reverse("accounts:verify") + "?next=%2Ffunding%2Ftranches%2F",
        )
        self.assertTrue(twofactor.has_device(self.city_admin))

    def test_an_api_token_is_seen_by_its_user_only(self):
        self.client.force_login(self.sysadmin)
        url = reverse("accounts:user_request", args=[self.city_admin.pk, "api_token"])
        self.client.post(url, {"reason": "财政系统对接"})
        request = CredentialRequest.objects.get(user=self.city_admin, kind="api_token")
        self.assertFalse(Token.objects.filter(user=self.city_admin).exists())
        with self.assertRaises(PermissionDenied):
            credentials.api_token_confirm(actor=self.sysadmin, request=request)
        with self.assertRaises(PermissionDenied):
            credentials.credential_request_approve(actor=self.secadmin, request=request)
        confirm = reverse("accounts:token_decide", args=[request.pk])
        self.assertEqual(self.client.post(confirm, {"decision": "confirm"}).status_code, 404)
        self.assertFalse(Token.objects.filter(user=self.city_admin).exists())

        self.client.force_login(self.city_admin)
        self.assertContains(self.client.get(reverse("accounts:me")), 'id="confirm-token"')
        page = self.client.post(confirm, {"decision": "confirm"})
        key = Token.objects.get(user=self.city_admin).key
        self.assertContains(page, key)
        self.assertEqual(page["Cache-Control"], "no-store")
        self.assertNotIn(key, str(list(SecurityEvent.objects.values_list("detail", flat=True))))
        self.client.logout()
        api = reverse("api:jurisdiction-list")
        self.assertEqual(self.client.get(api, HTTP_AUTHORIZATION=f"Token {key}").status_code, 200)

    def test_the_security_administrator_alone_holds_half_a_code_only(self):
        filed = credentials.user_create(
            actor=self.sysadmin, username="new", role=Role.CITY_ADMIN, jurisdiction=self.tree.city
        )
        approved = credentials.credential_request_approve(
            actor=self.secadmin, request=filed.request
        )
        self.assertContains(self.activate("new", approved.code, approved.code), "do not open")
        self.assertFalse(User.objects.get(username="new").is_active)

    def test_every_act_is_in_the_security_log_the_auditor_reads(self):
        filed = credentials.credential_request_file(
            actor=self.sysadmin, user=self.officer, kind="password_reset", reason="忘记密码"
        )
        approved = credentials.credential_request_approve(
            actor=self.secadmin, request=filed.request
        )
        credentials.account_activate(
            username="officer-a", first_code=filed.code, second_code=approved.code, new_password=OWN
        )
        kinds = list(SecurityEvent.objects.filter(user=self.officer).values_list("kind", flat=True))
        for kind in ("request_filed", "request_approved", "password_set_with_codes"):
            self.assertIn(kind, kinds)
        auditor = make_user(self.tree, Role.AUDITOR, self.tree.city, "auditor")
        self.client.force_login(auditor)
        log = self.client.get(reverse("audit:securityevent_list"), {"username": "officer-a"})
        self.assertContains(log, "Account request approved")
        self.assertContains(log, "Password set with the two codes")


class TestRequests(CredentialTestCase):
    def test_filing_four_ways(self):
        url = reverse("accounts:user_request", args=[self.officer.pk, "password_reset"])
        self.assertTrue(self.client.get(url)["Location"].startswith(reverse("login")))
        self.client.force_login(self.secadmin)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.client.force_login(self.street_sysadmin)
        outside = reverse("accounts:user_request", args=[self.outsider.pk, "password_reset"])
        self.assertEqual(self.client.get(outside).status_code, 404)
        self.assertContains(self.client.post(url, {"reason": ""}), "This field is required")
        page = self.client.post(url, {"reason": "忘记密码，本人到场"})
        self.assertContains(page, 'id="half-code"')
        resets = CredentialRequest.objects.filter(user=self.officer, kind="password_reset")
        self.assertEqual(resets.count(), 1)
        again = self.client.post(url, {"reason": "再次"})
        self.assertContains(again, "already has an open request")

    def test_queue_four_ways(self):
        credentials.credential_request_file(
            actor=self.sysadmin, user=self.officer, kind="password_reset", reason="r"
        )
        credentials.credential_request_file(
            actor=self.sysadmin, user=self.outsider, kind="password_reset", reason="r"
        )
        url = reverse("accounts:request_list")
        self.assertTrue(self.client.get(url)["Location"].startswith(reverse("login")))
        self.client.force_login(self.officer)
        self.assertEqual(self.client.get(url).status_code, 403)
        street_secadmin = make_user(self.tree, Role.SECURITY_ADMIN, self.tree.street_a, "sec-a")
        for admin in (self.street_sysadmin, street_secadmin):
            self.client.force_login(admin)
            page = self.client.get(url)
            self.assertContains(page, "officer-a")
            self.assertNotContains(page, "resident-b")
        outside = CredentialRequest.objects.get(user=self.outsider, kind="password_reset")
        detail = reverse("accounts:request_detail", args=[outside.pk])
        self.assertEqual(self.client.get(detail).status_code, 404)

    def test_rejected_and_withdrawn_requests_do_nothing(self):
        filed = credentials.credential_request_file(
            actor=self.sysadmin, user=self.officer, kind="password_reset", reason="r"
        )
        self.client.force_login(self.secadmin)
        decide = reverse("accounts:request_decide", args=[filed.request.pk])
        self.client.post(decide, {"decision": "reject", "note": "未核实身份"})
        filed.request.refresh_from_db()
        self.assertEqual(filed.request.state, "rejected")
        with self.assertRaises(ValidationError):
            credentials.credential_request_approve(actor=self.secadmin, request=filed.request)

        second = credentials.credential_request_file(
            actor=self.sysadmin, user=self.officer, kind="password_reset", reason="r"
        )
        approved = credentials.credential_request_approve(
            actor=self.secadmin, request=second.request
        )
        self.client.force_login(self.sysadmin)
        self.client.post(reverse("accounts:request_cancel", args=[second.request.pk]))
        self.assertContains(self.activate("officer-a", second.code, approved.code), "do not open")

    def test_codes_work_once_and_expire(self):
        filed = credentials.credential_request_file(
            actor=self.sysadmin, user=self.officer, kind="password_reset", reason="r"
        )
        approved = credentials.credential_request_approve(
            actor=self.secadmin, request=filed.request
        )
        self.clock.shift(timedelta(hours=73))
        self.assertContains(self.activate("officer-a", filed.code, approved.code), "do not open")
        self.clock.shift(timedelta(hours=-73))
        self.activate("officer-a", filed.code.lower().replace("-", " "), approved.code)
        self.client.logout()
        self.assertContains(
            self.activate("officer-a", filed.code, approved.code, "Another-passw0rd-2027"),
            "do not open",
        )

    def test_guessing_codes_is_throttled(self):
        filed = credentials.user_create(
            actor=self.sysadmin, username="new", role=Role.RESIDENT, jurisdiction=self.tree.city
        )
        approved = credentials.credential_request_approve(
            actor=self.secadmin, request=filed.request
        )
        for _attempt in range(5):
            self.activate("new", "AAAA-AAAA", "BBBB-BBBB")
        locked = self.activate("new", filed.code, approved.code)
        self.assertEqual(locked.status_code, 429)
        self.assertFalse(User.objects.get(username="new").is_active)

    def test_a_second_factor_reset_takes_effect_on_approval(self):
        filed = credentials.credential_request_file(
            actor=self.sysadmin, user=self.officer, kind="second_factor_reset", reason="手机丢失"
        )
        self.assertEqual(filed.code, "")
        self.assertTrue(twofactor.has_device(self.officer))
        credentials.credential_request_approve(actor=self.secadmin, request=filed.request)
        self.assertFalse(twofactor.has_device(self.officer))
        filed.request.refresh_from_db()
        self.assertEqual(filed.request.state, "completed")
        # The user's own password, then a new authenticator.
        self.client.post(reverse("login"), {"username": "officer-a", "password": TEST_PASSWORD})
        self.assertRedirects(self.client.get(reverse("home")), reverse("accounts:enrol"))

    def test_approving_many_gives_the_second_halves_once(self):
        from linli.accounts import imports

        filed = imports.users_import(
            actor=self.sysadmin,
            accounts=[
                dict(username=f"w{i}", role=Role.COMMUNITY_WORKER, jurisdiction=self.tree.city)
                for i in range(3)
            ],
        )
        self.client.force_login(self.secadmin)
        response = self.client.post(
            reverse("accounts:request_approve_selected"),
            {"selected": [f.request.pk for f in filed]},
        )
        self.assertEqual(response["Cache-Control"], "no-store")
        rows = xlsx_rows(response.content)
        self.assertEqual([row[0] for row in rows[1:]], ["w0", "w1", "w2"])
        second = {row[0]: row[4] for row in rows[1:]}
        self.activate("w1", filed[1].code, second["w1"])
        self.assertTrue(User.objects.get(username="w1").is_active)


class TestNotices(CredentialTestCase):
    def test_the_user_hears_of_a_reset_and_a_token(self):
        self.officer.email = "officer@example.gov.cn"
        self.officer.save()
        with self.captureOnCommitCallbacks(execute=True):
            filed = credentials.credential_request_file(
                actor=self.sysadmin, user=self.officer, kind="password_reset", reason="r"
            )
        self.assertEqual(mail.outbox[-1].to, ["officer@example.gov.cn"])
        self.assertIn("officer-a", mail.outbox[-1].body)
        with self.captureOnCommitCallbacks(execute=True):
            credentials.credential_request_approve(actor=self.secadmin, request=filed.request)
        self.assertEqual(len(mail.outbox), 2)
        with self.captureOnCommitCallbacks(execute=True):
            token = credentials.credential_request_file(
                actor=self.sysadmin, user=self.officer, kind="api_token", reason="对接"
            )
        with self.captureOnCommitCallbacks(execute=True):
            credentials.api_token_confirm(actor=self.officer, request=token.request)
        self.assertEqual(len(mail.outbox), 4)

    def test_the_first_page_after_sign_in_says_so(self):
        self.signs_in("officer-a", TEST_PASSWORD)
        credentials.credential_request_file(
            actor=self.sysadmin, user=self.officer, kind="api_token", reason="对接"
        )
        self.client.logout()
        response = sign_in(self.client, "officer-a", TEST_PASSWORD)
        self.assertContains(response, "Since your last sign-in there was 1 change")
        page = self.client.get(reverse("accounts:me"))
        self.assertContains(page, "Account request filed")
        self.assertContains(page, "sys")
