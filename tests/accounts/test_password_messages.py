"""Password refusals in the reader's language: under zh-Hans every message of every password
rule (Django's and ours) is Chinese alone, on the pages where a user sets a password."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.urls import reverse
from django.utils import translation

from linli.accounts import credentials, services
from linli.accounts.models import RequestKind
from linli.accounts.roles import Role
from linli.core.testing import TEST_PASSWORD, make_tree, make_user
from tests.web.crawler import parse, problems_in_text

# Between them, these break every rule of AUTH_PASSWORD_VALIDATORS.
WEAK = ("Aa1!", "1234567890123", "password", "officer123", "abcdefghijk", TEST_PASSWORD)
RULES = {
    "password_too_short",
    "password_too_common",
    "password_entirely_numeric",
    "password_too_similar",
    "password_too_simple",
    "password_reused",
}


class PasswordMessagesTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.tree = make_tree()
        cls.officer = make_user(cls.tree, Role.STREET_OFFICER, cls.tree.street_a, "officer")

    def setUp(self):
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    def assert_chinese_only(self, response):
        self.assertEqual(response.status_code, 200)
        text = " ".join(parse(response.content.decode()).text)
        self.assertEqual(problems_in_text(text, language="zh-hans", data=("officer",)), [])


class TestEveryRule(PasswordMessagesTestCase):
    def test_every_rule_refuses_in_chinese(self):
        refused, messages = set(), []
        with translation.override("zh-hans"):
            for password in WEAK:
                try:
                    password_validation.validate_password(password, self.officer)
                except ValidationError as error:
                    refused |= {e.code for e in error.error_list}
                    messages += error.messages
            messages += password_validation.password_validators_help_texts()
        self.assertEqual(refused, RULES)
        self.assertEqual(problems_in_text(" ".join(messages), language="zh-hans"), [])


class TestPages(PasswordMessagesTestCase):
    def test_the_change_password_page(self):
        self.client.force_login(self.officer)
        url = reverse("accounts:password_change")
        for password in WEAK:
            with self.subTest(password=password):
                self.assert_chinese_only(
                    self.client.post(url, {"new_password1": password, "new_password2": password})
                )

    def test_the_set_password_with_codes_page(self):
        administrator = make_user(self.tree, Role.SYSTEM_ADMIN, self.tree.city, "sys")
        filed = credentials.credential_request_file(
            actor=administrator,
            user=self.officer,
            kind=RequestKind.PASSWORD_RESET,
            reason="本人电话申请，已核对工号",
        )
        approved = credentials.credential_request_approve(
            actor=make_user(self.tree, Role.SECURITY_ADMIN, self.tree.city, "sec"),
            request=filed.request,
        )
        for password in ("Aa1!", "abcdefghijk"):
            with self.subTest(password=password):
                response = self.client.post(
                    reverse("accounts:activate"),
                    {
                        "username": "officer",
                        "first_code": filed.code,
                        "second_code": approved.code,
                        "new_password1": password,
                        "new_password2": password,
                    },
                )
                self.assertTrue(response.context["form"].errors)
                self.assert_chinese_only(response)

    def test_a_refusal_from_the_service_too(self):
        with translation.override("zh-hans"), self.assertRaises(ValidationError) as refusal:
            services.password_change(user=self.officer, new_password="Aa1!")
        messages = " ".join(refusal.exception.messages)
        self.assertEqual(problems_in_text(messages, language="zh-hans"), [])
