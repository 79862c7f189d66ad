"""Send a user whose password an administrator chose to the password page first."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _


class PasswordChangeRequiredMiddleware:
    """Until ``must_change_password`` is cleared, every page but the password page, logout,
    the language switch and static files redirects to the password page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            allowed = (
                reverse("accounts:password_change"),
                reverse("logout"),
                reverse("set_language"),
            )
            if request.path not in allowed and not request.path.startswith(settings.STATIC_URL):
                messages.warning(request, _("Please replace the password you were given."))
                return redirect("accounts:password_change")
        return self.get_response(request)
