"""The API root (the README points there): it answers every signed-in user and token with the
endpoints that account may read, and refuses the anonymous."""

from django.urls import reverse
from rest_framework.authtoken.models import Token

from linli.accounts.roles import Role
from linli.core.testing import FourWayTestCase, make_user


class TestAPIRoot(FourWayTestCase):
    def test_anonymous_is_refused(self):
        self.assertIn(self.client.get(reverse("api:api-root")).status_code, (401, 403))

    def test_every_role_is_answered_with_what_it_may_read(self):
        for role in Role:
            user = make_user(self.tree, role, self.tree.city, f"root-{role.value}")
            self.client.force_login(user)
            response = self.client.get(reverse("api:api-root"), HTTP_ACCEPT="application/json")
            self.assertEqual(response.status_code, 200, role)
            listed = response.json()
            if user.has_perm("registry.view_facility"):
                self.assertIn("facilities", listed)
            else:
                self.assertNotIn("facilities", listed)
            if user.has_perm("funding.view_application"):
                self.assertIn("funding/applications", listed)
            else:
                self.assertNotIn("funding/applications", listed)

    def test_a_token_is_answered(self):
        token = Token.objects.create(user=self.permitted)
        response = self.client.get(
            reverse("api:api-root"),
            HTTP_AUTHORIZATION=f"Token {token.key}",
            HTTP_ACCEPT="application/json",
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("communities", response.json())
