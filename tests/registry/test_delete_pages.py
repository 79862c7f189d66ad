"""Deleting registry records: four ways, audited, and refused while something refers to them."""

from __future__ import annotations

from django.urls import reverse

from linli.audit.models import AuditAction, AuditRecord
from linli.core.testing import FourWayTestCase
from linli.registry.models import CandidateSite, Facility, Operator
from linli.registry.testing import make_registry


class TestDelete(FourWayTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.sample = make_registry(cls.tree)

    def url(self, name, obj):
        return reverse(f"registry:{name}_delete", args=[obj.pk])

    def test_anonymous_is_sent_to_login(self):
        response = self.client.post(self.url("candidatesite", self.sample.site_a))
        self.assertTrue(response["Location"].startswith(reverse("login")))
        self.assertTrue(CandidateSite.objects.filter(pk=self.sample.site_a.pk).exists())

    def test_without_permission_is_forbidden(self):
        self.client.force_login(self.unpermitted)
        url = self.url("candidatesite", self.sample.site_a)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.assertEqual(self.client.post(url).status_code, 403)
        self.assertTrue(CandidateSite.objects.filter(pk=self.sample.site_a.pk).exists())

    def test_permitted_confirms_then_deletes_with_an_audit_record(self):
        self.client.force_login(self.permitted)
        detail = self.client.get(self.sample.site_a.get_absolute_url())
        self.assertContains(detail, self.url("candidatesite", self.sample.site_a))
        url = self.url("candidatesite", self.sample.site_a)
        self.assertContains(self.client.get(url), 'id="confirm-delete"')
        self.assertTrue(CandidateSite.objects.filter(pk=self.sample.site_a.pk).exists())
        response = self.client.post(url)
        self.assertRedirects(response, reverse("registry:candidatesite_list"))
        self.assertFalse(CandidateSite.objects.filter(pk=self.sample.site_a.pk).exists())
        record = AuditRecord.objects.get(
            action=AuditAction.DELETE, object_id=str(self.sample.site_a.pk)
        )
        self.assertEqual(record.before["name"], self.sample.site_a.name)

    def test_permitted_out_of_scope_is_not_found(self):
        self.client.force_login(self.permitted)
        url = self.url("facility", self.sample.facility_b)
        self.assertEqual(self.client.post(url).status_code, 404)
        self.assertTrue(Facility.objects.filter(pk=self.sample.facility_b.pk).exists())

    def test_a_referenced_record_stays_and_says_why(self):
        self.client.force_login(self.permitted)
        operator = self.sample.operator  # both sample facilities name it
        response = self.client.post(self.url("operator", operator), follow=True)
        self.assertRedirects(response, operator.get_absolute_url())
        self.assertContains(response, "设施")
        self.assertTrue(Operator.objects.filter(pk=operator.pk).exists())
        self.assertFalse(AuditRecord.objects.filter(action=AuditAction.DELETE).exists())
