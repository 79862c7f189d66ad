from django.urls import reverse

from linli.accounts.roles import Role
from linli.core.testing import ViewTestCases, make_user


class TestUserList(ViewTestCases.ListView):
    url_name = "accounts:user_list"
    permitted_role = Role.SECURITY_ADMIN
    unpermitted_role = Role.STREET_OFFICER

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.inside = make_user(cls.tree, Role.RESIDENT, cls.tree.community_a, "resident-inside")
        cls.outside = make_user(cls.tree, Role.RESIDENT, cls.tree.community_b, "resident-outside")

    def in_scope(self):
        return self.inside

    def out_of_scope(self):
        return self.outside


class TestUserUnlock(ViewTestCases.DetailView):
    url_name = "accounts:user_unlock"
    permitted_role = Role.SECURITY_ADMIN
    unpermitted_role = Role.SYSTEM_ADMIN

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.inside = make_user(cls.tree, Role.RESIDENT, cls.tree.community_a, "resident-inside")
        cls.outside = make_user(cls.tree, Role.RESIDENT, cls.tree.community_b, "resident-outside")

    def in_scope(self):
        return self.inside

    def out_of_scope(self):
        return self.outside

    # Unlocking is a POST action: the four ways apply to POST.
    def test_anonymous_is_sent_to_login(self):
        response = self.client.post(self.url(self.in_scope()))
        self.assertTrue(response["Location"].startswith(reverse("login")))

    def test_without_permission_is_forbidden(self):
        self.client.force_login(self.unpermitted)
        self.assertEqual(self.client.post(self.url(self.in_scope())).status_code, 403)

    def test_permitted_in_scope_is_shown(self):
        self.client.force_login(self.permitted)
        self.assertRedirects(
            self.client.post(self.url(self.in_scope())), reverse("accounts:user_list")
        )

    def test_permitted_out_of_scope_is_not_found(self):
        self.client.force_login(self.permitted)
        self.assertEqual(self.client.post(self.url(self.out_of_scope())).status_code, 404)

    def test_get_is_not_allowed(self):
        self.client.force_login(self.permitted)
        self.assertEqual(self.client.get(self.url(self.in_scope())).status_code, 405)
