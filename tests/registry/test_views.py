from django.urls import reverse

from linli.accounts.roles import Role
from linli.audit.models import AuditRecord
from linli.core.testing import FourWayTestCase, ViewTestCases, make_user
from linli.registry.models import Jurisdiction


class _StreetScope:
    def in_scope(self):
        return self.tree.community_a

    def out_of_scope(self):
        return self.tree.community_b


class TestJurisdictionDetail(_StreetScope, ViewTestCases.DetailView):
    url_name = "registry:jurisdiction_detail"

    def test_breadcrumbs_stop_at_the_scope(self):
        self.client.force_login(self.permitted)
        response = self.client.get(self.url(self.tree.community_a))
        self.assertContains(response, self.tree.street_a.name)
        self.assertNotContains(response, self.tree.district.name)


class TestJurisdictionList(_StreetScope, ViewTestCases.ListView):
    url_name = "registry:jurisdiction_list"


class TestJurisdictionAddChild(_StreetScope, ViewTestCases.DetailView):
    url_name = "registry:jurisdiction_add_child"
    permitted_role = Role.SYSTEM_ADMIN
    unpermitted_role = Role.STREET_OFFICER

    def test_permitted_in_scope_is_shown(self):
        self.client.force_login(self.permitted)
        self.assertEqual(self.client.get(self.url(self.in_scope())).status_code, 200)

    def test_post_creates_an_audited_compound(self):
        self.client.force_login(self.permitted)
        response = self.client.post(
            self.url(self.tree.community_a),
            {"name": "幸福里小区", "code": "990101001001001"},
            REMOTE_ADDR="10.1.2.3",
            HTTP_X_REQUEST_ID="req-add-compound-1",
        )
        node = Jurisdiction.objects.get(name="幸福里小区")
        self.assertRedirects(response, node.get_absolute_url())
        self.assertEqual(Jurisdiction.objects.get_parent(node), self.tree.community_a)
        record = AuditRecord.objects.get(
            object_type="registry.jurisdiction", object_id=str(node.pk)
        )
        # The client's own X-Request-ID is not believed (only a trusted proxy's is).
        self.assertEqual(
            (record.actor, record.action, record.client_ip, record.request_id),
            (self.permitted, "create", "10.1.2.3", response["X-Request-ID"]),
        )
        self.assertNotEqual(record.request_id, "req-add-compound-1")
        self.assertEqual(record.after["name"], "幸福里小区")

    def test_bad_code_changes_nothing(self):
        self.client.force_login(self.permitted)
        before = (Jurisdiction.objects.count(), AuditRecord.objects.count())
        response = self.client.post(self.url(self.tree.community_a), {"name": "x", "code": "12ab"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "is-invalid")
        self.assertEqual((Jurisdiction.objects.count(), AuditRecord.objects.count()), before)

    def test_out_of_scope_post_is_not_found_and_changes_nothing(self):
        self.client.force_login(self.permitted)
        count = Jurisdiction.objects.count()
        response = self.client.post(self.url(self.out_of_scope()), {"name": "越权小区"})
        self.assertEqual(response.status_code, 404)
        self.assertEqual(Jurisdiction.objects.count(), count)


class TestJurisdictionEdit(_StreetScope, ViewTestCases.DetailView):
    url_name = "registry:jurisdiction_edit"
    permitted_role = Role.SYSTEM_ADMIN
    unpermitted_role = Role.CITY_ADMIN

    def test_post_records_before_and_after(self):
        self.client.force_login(self.permitted)
        node = self.tree.community_a
        self.client.post(self.url(node), {"name": "甲一新社区", "code": node.code})
        record = AuditRecord.objects.filter(object_id=str(node.pk), action="update").get()
        self.assertEqual((record.before["name"], record.after["name"]), ("甲一社区", "甲一新社区"))


class TestScopeOfEachLevel(FourWayTestCase):
    """A district officer sees both streets; a community worker only its community."""

    def test_district_officer_sees_the_whole_district(self):
        officer = make_user(self.tree, Role.DISTRICT_OFFICER, self.tree.district)
        self.client.force_login(officer)
        for node in (self.tree.community_a, self.tree.community_b):
            url = reverse("registry:jurisdiction_detail", args=[node.pk])
            self.assertEqual(self.client.get(url).status_code, 200)
        city_url = reverse("registry:jurisdiction_detail", args=[self.tree.city.pk])
        self.assertEqual(self.client.get(city_url).status_code, 404)

    def test_community_worker_cannot_see_its_street(self):
        worker = make_user(self.tree, Role.COMMUNITY_WORKER, self.tree.community_a)
        self.client.force_login(worker)
        url = reverse("registry:jurisdiction_detail", args=[self.tree.street_a.pk])
        self.assertEqual(self.client.get(url).status_code, 404)
