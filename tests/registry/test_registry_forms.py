"""Four-way tests for the registry forms and endpoints not covered elsewhere."""

from django.urls import reverse

from linli.core.testing import APITestCases, FourWayTestCase
from linli.registry.testing import make_registry


class _Sample(FourWayTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.sample = make_registry(cls.tree)


class TestScopedEditForms(_Sample):
    """Edit pages of scoped objects: login, 403, 200 in scope, 404 out of scope."""

    CASES = (
        ("registry:community_edit", "community_a", "community_b"),
        ("registry:facility_edit", "facility_a", "facility_b"),
        ("registry:candidatesite_edit", "site_a", "site_b"),
    )

    def test_four_ways(self):
        for name, inside, outside in self.CASES:
            with self.subTest(name):
                url_in = reverse(name, args=[getattr(self.sample, inside).pk])
                url_out = reverse(name, args=[getattr(self.sample, outside).pk])
                self.client.logout()
                self.assertEqual(self.client.get(url_in).status_code, 302)
                self.client.force_login(self.unpermitted)
                self.assertEqual(self.client.get(url_in).status_code, 403)
                self.client.force_login(self.permitted)
                self.assertEqual(self.client.get(url_in).status_code, 200)
                self.assertEqual(self.client.get(url_out).status_code, 404)


class TestCreateForms(_Sample):
    """Create pages: login, 403, 200; their community choices hold only the scope."""

    def test_four_ways(self):
        for name in (
            "registry:community_create",
            "registry:facility_create",
            "registry:candidatesite_create",
            "registry:operator_create",
        ):
            with self.subTest(name):
                url = reverse(name)
                self.client.logout()
                self.assertEqual(self.client.get(url).status_code, 302)
                self.client.force_login(self.unpermitted)
                self.assertEqual(self.client.get(url).status_code, 403)
                self.client.force_login(self.permitted)
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                field = response.context["form"].fields.get("jurisdiction")
                if field is not None:
                    self.assertNotIn(self.tree.community_b, list(field.queryset))


class TestOperatorPages(_Sample):
    """Operators are not scoped: permitted users see them whatever their jurisdiction."""

    def test_detail_and_edit(self):
        detail = reverse("registry:operator_detail", args=[self.sample.operator.pk])
        edit = reverse("registry:operator_edit", args=[self.sample.operator.pk])
        self.assertEqual(self.client.get(detail).status_code, 302)
        self.client.force_login(self.unpermitted)
        self.assertEqual(self.client.get(detail).status_code, 403)
        self.client.force_login(self.permitted)
        response = self.client.get(detail)
        self.assertContains(response, self.sample.operator.uscc)
        self.assertContains(response, self.sample.facility_a.name)
        self.assertNotContains(response, self.sample.facility_b.name)  # its facilities: scoped
        self.assertEqual(self.client.get(edit).status_code, 200)


class TestCompoundEndpoint(APITestCases.Endpoint):
    basename = "compound"

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        from linli.accounts.roles import Role
        from linli.core.testing import make_user
        from linli.registry.models import Compound, Level
        from linli.registry.services import jurisdiction_create, registry_create

        keeper = make_user(cls.tree, Role.CITY_ADMIN, cls.tree.city, "keeper")
        cls.compounds = []
        for community, code in (
            (cls.tree.community_a, "990101001001001"),
            (cls.tree.community_b, "990101002001001"),
        ):
            node = jurisdiction_create(
                actor=cls.tree.admin,
                parent=community,
                name=f"{community.name}一号院",
                level=Level.COMPOUND,
                code=code,
            )
            cls.compounds.append(
                registry_create(actor=keeper, model=Compound, jurisdiction=node, households=300)
            )

    def in_scope(self):
        return self.compounds[0]

    def out_of_scope(self):
        return self.compounds[1]


class TestOperatorEndpoint(_Sample):
    def test_listed_for_the_permitted_only(self):
        url = reverse("api:operator-list")
        self.assertIn(self.client.get(url).status_code, (401, 403))
        self.client.force_login(self.unpermitted)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.client.force_login(self.permitted)
        self.assertEqual(
            self.client.get(url).json()["results"][0]["uscc"], self.sample.operator.uscc
        )
