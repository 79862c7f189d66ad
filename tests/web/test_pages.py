"""The platform as a person meets it: login page, homes, language switch, headers, assets."""

import os
import subprocess
import sys

from django.test import TestCase, override_settings
from django.urls import reverse

from linli.accounts.testing import sign_in
from linli.demo.loader import DEMO_PASSWORD, load_demo


class TestDemoAccounts(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.accounts = load_demo()

    def test_every_declared_account_is_listed(self):
        from linli.demo.accounts import DEMO_ACCOUNTS

        listed = [account.username for account in self.accounts]
        self.assertEqual(listed, [spec.username for spec in DEMO_ACCOUNTS])

    def test_every_demo_account_logs_in_and_sees_its_home(self):
        for account in self.accounts:
            with self.subTest(account=account.username):
                # The password, then (all but the resident) the authenticator's code.
                response = sign_in(self.client, account.username, DEMO_PASSWORD)
                self.assertEqual(response.status_code, 200)
                if account.username == "demo_resident":  # a resident's home is the portal
                    self.assertEqual(response.request["PATH_INFO"], reverse("residents:portal"))
                else:
                    self.assertEqual(response.request["PATH_INFO"], reverse("home"))
                    self.assertContains(response, account.role_label)
                    self.assertContains(response, 'id="todo-list"')
                self.client.post(reverse("logout"))

    def test_the_demo_city_is_on_the_map(self):
        sign_in(self.client, "demo_city_admin", DEMO_PASSWORD)
        layers = {
            layer: self.client.get(reverse("registry:map_data", args=[layer])).json()["features"]
            for layer in ("communities", "facilities", "sites")
        }
        self.assertEqual(len(layers["communities"]), 40)
        self.assertGreaterEqual(len(layers["facilities"]), 100)
        self.assertGreaterEqual(len(layers["sites"]), 50)
        scenarios = {s for f in layers["facilities"] for s in f["properties"]["scenarios"]}
        self.assertEqual(len(scenarios), 9)
        self.assertEqual(layers["communities"][0]["geometry"]["type"], "Polygon")

    def test_loading_twice_keeps_one_city(self):
        from linli.registry.models import Jurisdiction

        count = Jurisdiction.objects.count()
        load_demo()
        self.assertEqual(Jurisdiction.objects.count(), count)


class TestPages(TestCase):
    def test_root_shows_a_chinese_login_page(self):
        response = self.client.get("/", follow=True)
        self.assertEqual(response.request["PATH_INFO"], reverse("login"))
        self.assertContains(response, '<html lang="zh-hans">')
        self.assertContains(response, "登录")

    def test_language_switch_to_english(self):
        response = self.client.post(
            reverse("set_language"), {"language": "en", "next": "/login/"}, follow=True
        )
        self.assertContains(response, '<html lang="en">')
        self.assertContains(response, "Sign in")

    def test_security_headers(self):
        response = self.client.get(reverse("login"))
        csp = response["Content-Security-Policy"]
        self.assertIn("default-src 'self'", csp)
        self.assertIn("script-src 'self'", csp)
        self.assertEqual(response["Referrer-Policy"], "same-origin")
        self.assertEqual(response["X-Frame-Options"], "DENY")
        self.assertTrue(response["X-Request-ID"])

    def test_htmx_requests_carry_the_csrf_token(self):
        response = self.client.get(reverse("login"))
        self.assertContains(response, 'hx-headers=\'{"X-CSRFToken": "')

    def test_csrf_is_enforced_on_post(self):
        from django.test import Client

        strict = Client(enforce_csrf_checks=True)
        response = strict.post(reverse("login"), {"username": "x", "password": "y"})
        self.assertEqual(response.status_code, 403)

    def test_vendored_assets_are_served_by_the_app(self):
        for asset in (
            "tabler/tabler.min.css",
            "htmx/htmx.min.js",
            "leaflet/leaflet.js",
            "echarts/echarts.min.js",
        ):
            response = self.client.get(f"/static/linli/vendor/{asset}")
            self.assertEqual(response.status_code, 200, asset)

    def test_no_template_loads_from_a_cdn(self):
        from pathlib import Path

        import linli

        root = Path(linli.__file__).parent / "templates"
        for template in root.rglob("*.html"):
            text = template.read_text()
            self.assertNotRegex(text, r"https?://", template.name)

    @override_settings(SECURE_SSL_REDIRECT=True, SECURE_HSTS_SECONDS=31536000)
    def test_production_redirects_to_https_and_sends_hsts(self):
        from django.test import Client

        self.assertEqual(Client().get(reverse("login")).status_code, 301)
        response = Client().get(reverse("login"), secure=True)
        self.assertIn("max-age=31536000", response["Strict-Transport-Security"])


class TestDeployCheck(TestCase):
    def test_check_deploy_is_clean_with_production_variables(self):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "linli.web.settings",
            "LINLI_SECRET_KEY": "k" * 20 + "-production-secret-key-with-enough-entropy-0123456789",
            "LINLI_ALLOWED_HOSTS": "linli.example.gov.cn",
            "LINLI_DEBUG": "false",
            "LINLI_HTTPS": "true",
            "LINLI_TRUSTED_PROXY": "127.0.0.1",
        }
        env.pop("LINLI_DATABASE_URL", None)
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests only
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "linli",
                "manage",
                "check",
                "--deploy",
                "--fail-level",
                "WARNING",
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        self.assertEqual(result.returncode, 0, result.stderr + result.stdout)
        self.assertIn("no issues", result.stdout)
