"""Site plans four ways, on the sample registry inside the demo city's network."""

from django.test import override_settings
from django.urls import reverse

from linli.accounts.roles import Role
from linli.core.testing import FourWayTestCase, make_user
from linli.jobs.models import Job
from linli.jobs.services import job_submit
from linli.plans.handlers import SITE_PLAN
from linli.policy import load_pack
from linli.registry.testing import make_registry
from tests.plans.network import NETWORK

PARAMS = {
    "policy": "beijing-2024",
    "budget_cny": 5_000_000,
    "max_sites": None,
    "radius_m": 500,
    "scenarios": ["elderly_care", "infant_care", "community_meals", "health"],
    "min_floor_area_m2": 150,
    "fundable_complexes": True,
}


@override_settings(PLANNING_NETWORK_FILE=str(NETWORK))
class TestSitePlans(FourWayTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        make_registry(cls.tree)
        with override_settings(PLANNING_NETWORK_FILE=str(NETWORK)):
            cls.plan_a = job_submit(
                actor=cls.permitted, kind=SITE_PLAN, jurisdiction=cls.tree.street_a, params=PARAMS
            )
            cls.plan_a2 = job_submit(
                actor=cls.permitted,
                kind=SITE_PLAN,
                jurisdiction=cls.tree.street_a,
                params={**PARAMS, "budget_cny": 1_000_000},
            )
            district = make_user(cls.tree, Role.DISTRICT_OFFICER, cls.tree.district, "district")
            cls.plan_b = job_submit(
                actor=district, kind=SITE_PLAN, jurisdiction=cls.tree.street_b, params=PARAMS
            )

    def test_the_plan_converts_the_site_with_a_fundable_mix(self):
        job = Job.objects.get(pk=self.plan_a.pk)
        self.assertEqual(job.status, "succeeded", job.error)
        (site,) = job.result["sites"]
        self.assertEqual(site["name"], "甲一社区闲置仓库")
        self.assertGreaterEqual(len(site["scenarios"]), 3)  # Beijing: ≥ 3 scenarios
        self.assertGreaterEqual(
            len({"elderly_care", "infant_care", "community_meals"} & set(site["scenarios"])), 2
        )
        self.assertEqual(site["cost"], 1_800_000)
        self.assertTrue(job.result["optimal"])

    def test_the_map_draws_the_walking_reach_and_a_legend(self):
        # The walking distance was drawn as a circle; now the streets reached, as an area.
        from shapely.geometry import Point, shape

        job = Job.objects.get(pk=self.plan_a.pk)
        (site,) = job.result["sites"]
        reach = shape(site["reach"])
        self.assertEqual(reach.geom_type, "Polygon")
        self.assertTrue(reach.contains(Point(site["lon"], site["lat"])))
        self.client.force_login(self.permitted)
        page = self.client.get(reverse("plans:site_plan_detail", args=[job.pk]))
        data = page.context["map_data"]
        self.assertEqual(data["sites"][0]["reach"], site["reach"])
        self.assertEqual(data["legend"]["reach"], "步行 500 米可达范围")
        self.assertNotIn("radius", data["sites"][0])

    def test_a_budget_that_buys_nothing_plans_nothing(self):
        job = Job.objects.get(pk=self.plan_a2.pk)
        self.assertEqual(
            (job.status, job.result["sites"], job.result["gain"]), ("succeeded", [], 0)
        )

    def urls(self, job, other):
        return [
            reverse("plans:site_plan_detail", args=[job.pk]),
            reverse("plans:site_plan_compare", args=[job.pk, other.pk]),
        ]

    def test_anonymous_and_without_permission(self):
        for url in [reverse("plans:site_plan_list"), *self.urls(self.plan_a, self.plan_a2)]:
            self.assertEqual(self.client.get(url).status_code, 302, url)
        self.client.force_login(self.unpermitted)
        for url in [reverse("plans:site_plan_list"), *self.urls(self.plan_a, self.plan_a2)]:
            self.assertEqual(self.client.get(url).status_code, 403, url)

    def test_permitted_in_and_out_of_scope(self):
        self.client.force_login(self.permitted)
        detail, compare = (self.client.get(url) for url in self.urls(self.plan_a, self.plan_a2))
        self.assertContains(detail, "甲一社区闲置仓库")
        self.assertContains(detail, "site-plan-data")
        self.assertContains(detail, load_pack("beijing-2024").title_zh)  # not the pack's id
        self.assertNotContains(detail, "beijing-2024")
        self.assertContains(compare, f"#{self.plan_a2.pk}")
        for url in [
            reverse("plans:site_plan_detail", args=[self.plan_b.pk]),
            reverse("plans:site_plan_compare", args=[self.plan_a.pk, self.plan_b.pk]),
        ]:
            self.assertEqual(self.client.get(url).status_code, 404, url)

    def test_a_running_plan_goes_to_its_own_page_when_done(self):
        # The progress poller once sent every site plan to /plans/diagnoses/<id>/ (Not Found).
        running = Job.objects.create(
            kind=SITE_PLAN,
            jurisdiction=self.tree.street_a,
            created_by=self.permitted,
            params=PARAMS,
        )
        self.client.force_login(self.permitted)
        page = self.client.get(reverse("plans:site_plan_detail", args=[running.pk]))
        result_url = reverse("plans:site_plan_detail", args=[running.pk])
        self.assertContains(page, f'hx-get="/jobs/{running.pk}/progress/?next={result_url}"')
        self.assertNotContains(page, "next=/plans/diagnoses/")

    def test_run_from_the_page(self):
        self.client.force_login(self.permitted)
        response = self.client.post(
            reverse("plans:site_plan_list"),
            {
                "area": self.tree.street_a.pk,
                "policy": "beijing-2024",
                "budget_wan": "300",
                "scenarios": ["elderly_care", "infant_care", "community_meals"],
                "radius_m": "500",
                "min_floor_area_m2": "150",
                "fundable_complexes": "on",
            },
        )
        job = Job.objects.latest("pk")
        self.assertRedirects(response, reverse("plans:site_plan_detail", args=[job.pk]))
        self.assertEqual(job.params["budget_cny"], 3_000_000)
        self.assertEqual(len(job.result["sites"]), 1)


@override_settings(PLANNING_NETWORK_FILE=str(NETWORK))
class TestApplicationFromPlan(FourWayTestCase):
    """ "Create an application from this site": a draft carrying the plan's evidence."""

    @classmethod
    def setUpTestData(cls):
        from linli.accounts.roles import Role as R

        super().setUpTestData()
        make_registry(cls.tree)
        cls.city_admin = make_user(cls.tree, R.CITY_ADMIN, cls.tree.city, "city")
        with override_settings(PLANNING_NETWORK_FILE=str(NETWORK)):
            cls.plan = job_submit(
                actor=cls.permitted, kind=SITE_PLAN, jurisdiction=cls.tree.street_a, params=PARAMS
            )

    def apply(self, rank=1, call=None):
        data = {"call": call.pk} if call else {}
        return self.client.post(reverse("plans:site_plan_apply", args=[self.plan.pk, rank]), data)

    def test_the_office_chooses_the_call_and_the_one_open_now_comes_first(self):
        # 生成申报 once took the newest call, even one not yet open, and ignored the open one.
        from datetime import date, timedelta

        from linli.funding.models import Application
        from linli.funding.testing import open_call

        open_now = open_call(self.city_admin, [self.tree.district], title="本期征集")
        upcoming = services_call_open(
            self.city_admin, self.tree.district, "下期征集", date.today() + timedelta(days=30)
        )
        self.client.force_login(self.permitted)
        url = reverse("plans:site_plan_apply", args=[self.plan.pk, 1])
        page = self.client.get(url).content.decode()
        self.assertRegex(page, rf'<input[^>]*value="{open_now.pk}"[^>]*checked')
        self.assertIn("下期征集", page)  # shown as upcoming, not offered
        self.assertNotRegex(page, rf'<input[^>]*name="call"[^>]*value="{upcoming.pk}"')
        self.assertEqual(self.apply(call=upcoming).status_code, 200)  # not a choice: form again
        self.assertEqual(Application.objects.count(), 0)
        self.apply(call=open_now)
        self.assertEqual(Application.objects.get().call, open_now)

    def test_four_ways_and_the_draft(self):
        from linli.audit.models import AuditRecord
        from linli.funding.models import Application
        from linli.funding.testing import open_call

        self.assertEqual(self.apply().status_code, 302)  # anonymous: to the login page
        self.assertEqual(Application.objects.count(), 0)
        self.client.force_login(self.unpermitted)
        self.assertEqual(self.apply().status_code, 403)
        self.client.force_login(self.permitted)
        response = self.apply()  # no open call yet: the page says so
        self.assertContains(response, 'id="no-call"')
        self.assertEqual(Application.objects.count(), 0)

        call = open_call(self.city_admin, [self.tree.district])
        response = self.apply(call=call)
        application = Application.objects.get()
        self.assertRedirects(
            response,
            reverse("funding:application_edit", args=[application.pk]),
            fetch_redirect_response=False,
        )
        site = Job.objects.get(pk=self.plan.pk).result["sites"][0]
        self.assertEqual(application.site.name, "甲一社区闲置仓库")
        self.assertEqual(
            sorted(application.functions.values_list("scenario", flat=True)),
            sorted(site["scenarios"]),
        )
        self.assertEqual(application.planning_evidence["site_plan"], self.plan.pk)
        self.assertEqual(application.planning_evidence["residents_gaining"], round(site["gain"]))
        self.assertTrue(
            AuditRecord.objects.filter(
                object_type="funding.application", object_id=str(application.pk)
            ).exists()
        )
        self.assertEqual(self.apply(rank=9, call=call).status_code, 302)
        self.assertEqual(Application.objects.count(), 1)

    def test_a_plan_outside_scope_is_not_found(self):
        district = make_user(self.tree, Role.DISTRICT_OFFICER, self.tree.district, "district")
        with override_settings(PLANNING_NETWORK_FILE=str(NETWORK)):
            other = job_submit(
                actor=district, kind=SITE_PLAN, jurisdiction=self.tree.street_b, params=PARAMS
            )
        self.client.force_login(self.permitted)
        url = reverse("plans:site_plan_apply", args=[other.pk, 1])
        self.assertEqual(self.client.post(url).status_code, 404)


def services_call_open(actor, district, title, opens_on):
    from datetime import timedelta
    from decimal import Decimal

    from linli.funding import services

    return services.call_open(
        actor=actor,
        title=title,
        policy_id="beijing-2024",
        opens_on=opens_on,
        closes_on=opens_on + timedelta(days=60),
        budget_cny=Decimal("50000000"),
        districts=[district],
        notice="下一期征集。",
    )
