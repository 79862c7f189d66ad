"""The demo's accounts, opened the way the platform opens any: asked for by the system
administrator, approved by the security administrator, password set with both codes. Roles
that need a second factor get an authenticator with a random key, which ``linli demo``
prints (add it to an authenticator app, or run ``linli demo --code USERNAME``)."""

from __future__ import annotations

from linli.accounts import twofactor
from linli.accounts.credentials import account_open
from linli.accounts.models import User
from linli.accounts.roles import Role
from linli.demo import DEMO_PASSWORD


def open_account(**fields) -> User:
    user = account_open(
        requested_by=User.objects.get(username=f"demo_{Role.SYSTEM_ADMIN}"),
        approved_by=User.objects.get(username=f"demo_{Role.SECURITY_ADMIN}"),
        password=DEMO_PASSWORD,
        **fields,
    )
    if twofactor.required(user):
        twofactor.authenticator_install(user=user)
    return user
