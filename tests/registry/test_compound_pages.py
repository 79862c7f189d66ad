"""Compound (小区) pages four ways: list, detail, create and edit, and the community's list."""

from __future__ import annotations

from django.urls import reverse

from linli.accounts.roles import Role
from linli.audit.models import AuditRecord
from linli.core.testing import ViewTestCases, make_user
from linli.registry.models import Compound, Jurisdiction, Level
from linli.registry.services import compound_create
from linli.registry.testing import make_registry


class _Compounds:
    """One compound in community A (in scope of street A) and one in community B."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.sample = make_registry(cls.tree)
        keeper = make_user(cls.tree, Role.CITY_ADMIN, cls.tree.city, "keeper")
        cls.compound_a = compound_create(
            actor=keeper, community=cls.tree.community_a, name="甲一社区一号院", households=420
        )
        cls.compound_b = compound_create(
            actor=keeper, community=cls.tree.community_b, name="乙一社区幸福里", households=380
        )

    def in_scope(self):
        return self.compound_a

    def out_of_scope(self):
        return self.compound_b


class TestCompoundList(_Compounds, ViewTestCases.ListView):
    url_name = "registry:compound_list"

    def test_shows_the_community_and_filters_new_estates(self):
        self.client.force_login(self.permitted)
        page = self.client.get(reverse(self.url_name))
        self.assertContains(page, self.tree.community_a.name)
        self.assertNotContains(
            self.client.get(reverse(self.url_name), {"new_estate": "true"}), "甲一社区一号院"
        )


class TestCompoundDetail(_Compounds, ViewTestCases.DetailView):
    url_name = "registry:compound_detail"

    def test_the_community_page_lists_its_compounds(self):
        self.client.force_login(self.permitted)
        page = self.client.get(self.sample.community_a.get_absolute_url())
        self.assertContains(page, 'id="compounds"')
        self.assertContains(page, "甲一社区一号院")
        self.assertNotContains(page, "乙一社区幸福里")


class TestCompoundForms(_Compounds, ViewTestCases.DetailView):
    """Create and edit: the street officer adds compounds in its own communities only."""

    url_name = "registry:compound_edit"

    def test_permitted_creates_node_and_record_audited(self):
        self.client.force_login(self.permitted)
        response = self.client.post(
            reverse("registry:compound_create"),
            {
                "community": self.tree.community_a.pk,
                "name": "甲一社区新苑",
                "households": 260,
                "year_built": 2024,
                "new_estate": "on",
            },
        )
        compound = Compound.objects.get(jurisdiction__name="甲一社区新苑")
        self.assertRedirects(response, compound.get_absolute_url())
        node = compound.jurisdiction
        self.assertEqual(node.level, Level.COMPOUND)
        self.assertEqual(Jurisdiction.objects.get_parent(node), self.tree.community_a)
        self.assertTrue(compound.new_estate)
        audited = set(
            AuditRecord.objects.filter(actor=self.permitted)
            .exclude(object_type="accounts.user")  # the officer setting a first password
            .values_list("object_type", flat=True)
        )
        self.assertEqual(audited, {"registry.jurisdiction", "registry.compound"})

    def test_out_of_scope_community_is_not_offered(self):
        self.client.force_login(self.permitted)
        before = Jurisdiction.objects.count()
        response = self.client.post(
            reverse("registry:compound_create"),
            {"community": self.tree.community_b.pk, "name": "越界小区", "households": 10},
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(Jurisdiction.objects.count(), before)

    def test_unpermitted_cannot_create(self):
        self.client.force_login(self.unpermitted)
        self.assertEqual(self.client.get(reverse("registry:compound_create")).status_code, 403)

    def test_edit_renames_the_node_and_keeps_the_community(self):
        self.client.force_login(self.permitted)
        page = self.client.get(self.url(self.compound_a))
        self.assertNotContains(page, 'name="community"')
        self.client.post(
            self.url(self.compound_a), {"name": "甲一社区一号院（东区）", "households": 430}
        )
        self.compound_a.refresh_from_db()
        self.assertEqual(self.compound_a.jurisdiction.name, "甲一社区一号院（东区）")
        self.assertEqual(self.compound_a.households, 430)
        self.assertEqual(
            Jurisdiction.objects.get_parent(self.compound_a.jurisdiction), self.tree.community_a
        )
