"""Key figures on the home page, counted in each user's scope."""

from decimal import Decimal

from django.test import TestCase
from django.urls import reverse
from django.utils import translation

from linli.accounts.roles import Role
from linli.core.testing import make_tree, make_user
from linli.funding.choices import ApplicationState
from linli.funding.testing import advance, draft, make_actors, open_call
from linli.registry.testing import make_registry
from linli.web.overview import overview_for, ten_thousand_yuan


class TestOverview(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.tree = make_tree()
        make_registry(cls.tree)  # one community, facility and site in each street
        cls.actors = make_actors(cls.tree)
        call = open_call(cls.actors.city_admin, [cls.tree.district])
        cls.funded = advance(
            cls.actors,
            draft(cls.actors.street, call, "甲街道综合体"),
            ApplicationState.FUND_APPROVED,
        )

    def setUp(self):
        self.enterContext(translation.override("en"))  # labels are asserted in English

    def figures(self, user):
        return {str(figure.label): figure for figure in overview_for(user)}

    def test_a_street_counts_its_own_street(self):
        figures = self.figures(self.actors.street)
        self.assertEqual(figures["Communities"].value, "1")
        self.assertIn("3,300", str(figures["Communities"].detail))
        self.assertEqual(figures["Facilities in operation"].value, "1")
        self.assertEqual(figures["Candidate sites available"].value, "1")
        self.assertIn("900", str(figures["Candidate sites available"].detail))
        self.assertEqual(figures["Funding applications"].value, "1")
        approved = self.funded.ledger.approved_cny
        self.assertGreater(approved, Decimal(0))
        money = figures["Subsidy approved (10 000 CNY)"]
        self.assertEqual(money.value, ten_thousand_yuan(approved))
        self.assertIn("0.00", str(money.detail))

    def test_the_district_counts_both_streets_and_the_other_street_none_of_a(self):
        self.assertEqual(self.figures(self.actors.district)["Communities"].value, "2")
        self.assertIn("6,600", str(self.figures(self.actors.district)["Communities"].detail))
        street_b = self.figures(self.actors.street_b)
        self.assertEqual(street_b["Funding applications"].value, "0")
        self.assertEqual(street_b["Subsidy approved (10 000 CNY)"].value, "0.00")

    def test_roles_without_the_permission_see_no_figure(self):
        auditor = make_user(self.tree, Role.AUDITOR, self.tree.city, "auditor")
        self.assertEqual(overview_for(auditor), [])
        self.client.force_login(auditor)
        self.assertNotContains(self.client.get(reverse("home")), 'id="overview"')

    def test_the_home_page_links_each_figure(self):
        self.client.force_login(self.actors.street)
        page = self.client.get(reverse("home"))
        self.assertContains(page, 'id="overview"')
        for name in ("registry:community_list", "funding:application_list"):
            self.assertContains(page, reverse(name))

    def test_money_is_shown_in_ten_thousand_yuan(self):
        self.assertEqual(ten_thousand_yuan(Decimal("12345678.90")), "1,234.57")
        self.assertEqual(ten_thousand_yuan(None), "0.00")
