"""A survey's results weigh a site plan and a diagnosis, and the plan shows which weights."""

from django.test import TestCase, override_settings
from django.urls import reverse

from linli.accounts.roles import Role
from linli.core.testing import make_tree, make_user
from linli.jobs.models import Job
from linli.jobs.services import job_submit
from linli.participation.testing import answer_many, make_survey
from linli.plans.handlers import DIAGNOSE, SITE_PLAN
from linli.registry.testing import make_registry
from tests.plans.network import NETWORK
from tests.plans.test_site_plan_views import PARAMS


@override_settings(PLANNING_NETWORK_FILE=str(NETWORK))
class TestSurveyWeighsPlans(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.tree = make_tree()
        make_registry(cls.tree)
        cls.officer = make_user(cls.tree, Role.STREET_OFFICER, cls.tree.street_a, "street")
        cls.survey = make_survey(cls.officer, cls.tree.community_a, "甲一社区需求调查")
        # Residents put health first and community meals nowhere.
        answer_many(
            cls.officer,
            cls.survey,
            cls.tree.community_a,
            [["health", "elderly_care"]] * 4 + [["health", "infant_care", "fitness"]] * 2,
        )
        with override_settings(PLANNING_NETWORK_FILE=str(NETWORK)):
            cls.plain = cls.submit(SITE_PLAN, PARAMS)
            cls.weighted = cls.submit(SITE_PLAN, {**PARAMS, "survey": cls.survey.pk})
            cls.diagnosis = cls.submit(
                DIAGNOSE, {"policy": "beijing-2024", "survey": cls.survey.pk}
            )

    @classmethod
    def submit(cls, kind, params):
        job = job_submit(
            actor=cls.officer, kind=kind, jurisdiction=cls.tree.street_a, params=params
        )
        return Job.objects.get(pk=job.pk)

    def test_the_plan_records_the_weights_it_used(self):
        self.assertEqual(self.plain.status, "succeeded", self.plain.error)
        self.assertEqual(self.weighted.status, "succeeded", self.weighted.error)
        self.assertIsNone(self.plain.result["need_weights"])
        shown = self.weighted.result["need_weights"]
        self.assertEqual((shown["title"], shown["responses"]), ("甲一社区需求调查", 6))
        self.assertGreater(shown["area"]["health"], 1)
        self.assertLess(shown["area"]["community_meals"], 1)

    def test_the_weights_change_the_plan(self):
        plain = self.plain.result["gain_by_scenario"]
        weighted = self.weighted.result["gain_by_scenario"]
        health = self.weighted.result["need_weights"]["area"]["health"]
        meals = self.weighted.result["need_weights"]["area"]["community_meals"]
        # The page shows the weights to three places.
        self.assertAlmostEqual(weighted["health"] / plain["health"], health, places=3)
        self.assertAlmostEqual(
            weighted["community_meals"] / plain["community_meals"], meals, places=3
        )
        self.assertNotEqual(self.plain.result["gain"], self.weighted.result["gain"])

    def test_the_plan_page_says_which_weights(self):
        self.client.force_login(self.officer)
        page = self.client.get(reverse("plans:site_plan_detail", args=[self.weighted.pk]))
        self.assertContains(page, "已按居民需求排序加权：“甲一社区需求调查”，6 份答复。")
        plain = self.client.get(reverse("plans:site_plan_detail", args=[self.plain.pk]))
        self.assertContains(plain, "未按需求调查加权")

    def test_the_diagnosis_records_them_too(self):
        self.assertEqual(self.diagnosis.status, "succeeded", self.diagnosis.error)
        self.assertEqual(self.diagnosis.result["need_weights"]["survey"], self.survey.pk)
        self.client.force_login(self.officer)
        page = self.client.get(reverse("plans:diagnosis_detail", args=[self.diagnosis.pk]))
        self.assertContains(page, "已按居民需求排序加权")

    def test_the_form_offers_surveys_with_answers_in_scope(self):
        self.client.force_login(self.officer)
        form = self.client.get(reverse("plans:site_plan_list")).context["form"]
        self.assertEqual(list(form.fields["survey"].queryset), [self.survey])
        outsider = make_user(self.tree, Role.STREET_OFFICER, self.tree.street_b, "street-b")
        self.client.force_login(outsider)
        form = self.client.get(reverse("plans:site_plan_list")).context["form"]
        self.assertEqual(list(form.fields["survey"].queryset), [])
