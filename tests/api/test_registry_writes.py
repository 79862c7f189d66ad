"""Writing the registry over the API: the same services, permissions, scope and audit."""

from django.urls import reverse

from linli.audit.models import AuditRecord
from linli.core.testing import FourWayTestCase
from linli.registry.models import CandidateSite, Facility
from linli.registry.testing import make_registry

NEW_SITE = {
    "code": "S-A-9",
    "name": "甲一社区闲置厂房",
    "lon": 113.603,
    "lat": 34.752,
    "building_type": "idle_factory",
    "floor_area_m2": "1200.00",
    "space_source": "convert",
    "renovation_cost_cny": "2500000.00",
}


class TestRegistryWrites(FourWayTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.sample = make_registry(cls.tree)

    def post(self, name, data):
        return self.client.post(reverse(name), data, content_type="application/json")

    def test_create_four_ways(self):
        payload = {**NEW_SITE, "jurisdiction": self.tree.community_a.pk}
        self.assertIn(self.post("api:candidatesite-list", payload).status_code, (401, 403))
        self.client.force_login(self.unpermitted)
        self.assertEqual(self.post("api:candidatesite-list", payload).status_code, 403)
        self.client.force_login(self.permitted)
        outside = self.post(
            "api:candidatesite-list", {**payload, "jurisdiction": self.tree.community_b.pk}
        )
        self.assertEqual(outside.status_code, 400)
        self.assertIn("jurisdiction", outside.json())
        created = self.post("api:candidatesite-list", payload)
        self.assertEqual(created.status_code, 201, created.content)
        site = CandidateSite.objects.get(code="S-A-9")
        self.assertEqual(created.json()["renovation_cost_cny"], "2500000.00")
        record = AuditRecord.objects.get(
            object_type="registry.candidatesite", object_id=str(site.pk)
        )
        self.assertEqual((record.action, record.actor), ("create", self.permitted))

    def test_model_validation_answers_400_and_changes_nothing(self):
        self.client.force_login(self.permitted)
        count = CandidateSite.objects.count()
        bad = {**NEW_SITE, "jurisdiction": self.tree.community_a.pk, "lat": 95}
        response = self.post("api:candidatesite-list", bad)
        self.assertEqual(response.status_code, 400)
        self.assertIn("lat", response.json())
        self.assertEqual(CandidateSite.objects.count(), count)

    def test_update_and_delete_in_and_out_of_scope(self):
        self.client.force_login(self.permitted)
        url_a = reverse("api:candidatesite-detail", args=[self.sample.site_a.pk])
        url_b = reverse("api:candidatesite-detail", args=[self.sample.site_b.pk])
        patch = self.client.patch(url_a, {"status": "reserved"}, content_type="application/json")
        self.assertEqual(patch.status_code, 200)
        self.assertEqual(
            self.client.patch(
                url_b, {"status": "reserved"}, content_type="application/json"
            ).status_code,
            404,
        )
        self.assertEqual(self.client.delete(url_b).status_code, 404)
        self.assertEqual(self.client.delete(url_a).status_code, 204)
        self.assertFalse(CandidateSite.objects.filter(pk=self.sample.site_a.pk).exists())
        actions = set(
            AuditRecord.objects.filter(
                object_type="registry.candidatesite", object_id=str(self.sample.site_a.pk)
            ).values_list("action", flat=True)
        )
        self.assertEqual(actions, {"create", "update", "delete"})

    def test_facility_with_functions(self):
        self.client.force_login(self.permitted)
        payload = {
            "code": "F-A-9",
            "name": "甲一托育园",
            "jurisdiction": self.tree.community_a.pk,
            "kind": "scattered",
            "lon": 113.604,
            "lat": 34.751,
            "gross_floor_area_m2": "480",
            "functions": [{"scenario": "infant_care", "category": "inclusive", "infant_slots": 50}],
        }
        response = self.post("api:facility-list", payload)
        self.assertEqual(response.status_code, 201, response.content)
        facility = Facility.objects.get(code="F-A-9")
        self.assertEqual(
            list(facility.functions.values_list("scenario", "infant_slots")), [("infant_care", 50)]
        )
        url = reverse("api:facility-detail", args=[facility.pk])
        renamed = self.client.patch(
            url, {"name": "甲一普惠托育园"}, content_type="application/json"
        )
        self.assertEqual(renamed.status_code, 200)
        self.assertEqual(facility.functions.count(), 1)  # functions kept when not sent
