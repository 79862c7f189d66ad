"""Suite-wide test setup."""

from django.test import Client


def pytest_configure(config):
    """The test client's ``force_login`` stands for a finished sign-in — password and, for
    the roles that need one, the second factor. Tests of the sign-in itself go through the
    login and verify pages (``linli.accounts.testing.sign_in``)."""
    plain_force_login = Client.force_login

    def force_login(self, user, backend=None):
        from linli.accounts.testing import pass_second_factor

        plain_force_login(self, user, backend)
        pass_second_factor(self, user)

    Client.force_login = force_login
