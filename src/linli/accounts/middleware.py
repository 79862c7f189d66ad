"""The sign-in policy, request by request: a session's absolute lifetime, the second factor,
and a password that must be replaced first.

Each gate lets through only what a user in that state needs (the pages of the step, signing
out, the language switch, static files); API requests get a 403 rather than a redirect.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from linli.accounts import twofactor
from linli.accounts.services import password_change_due
from linli.accounts.signals import SIGNED_IN_AT
from linli.audit.models import SecurityEventKind
from linli.audit.services import security_event_record

SEEN_AT = "linli_seen_at"  # the session's last refresh of its idle timeout


def _always_open(request) -> bool:
    return request.path.startswith(settings.STATIC_URL) or request.path in (
        reverse("logout"),
        reverse("set_language"),
    )


def _refuse(request, url_name: str, message: str):
    """Send the user to the page of the step (keeping where they were going), or 403 JSON."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=403)
    url = reverse(url_name)
    if request.method == "GET" and request.path != reverse("home"):
        url += "?" + urlencode({"next": request.get_full_path()})
    return redirect(url)


class SessionLifetimeMiddleware:
    """However active, a session ends ``LINLI_SESSION_MAX_HOURS`` after sign-in (the idle
    timeout alone would let a busy session live for ever).

    Activity keeps it alive: once ``SESSION_REFRESH_SECONDS`` have passed since the last
    refresh, the session is marked changed, so that its expiry moves to the idle timeout from
    now. The timeout is exact to within that interval, and a page view writes no session row
    in between (Django's SESSION_SAVE_EVERY_REQUEST would write one on every request)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            started = request.session.setdefault(SIGNED_IN_AT, time.time())
            now = time.time()
            if now - started > settings.SESSION_MAX_HOURS * 3600:
                security_event_record(kind=SecurityEventKind.SESSION_EXPIRED, user=user)
                logout(request)
                messages.info(request, _("Your session has ended. Please sign in again."))
                return _refuse(request, "login", _("Your session has ended."))
            if now - request.session.get(SEEN_AT, 0) >= settings.SESSION_REFRESH_SECONDS:
                request.session[SEEN_AT] = now
        return self.get_response(request)


class SecondFactorRequiredMiddleware:
    """After the password, officials and administrators pass their second factor (or enrol
    one) before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not twofactor.is_verified(request)
            and twofactor.required(user)
            and not _always_open(request)
        ):
            step = "accounts:verify" if twofactor.has_device(user) else "accounts:enrol"
            if request.path != reverse(step):
                return _refuse(request, step, _("Two-factor sign-in is not complete."))
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """Until the password is replaced (an administrator's flag, or past its age), every page
    but the password page (and re-authentication for it) redirects there."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and password_change_due(user):
            allowed = (reverse("accounts:password_change"), reverse("accounts:reauthenticate"))
            if request.path not in allowed and not _always_open(request):
                messages.warning(request, _("Please replace your password before going on."))
                return _refuse(request, "accounts:password_change", _("Password change required."))
        return self.get_response(request)
