"""Diagnosis pages four ways, and a run through the background job on a real network."""

import tempfile
from pathlib import Path

from django.test import override_settings
from django.urls import reverse

from linli.accounts.roles import Role
from linli.core.testing import FourWayTestCase, make_user
from linli.jobs.models import Job
from linli.jobs.services import job_submit
from linli.plans.handlers import DIAGNOSE
from linli.policy import load_pack
from linli.registry.testing import make_registry
from tests.plans.network import NETWORK
from tests.web.crawler import parse


@override_settings(PLANNING_NETWORK_FILE=str(NETWORK))
class TestDiagnosis(FourWayTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        make_registry(cls.tree)
        with override_settings(PLANNING_NETWORK_FILE=str(NETWORK)):
            cls.run_a = job_submit(
                actor=cls.permitted,
                kind=DIAGNOSE,
                jurisdiction=cls.tree.street_a,
                params={"policy": "beijing-2024"},
            )
            district = make_user(cls.tree, Role.DISTRICT_OFFICER, cls.tree.district, "district")
            cls.run_b = job_submit(
                actor=district,
                kind=DIAGNOSE,
                jurisdiction=cls.tree.street_b,
                params={"policy": "beijing-2024"},
            )

    def urls(self, job):
        return [
            reverse(name, args=[job.pk])
            for name in ("plans:diagnosis_detail", "plans:diagnosis_map", "plans:diagnosis_export")
        ]

    def test_the_run_finished_with_its_communities(self):
        job = Job.objects.get(pk=self.run_a.pk)
        self.assertEqual(job.status, "succeeded", job.error)
        self.assertEqual([row["name"] for row in job.result["communities"]], ["甲一社区"])
        self.assertEqual(job.result["communities"][0]["priority_rank"], 1)

    def test_anonymous_is_sent_to_login(self):
        for url in [reverse("plans:diagnosis_list"), *self.urls(self.run_a)]:
            self.assertEqual(self.client.get(url).status_code, 302, url)

    def test_without_permission_is_forbidden(self):
        self.client.force_login(self.unpermitted)
        for url in [reverse("plans:diagnosis_list"), *self.urls(self.run_a)]:
            self.assertEqual(self.client.get(url).status_code, 403, url)

    def test_permitted_sees_its_run(self):
        self.client.force_login(self.permitted)
        detail, geojson, export = (self.client.get(url) for url in self.urls(self.run_a))
        self.assertContains(detail, "甲一社区")
        self.assertContains(detail, "coverage-chart-data")
        names = [f["properties"]["name"] for f in geojson.json()["features"]]
        self.assertEqual(names, ["甲一社区"])
        self.assertEqual(
            export["Content-Type"].split(";")[0],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        listing = self.client.get(reverse("plans:diagnosis_list"))
        self.assertContains(listing, reverse("plans:diagnosis_detail", args=[self.run_a.pk]))
        self.assertNotContains(listing, reverse("plans:diagnosis_detail", args=[self.run_b.pk]))

    def test_the_runs_name_their_policy_pack_by_its_title(self):
        self.client.force_login(self.permitted)
        for url in (reverse("plans:diagnosis_list"), self.urls(self.run_a)[0]):
            text = " ".join(parse(self.client.get(url).content.decode()).text)
            self.assertNotIn("beijing-2024", text)
            self.assertIn(load_pack("beijing-2024").title_zh, text)

    def test_permitted_out_of_scope_is_not_found(self):
        self.client.force_login(self.permitted)
        for url in self.urls(self.run_b):
            self.assertEqual(self.client.get(url).status_code, 404, url)

    def test_run_from_the_page(self):
        self.client.force_login(self.permitted)
        response = self.client.post(
            reverse("plans:diagnosis_list"),
            {"area": self.tree.street_a.pk, "policy": "national-2023"},
        )
        job = Job.objects.latest("pk")
        self.assertRedirects(response, reverse("plans:diagnosis_detail", args=[job.pk]))
        self.assertEqual((job.status, job.result["policy"]), ("succeeded", "national-2023"))

    def test_an_area_outside_scope_cannot_be_chosen(self):
        self.client.force_login(self.permitted)
        count = Job.objects.count()
        response = self.client.post(
            reverse("plans:diagnosis_list"),
            {"area": self.tree.street_b.pk, "policy": "beijing-2024"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors["area"])
        self.assertEqual(Job.objects.count(), count)


class TestDiagnoseCommandFromRegistry(FourWayTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        make_registry(cls.tree)

    def run_cli(self, username, out):
        from linli.cli import main

        return main(
            [
                "plan",
                "diagnose",
                "--district",
                self.tree.district.code,
                "--as",
                username,
                "--network",
                str(NETWORK),
                "--out",
                str(out),
            ]
        )

    def test_reads_what_the_account_may_see(self):
        import pandas as pd

        out = Path(tempfile.mkdtemp()) / "report.xlsx"
        district = make_user(self.tree, Role.DISTRICT_OFFICER, self.tree.district, "district")
        self.assertEqual(self.run_cli(district.username, out), 0)
        self.assertEqual(sorted(pd.read_excel(out)["name"]), ["乙一社区", "甲一社区"])

    def test_an_area_outside_the_accounts_scope_is_refused(self):
        out = Path(tempfile.mkdtemp()) / "report.csv"
        self.assertEqual(self.run_cli(self.permitted.username, out), 2)  # street A's officer
        self.assertFalse(out.exists())
