"""Four-way tests of every registry page, form, map layer and API endpoint."""

from decimal import Decimal

from django.urls import reverse

from linli.accounts.roles import Role
from linli.audit.models import AuditRecord
from linli.core.testing import APITestCases, FourWayTestCase, ViewTestCases, make_user
from linli.registry.models import CandidateSite, Facility
from linli.registry.testing import make_registry


class _Sample:
    """Street officer of street A (permitted) vs the auditor (no registry permission)."""

    sample_pair = ("community_a", "community_b")

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.sample = make_registry(cls.tree)

    def in_scope(self):
        return getattr(self.sample, self.sample_pair[0])

    def out_of_scope(self):
        return getattr(self.sample, self.sample_pair[1])


class TestCommunityList(_Sample, ViewTestCases.ListView):
    url_name = "registry:community_list"

    def test_yes_no_filter_offers_any_and_filters(self):
        self.client.force_login(self.permitted)
        page = self.client.get(reverse(self.url_name))
        self.assertContains(page, '<option value="" selected>全部</option>', html=True)
        self.assertContains(page, 'class="form-select"')
        self.assertContains(page, self.sample.community_a.jurisdiction.name)
        pilots_only = self.client.get(reverse(self.url_name), {"pilot": "true"})
        self.assertNotContains(pilots_only, self.sample.community_a.jurisdiction.name)


class TestCommunityDetail(_Sample, ViewTestCases.DetailView):
    url_name = "registry:community_detail"

    def test_lists_its_facilities(self):
        self.client.force_login(self.permitted)
        self.assertContains(self.client.get(self.url(self.in_scope())), self.sample.facility_a.name)


class TestFacilityList(_Sample, ViewTestCases.ListView):
    url_name = "registry:facility_list"
    sample_pair = ("facility_a", "facility_b")

    def test_resident_sees_facilities_but_not_sites(self):
        user = make_user(self.tree, Role.RESIDENT, self.tree.community_a, "resident-a")
        self.client.force_login(user)
        self.assertEqual(self.client.get(reverse("registry:facility_list")).status_code, 200)
        self.assertEqual(self.client.get(reverse("registry:candidatesite_list")).status_code, 403)
        self.assertEqual(self.client.get(reverse("registry:community_list")).status_code, 403)


class TestFacilityDetail(_Sample, ViewTestCases.DetailView):
    url_name = "registry:facility_detail"
    sample_pair = ("facility_a", "facility_b")


class TestCandidateSiteList(_Sample, ViewTestCases.ListView):
    url_name = "registry:candidatesite_list"
    sample_pair = ("site_a", "site_b")


class TestCandidateSiteDetail(_Sample, ViewTestCases.DetailView):
    url_name = "registry:candidatesite_detail"
    sample_pair = ("site_a", "site_b")


class TestCandidateSiteEdit(_Sample, ViewTestCases.DetailView):
    url_name = "registry:candidatesite_edit"
    sample_pair = ("site_a", "site_b")

    def test_permitted_in_scope_is_shown(self):
        self.client.force_login(self.permitted)
        self.assertEqual(self.client.get(self.url(self.in_scope())).status_code, 200)

    def test_edit_is_audited_and_cannot_move_out_of_scope(self):
        self.client.force_login(self.permitted)
        site = self.sample.site_a
        form = self.client.get(self.url(site)).context["form"]
        data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
        data["floor_area_m2"] = "950"
        response = self.client.post(self.url(site), data)
        self.assertRedirects(response, site.get_absolute_url())
        site.refresh_from_db()
        self.assertEqual(site.floor_area_m2, Decimal("950"))
        record = AuditRecord.objects.get(
            object_id=str(site.pk), object_type="registry.candidatesite", action="update"
        )
        self.assertEqual(
            (record.before["floor_area_m2"], record.after["floor_area_m2"]), ("900.00", "950.00")
        )
        # The community field offers only nodes in scope: community B is not a valid choice.
        data["jurisdiction"] = self.tree.community_b.pk
        response = self.client.post(self.url(site), data)
        self.assertEqual(response.status_code, 200)
        site.refresh_from_db()
        self.assertEqual(site.jurisdiction, self.tree.community_a)


class TestFacilityCreate(_Sample, FourWayTestCase):
    def test_anonymous_and_unpermitted(self):
        url = reverse("registry:facility_create")
        self.assertEqual(self.client.get(url).status_code, 302)
        self.client.force_login(self.unpermitted)
        self.assertEqual(self.client.get(url).status_code, 403)

    def test_create_with_functions(self):
        self.client.force_login(self.permitted)
        data = {
            "code": "F-A-2",
            "name": "甲一托育园",
            "jurisdiction": self.tree.community_a.pk,
            "kind": "scattered",
            "status": "planned",
            "lon": "113.603",
            "lat": "34.751",
            "gross_floor_area_m2": "500",
            "floors_used": "1",
            "functions-TOTAL_FORMS": "1",
            "functions-INITIAL_FORMS": "0",
            "functions-0-scenario": "infant_care",
            "functions-0-category": "inclusive",
            "functions-0-infant_slots": "60",
            "functions-0-beds": "0",
            "functions-0-nursing_beds": "0",
            "functions-0-respite_beds": "0",
            "functions-0-afterschool_places": "0",
            "functions-0-canteen_seats": "0",
        }
        response = self.client.post(reverse("registry:facility_create"), data)
        facility = Facility.objects.get(code="F-A-2")
        self.assertRedirects(response, facility.get_absolute_url())
        self.assertEqual(
            list(facility.functions.values_list("scenario", "infant_slots")), [("infant_care", 60)]
        )
        record = AuditRecord.objects.get(
            object_id=str(facility.pk), object_type="registry.facility"
        )
        self.assertEqual(record.after["functions"][0]["infant_slots"], 60)

    def test_out_of_scope_community_is_refused(self):
        self.client.force_login(self.permitted)
        count = Facility.objects.count()
        data = {
            "code": "F-X",
            "name": "越权",
            "jurisdiction": self.tree.community_b.pk,
            "kind": "scattered",
            "status": "planned",
            "lon": "113.6",
            "lat": "34.75",
            "gross_floor_area_m2": "100",
            "floors_used": "1",
            "functions-TOTAL_FORMS": "0",
            "functions-INITIAL_FORMS": "0",
        }
        response = self.client.post(reverse("registry:facility_create"), data)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors["jurisdiction"])
        self.assertEqual(Facility.objects.count(), count)


class TestOperatorList(_Sample, ViewTestCases.ListView):
    """Operators serve across districts, so the list is not scoped: both appear."""

    url_name = "registry:operator_list"

    def in_scope(self):
        return self.sample.operator

    def out_of_scope(self):
        return "no operator of that name"


class TestMapLayers(_Sample, FourWayTestCase):
    def layer(self, name, **params):
        return self.client.get(reverse("registry:map_data", args=[name]), params)

    def test_anonymous_is_sent_to_login(self):
        self.assertEqual(self.layer("facilities").status_code, 302)

    def test_without_permission_is_forbidden(self):
        self.client.force_login(self.unpermitted)
        self.assertEqual(self.layer("facilities").status_code, 403)

    def test_layers_hold_only_the_scope(self):
        self.client.force_login(self.permitted)
        for layer, inside in (
            ("facilities", self.sample.facility_a),
            ("sites", self.sample.site_a),
            ("communities", self.sample.community_a),
        ):
            names = {f["properties"]["name"] for f in self.layer(layer).json()["features"]}
            self.assertEqual(names, {str(inside)}, layer)
        self.assertEqual(self.layer("nonsense").status_code, 404)

    def test_every_layer_says_what_its_colours_mean(self):
        self.client.force_login(self.permitted)
        legends = {layer: self.layer(layer).json()["legend"] for layer in LEGEND_LAYERS}
        self.assertEqual(legends["communities"]["title"], "60岁以上居民占比")
        facility_labels = [item["label"] for item in legends["facilities"]["items"]]
        self.assertIn("养老服务", facility_labels)
        self.assertEqual(
            [item["key"] for item in legends["sites"]["items"]],
            ["renovate", "convert", "transfer", "co_build"],
        )

    def test_within_another_street_is_empty(self):
        self.client.force_login(self.permitted)
        features = self.layer("facilities", within=self.tree.street_b.pk).json()["features"]
        self.assertEqual(features, [])


class TestFacilityEndpoint(_Sample, APITestCases.Endpoint):
    basename = "facility"
    sample_pair = ("facility_a", "facility_b")

    def test_functions_are_nested(self):
        self.client.force_login(self.permitted)
        row = self.client.get(self.detail_url(self.sample.facility_a)).json()
        self.assertEqual(row["functions"][0]["scenario"], "elderly_care")


class TestCommunityEndpoint(_Sample, APITestCases.Endpoint):
    basename = "community"


class TestCandidateSiteEndpoint(_Sample, APITestCases.Endpoint):
    basename = "candidatesite"
    sample_pair = ("site_a", "site_b")

    def test_money_is_a_decimal_string(self):
        self.client.force_login(self.permitted)
        row = self.client.get(self.detail_url(self.sample.site_a)).json()
        self.assertEqual(row["renovation_cost_cny"], "1800000.00")


class TestSiteValidation(_Sample, FourWayTestCase):
    def test_negative_cost_and_bad_coordinates_are_refused(self):
        from django.core.exceptions import ValidationError

        from linli.registry.services import registry_update

        for field, value in (("renovation_cost_cny", Decimal("-1")), ("lat", 95.0)):
            with self.assertRaises(ValidationError):
                registry_update(actor=self.permitted, obj=self.sample.site_a, **{field: value})
        self.assertEqual(CandidateSite.objects.get(pk=self.sample.site_a.pk).lat, 34.751)


LEGEND_LAYERS = ("communities", "facilities", "sites")
