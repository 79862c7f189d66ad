"""The menu and the permissions agree: every entry a role is shown opens for it (no 403, no
empty page of a feature it cannot use), and the guide's community worker keeps its data."""

from decimal import Decimal

from django.test import TestCase
from django.urls import reverse

from linli.accounts.roles import Role
from linli.core.testing import make_tree, make_user
from linli.registry.models import CandidateSite, Compound
from linli.registry.testing import make_registry
from linli.web.navigation import menu_for

# Where each role sits in the test tree (its natural office).
SCOPES = {
    Role.CITY_ADMIN: "city",
    Role.CITY_DEPARTMENT: "city",
    Role.DISTRICT_OFFICER: "district",
    Role.STREET_OFFICER: "street_a",
    Role.COMMUNITY_WORKER: "community_a",
    Role.OPERATOR: "district",
    Role.RESIDENT: "community_a",
    Role.SYSTEM_ADMIN: "city",
    Role.SECURITY_ADMIN: "city",
    Role.AUDITOR: "city",
}


class MenuTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.tree = make_tree()
        cls.sample = make_registry(cls.tree)
        cls.users = {
            role: make_user(cls.tree, role, getattr(cls.tree, scope), f"menu-{role}")
            for role, scope in SCOPES.items()
        }

    def test_every_entry_shown_opens(self):
        for role, user in self.users.items():
            self.client.force_login(user)
            for _group, items in menu_for(user):
                for item in items:
                    url = reverse(item.url_name)
                    with self.subTest(role=role, url=url):
                        # A resident's 首页 is their portal (a redirect to it).
                        page = self.client.get(url, follow=True)
                        self.assertEqual(page.status_code, 200)

    def test_a_resident_sees_the_portal_not_the_officials_desk(self):
        resident = self.users[Role.RESIDENT]
        shown = {item.url_name for _group, items in menu_for(resident) for item in items}
        self.assertIn("residents:portal", shown)
        self.assertFalse(
            {"registry:facility_list", "registry:jurisdiction_list", "api:docs"} & shown
        )
        self.client.force_login(resident)
        self.assertRedirects(self.client.get(reverse("home")), reverse("residents:portal"))

    def test_a_community_worker_keeps_its_data_and_plans_nothing(self):
        worker = self.users[Role.COMMUNITY_WORKER]
        shown = {item.url_name for _group, items in menu_for(worker) for item in items}
        self.assertNotIn("plans:diagnosis_list", shown)
        self.assertNotIn("plans:site_plan_list", shown)
        self.client.force_login(worker)
        community = self.sample.community_a
        figures = {name: getattr(community, name) for name in community.RESIDENT_FIGURES}
        response = self.client.post(
            reverse("registry:community_edit", args=[community.pk]),
            {
                **figures,
                "population": 3400,
                "jurisdiction": community.jurisdiction_id,
                "service_area_m2": "320",
                "centroid_lon": community.centroid_lon,
                "centroid_lat": community.centroid_lat,
            },
        )
        self.assertEqual(response.status_code, 302)
        community.refresh_from_db()
        self.assertEqual((community.population, community.service_area_m2), (3400, Decimal("320")))
        response = self.client.post(
            reverse("registry:compound_create"),
            {
                "community": self.tree.community_a.pk,
                "name": "新苑小区",
                "households": 300,
                "centroid_lon": 113.6005,
                "centroid_lat": 34.7501,
            },
        )
        self.assertEqual(response.status_code, 302)
        self.assertTrue(Compound.objects.filter(jurisdiction__name="新苑小区").exists())
        response = self.client.post(
            reverse("registry:candidatesite_create"),
            {
                "code": "S-A-9",
                "name": "闲置门面房",
                "jurisdiction": self.tree.community_a.pk,
                "lon": 113.6003,
                "lat": 34.7502,
                "building_type": "commercial",
                "floor_area_m2": "260",
                "floors": 1,
                "space_source": "convert",
                "status": "available",
            },
        )
        self.assertEqual(response.status_code, 302)
        self.assertTrue(CandidateSite.objects.filter(code="S-A-9").exists())
        # Facilities are the district's and street's records: shown, not edited.
        facility = self.sample.facility_a
        self.assertContains(self.client.get(facility.get_absolute_url()), facility.name)
        edit = reverse("registry:facility_edit", args=[facility.pk])
        self.assertEqual(self.client.get(edit).status_code, 403)
