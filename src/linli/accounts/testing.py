"""Test helpers for signing in with the second factor.

Test accounts of roles that need a second factor get an authenticator with a known key
(:func:`give_authenticator`); a test signs in through the real login and verify pages by
typing :func:`code_for` the user, or stands for a finished sign-in with the test client's
``force_login`` (tests/conftest.py makes that pass the second factor too, via
:func:`pass_second_factor`).
"""

from __future__ import annotations

import time

from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from linli.accounts import twofactor
from linli.accounts.models import User

# RFC 6238's test key ("12345678901234567890"): a known secret, for test accounts only.
TEST_TOTP_KEY = "3132333435363738393031323334353637383930"


def give_authenticator(user: User, key: str = TEST_TOTP_KEY) -> TOTPDevice:
    """A confirmed authenticator with ``key`` (replacing any other)."""
    return twofactor.authenticator_install(user=user, key=key)


def code_for(user: User | str) -> str:
    """The code the user's authenticator shows now, as a person would type it.

    django-otp refuses a code of a time step already used (replay); a test that signs the
    same user in twice within 30 seconds would have to wait, so the helper moves the
    device's replay guard back one step instead. Replay refusal is tested on its own.
    """
    if isinstance(user, str):
        user = User.objects.get(username=user)
    device = twofactor.authenticator(user)
    step_now = int(time.time() - device.t0) // device.step
    TOTPDevice.objects.filter(pk=device.pk).update(
        last_t=step_now - 1, throttling_failure_count=0, drift=0
    )
    device.refresh_from_db()
    return twofactor.current_code(device)


def pass_second_factor(client, user: User) -> None:
    """Mark the test client's session as having passed the second factor."""
    if not twofactor.required(user):
        return
    device = twofactor.authenticator(user) or give_authenticator(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def sign_in(client, username: str, password: str):
    """Sign in through the login page and, when asked, the code page; returns the last
    response (followed)."""
    response = client.post(
        reverse("login"), {"username": username, "password": password}, follow=True
    )
    if response.request["PATH_INFO"] == reverse("accounts:verify"):
        response = client.post(
            reverse("accounts:verify"), {"code": code_for(username)}, follow=True
        )
    return response
