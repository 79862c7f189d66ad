import json
from pathlib import Path

from django.urls import reverse

from linli.cli import main
from linli.core.testing import FourWayTestCase

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


class TestPolicyCheckEndpoint(FourWayTestCase):
    def post(self, data, **params):
        url = reverse("api:policy-check")
        if params:
            url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
        return self.client.post(url, data, content_type="application/json")

    def test_anonymous_is_refused(self):
        payload = json.loads((EXAMPLES / "beijing-complex-eligible.json").read_text())
        self.assertIn(self.post(payload).status_code, (401, 403))

    def test_answer_equals_the_cli(self):
        self.client.force_login(self.permitted)
        for example in sorted(EXAMPLES.glob("*.json")):
            with self.subTest(example=example.name):
                response = self.post(json.loads(example.read_text()))
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.json(), _cli_answer(example))

    def test_malformed_input_names_the_field(self):
        self.client.force_login(self.permitted)
        payload = json.loads((EXAMPLES / "beijing-complex-eligible.json").read_text())
        payload["functions"][1]["floor_area_m2"] = -5
        response = self.post(payload)
        self.assertEqual(response.status_code, 400)
        self.assertIn("functions[1].floor_area_m2", response.json()["error"])

    def test_only_shipped_packs_are_accepted(self):
        self.client.force_login(self.permitted)
        payload = json.loads((EXAMPLES / "beijing-complex-eligible.json").read_text())
        for policy in ("no-such-pack", "/etc/passwd"):
            response = self.post(payload, policy=policy)
            self.assertEqual(response.status_code, 400)
            self.assertIn("policy", response.json()["error"])
        self.assertEqual(
            self.post(payload, policy="national-2023").json()["policy"], "national-2023"
        )


def _cli_answer(example: Path) -> dict:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(["check", str(example), "--format", "json"])
    return json.loads(out.getvalue())
