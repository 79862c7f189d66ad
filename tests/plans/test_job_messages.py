"""A run's progress and failure in the reader's language: what a job reports is kept as the
words' source and shown translated, so its page under zh-Hans holds no English — rows written
before, which hold the same source words, included — and a failure shows no traceback."""

from unittest import mock

from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from linli.core.testing import FourWayTestCase
from linli.jobs import runner
from linli.jobs.models import Job, JobStatus
from linli.jobs.services import job_submit
from linli.plans.handlers import DIAGNOSE, SITE_PLAN
from linli.registry.testing import make_registry
from tests.plans.network import NETWORK
from tests.plans.test_site_plan_views import PARAMS
from tests.web.crawler import parse, problems_in_text


@override_settings(PLANNING_NETWORK_FILE=str(NETWORK))
class TestJobMessages(FourWayTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        make_registry(cls.tree)

    def setUp(self):
        self.client.force_login(self.permitted)
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    def run_job(self, kind: str, params: dict) -> tuple[Job, list[str]]:
        """The job, run, and every message it reported on the way."""
        reported = []
        update = runner._update

        def recording(job_id, **fields):
            if fields.get("message"):
                reported.append(fields["message"])
            update(job_id, **fields)

        with mock.patch.object(runner, "_update", recording):
            job = job_submit(
                actor=self.permitted, kind=kind, jurisdiction=self.tree.street_a, params=params
            )
        return Job.objects.get(pk=job.pk), reported

    def page_problems(self, job: Job) -> list[str]:
        detail = {DIAGNOSE: "plans:diagnosis_detail", SITE_PLAN: "plans:site_plan_detail"}
        response = self.client.get(reverse(detail[job.kind], args=[job.pk]))
        self.assertEqual(response.status_code, 200)
        text = " ".join(parse(response.content.decode()).text)
        return problems_in_text(text, language="zh-hans", data=(self.permitted.username,))

    def assert_each_stage_in_chinese(self, job: Job, reported: list[str]) -> None:
        self.assertEqual(job.status, JobStatus.SUCCEEDED, job.error)
        self.assertGreaterEqual(len(reported), 3)
        for message in reported:
            with self.subTest(message=message):
                Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, message=message)
                self.assertEqual(self.page_problems(job), [])

    def test_every_stage_of_a_diagnosis(self):
        self.assert_each_stage_in_chinese(*self.run_job(DIAGNOSE, {"policy": "beijing-2024"}))

    def test_every_stage_of_a_site_plan(self):
        self.assert_each_stage_in_chinese(*self.run_job(SITE_PLAN, PARAMS))

    def test_a_row_written_before_shows_its_stage_in_chinese(self):
        job, _reported = self.run_job(DIAGNOSE, {"policy": "beijing-2024"})
        Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, message="catchments (2SFCA)")
        self.assertEqual(self.page_problems(job), [])

    def test_a_failure_says_why_in_chinese_without_the_traceback(self):
        job, _reported = self.run_job(DIAGNOSE, {"policy": "beijing-2024", "survey": 999_999})
        self.assertEqual(job.status, JobStatus.FAILED)
        self.assertIn("Traceback", job.error)  # kept for the administrator, not shown
        self.assertEqual(self.page_problems(job), [])
        page = self.client.get(reverse("plans:diagnosis_detail", args=[job.pk]))
        self.assertContains(page, "需求调查")

    def test_an_unforeseen_failure_shows_no_developer_text(self):
        with mock.patch(
            "linli.plans.handlers.read_walk_graph", side_effect=OSError("network.pbf: bad")
        ):
            job, _reported = self.run_job(DIAGNOSE, {"policy": "beijing-2024"})
        self.assertEqual(job.status, JobStatus.FAILED)
        self.assertEqual(self.page_problems(job), [])
        self.assertNotContains(
            self.client.get(reverse("plans:diagnosis_detail", args=[job.pk])), "network.pbf"
        )
