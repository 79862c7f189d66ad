"""API token authentication that honours the sign-in policy."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from linli.accounts.services import password_change_due


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token check, refused while the account must replace its password: a token
    must not outlive the rule that stops the account's sign-in (等保: forced change)."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if password_change_due(user):
            raise exceptions.AuthenticationFailed(
                _("The account must replace its password: sign in on the web first.")
            )
        return user, token
