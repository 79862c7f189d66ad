"""The dashboard four ways, and every figure equal to the total of the list it links to
(the same test runs on SQLite and on PostgreSQL with LINLI_DATABASE_URL)."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from linli.accounts.roles import Role
from linli.core.testing import make_user
from linli.jobs.models import Job
from linli.monitoring.dashboard import MEASURES, Dashboard, figure_url
from tests.monitoring.base import ProgrammeTestCase


class DashboardTests(ProgrammeTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.street = make_user(cls.tree, Role.STREET_OFFICER, cls.tree.street_a, "mon-street")
        cls.auditor = make_user(cls.tree, Role.AUDITOR, cls.tree.street_a, "mon-auditor")
        cls.city = make_user(cls.tree, Role.CITY_ADMIN, cls.tree.city, "mon-city")

    def test_the_diagnosis_ran(self):
        job = Job.objects.get(pk=self.diagnosis.pk)
        self.assertEqual(job.status, "succeeded", job.error)

    def test_anonymous_is_sent_to_login(self):
        for url in (
            reverse("monitoring:dashboard"),
            figure_url("stage", self.tree.city, "operating"),
        ):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 302)
            self.assertTrue(response["Location"].startswith(reverse("login")))

    def test_without_permission_is_forbidden(self):
        self.client.force_login(self.auditor)
        self.assertEqual(self.client.get(reverse("monitoring:dashboard")).status_code, 403)
        url = figure_url("stage", self.tree.street_a, "operating")
        self.assertEqual(self.client.get(url).status_code, 403)

    def test_permitted_sees_its_scope_only(self):
        self.client.force_login(self.street)
        response = self.client.get(reverse("monitoring:dashboard"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "甲街道")
        board = response.context["board"]
        stages = {fig.param: fig.value for _text, fig in board.stages}
        self.assertNotIn("fund_approved", stages)  # street B's project
        self.assertEqual(stages["operating"], 1)
        url = figure_url("stage", self.tree.street_a, "operating")
        self.assertContains(self.client.get(url), "甲一社区邻里中心")

    def test_out_of_scope_node_is_not_found(self):
        self.client.force_login(self.street)
        url = f"{reverse('monitoring:dashboard')}?node={self.tree.street_b.pk}"
        self.assertEqual(self.client.get(url).status_code, 404)
        figure = figure_url("stage", self.tree.street_b, "fund_approved")
        self.assertEqual(self.client.get(figure).status_code, 404)
        # The street's own list of funded projects leaves street B's out.
        own = self.client.get(figure_url("approved_cny", self.tree.street_a))
        self.assertNotContains(own, "乙一社区嵌入式服务综合体")

    def test_city_drills_down_to_the_community(self):
        self.client.force_login(self.city)
        response = self.client.get(reverse("monitoring:dashboard"))
        self.assertContains(response, "测试区")
        for node in (self.tree.district, self.tree.street_a, self.tree.community_a):
            response = self.client.get(f"{reverse('monitoring:dashboard')}?node={node.pk}")
            self.assertEqual(response.status_code, 200)
            self.assertContains(response, node.name)

    def test_every_figure_equals_the_total_of_its_list(self):
        """Each figure on each node's page, for the city and for a street officer."""
        checked = 0
        for user, nodes in (
            (
                self.city,
                (self.tree.city, self.tree.district, self.tree.street_a, self.tree.community_a),
            ),
            (self.street, (self.tree.street_a, self.tree.community_a)),
        ):
            self.client.force_login(user)
            for node in nodes:
                response = self.client.get(f"{reverse('monitoring:dashboard')}?node={node.pk}")
                figures = response.context["board"].figures()
                self.assertTrue(figures)
                for fig in figures:
                    self.assertContains(response, fig.url.replace("&", "&amp;"))
                    listed = self.client.get(fig.url)
                    self.assertEqual(listed.status_code, 200, fig.url)
                    self.assertEqual(listed.context["total"], fig.value, fig.url)
                    # and the list's rows add up to the total shown
                    rows = listed.context["rows"]
                    self.assertEqual(sum((r.amount for r in rows), Decimal(0)), fig.value)
                    checked += 1
        self.assertGreater(checked, 100)

    def test_figures_hold_the_programme(self):
        board = Dashboard(self.city, self.tree.city)
        money = {fig.key: fig.value for _text, fig in board.money}
        approved = sum(
            (a.ledger.approved_cny for a in (self.operating, self.building, self.other)), Decimal(0)
        )
        self.assertEqual(money["approved_cny"], approved)
        delays = {fig.param: fig.value for _text, fig in board.delays}
        self.assertEqual(delays["31_to_90"], 1)  # opening promised 40 days ago
        self.assertEqual(delays["on_schedule"], 1)
        self.assertEqual(delays["no_plan"], 1)
        built = {b.param: b.value for _name, b, _o in board.facilities}
        # The two sample facilities, and the one the operating project became (issue 11).
        self.operating.refresh_from_db()
        self.assertIsNotNone(self.operating.facility)
        self.assertEqual(built["elderly_care"], 3)
        covered = [cell for row in board.coverage for cell in row[1:]]
        self.assertTrue(covered)
        self.assertTrue(any(c[1].value > 0 for c in covered))
        self.assertTrue(all(c[0].value <= c[1].value for c in covered))

    def test_unknown_figure_or_parameter_is_not_found(self):
        self.client.force_login(self.city)
        self.assertEqual(
            self.client.get(reverse("monitoring:figure", args=["nope"])).status_code, 404
        )
        self.assertEqual(
            self.client.get(figure_url("covered", self.tree.city, "nope:500")).status_code, 404
        )
        self.assertEqual(
            self.client.get(figure_url("stage", self.tree.city, "nope")).status_code, 404
        )

    def test_export_of_a_list(self):
        self.client.force_login(self.city)
        url = figure_url("approved_cny", self.tree.city) + "&export=xlsx"
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.content.startswith(b"PK"))

    def test_measures_are_all_on_the_page(self):
        board = Dashboard(self.city, self.tree.city)
        self.assertEqual({f.key for f in board.figures()}, set(MEASURES))
