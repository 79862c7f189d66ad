import tempfile
from pathlib import Path

from django.urls import reverse

from linli.core.testing import APITestCases, FourWayTestCase


class TestJurisdictionEndpoint(APITestCases.Endpoint):
    basename = "jurisdiction"

    def in_scope(self):
        return self.tree.community_a

    def out_of_scope(self):
        return self.tree.community_b

    def test_parent_is_reported(self):
        self.client.force_login(self.permitted)
        row = self.client.get(self.detail_url(self.tree.community_a)).json()
        self.assertEqual(row["parent"], self.tree.street_a.pk)
        self.assertEqual(row["level"], "community")

    def test_token_authentication(self):
        from rest_framework.authtoken.models import Token

        token = Token.objects.create(user=self.permitted)
        response = self.client.get(self.list_url(), HTTP_AUTHORIZATION=f"Token {token.key}")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["count"], 2)  # street A and its community

    def test_writes_are_not_offered(self):
        self.client.force_login(self.permitted)
        response = self.client.post(self.list_url(), {"name": "x"}, content_type="application/json")
        self.assertIn(response.status_code, (403, 405))


class TestSchema(FourWayTestCase):
    def test_schema_answers_without_login(self):
        response = self.client.get(reverse("api:schema"))
        self.assertEqual(response.status_code, 200)
        self.assertIn(b"/api/v1/jurisdictions/", response.content)

    def test_docs_page_uses_packaged_assets(self):
        response = self.client.get(reverse("api:docs"))
        self.assertEqual(response.status_code, 200)
        self.assertNotIn(b"cdn.jsdelivr", response.content)
        self.assertNotIn(b"unpkg.com", response.content)

    def test_schema_generates_without_warnings(self):
        from django.core.management import call_command

        with tempfile.NamedTemporaryFile(suffix=".yml") as out:
            call_command("spectacular", "--validate", "--fail-on-warn", "--file", out.name)
            self.assertIn(b"/api/v1/funding/applications/", Path(out.name).read_bytes())
