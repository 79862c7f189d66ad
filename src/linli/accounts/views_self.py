"""A user's own steps: the second factor at sign-in, setting a password with the two codes,
signing in again before a sensitive change, and the user's own account page."""

from __future__ import annotations

import time
from functools import wraps

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from linli.accounts import credentials, notices, services, twofactor
from linli.accounts.forms import ActivateForm, CodeForm, PasswordSetForm, ReauthenticateForm
from linli.accounts.models import CredentialRequest
from linli.accounts.signals import AUTHENTICATED_AT, mark_authenticated
from linli.accounts.views import secret
from linli.audit.models import SecurityEvent, SecurityEventKind
from linli.audit.services import security_event_record

ENROLLING = "linli_enrolling_device"
CODE_FAILURES = "linli_code_failures"


def _next(request, default: str = "home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


def _reauthentication_due(request):
    """A redirect to re-authenticate unless the user proved who they are within
    ``LINLI_REAUTHENTICATE_MINUTES``; None when they did."""
    proved = request.session.get(AUTHENTICATED_AT, 0)
    if time.time() - proved <= settings.REAUTHENTICATE_MINUTES * 60:
        return None
    query = urlencode({"next": request.get_full_path()})
    return redirect(f"{reverse('accounts:reauthenticate')}?{query}")


def recently_authenticated(view):
    """The view runs only for a user who proved who they are recently (or does so now)."""

    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        return _reauthentication_due(request) or view(request, *args, **kwargs)

    return wrapped


@login_required
def verify(request):
    """The second step of sign-in: a code from the authenticator, or a recovery code."""
    user = request.user
    if twofactor.is_verified(request) or not twofactor.required(user):
        return HttpResponseRedirect(_next(request))
    if not twofactor.has_device(user):
        return redirect("accounts:enrol")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if twofactor.verify(request, form.cleaned_data["code"]):
            request.session.pop(CODE_FAILURES, None)
            mark_authenticated(request)
            notices.greet(request, user)
            return HttpResponseRedirect(_next(request))
        failures = request.session.get(CODE_FAILURES, 0) + 1
        if failures >= settings.AXES_FAILURE_LIMIT:
            # Back to the password: each new try passes the sign-in throttle again.
            logout(request)
            messages.error(request, _("Too many wrong codes. Sign in again."))
            return redirect("login")
        request.session[CODE_FAILURES] = failures
        form.add_error("code", _("That code is not right, or was already used."))
    return render(
        request,
        "registration/verify.html",
        {
            "title": _("Two-factor sign-in"),
            "form": form,
            "wait_seconds": twofactor.wait_seconds(user),
            "next": _next(request),
        },
    )


@login_required
def enrol(request):
    """Set up an authenticator: at the first sign-in, or to replace one (after re-entry)."""
    user = request.user
    verified = twofactor.is_verified(request)
    if twofactor.has_device(user) and not verified:
        return redirect("accounts:verify")
    if verified and (due := _reauthentication_due(request)):
        return due  # replacing an authenticator, not a first one
    device = twofactor.authenticator(user, confirmed=False)
    if device is None or request.session.get(ENROLLING) != device.pk:
        device = twofactor.enrolment_start(user)
        request.session[ENROLLING] = device.pk
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = twofactor.enrolment_confirm(
            user=user, device=device, token=form.cleaned_data["code"]
        )
        if codes is not None:
            request.session.pop(ENROLLING, None)
            device.refresh_from_db()
            twofactor.otp_login(request, device)
            mark_authenticated(request)
            return _recovery_codes_page(request, codes)
        form.add_error("code", _("That code is not right. Check the clock of the phone."))
    return render(
        request,
        "accounts/enrol.html",
        {
            "title": _("Set up two-factor sign-in"),
            "form": form,
            "qr_code": twofactor.qr_code(device),
            "key": twofactor.key_text(device),
        },
    )


def _recovery_codes_page(request, codes: list[str]):
    return secret(
        render(
            request,
            "accounts/recovery_codes.html",
            {"title": _("Recovery codes"), "codes": codes, "next": _next(request)},
        )
    )


@login_required
def reauthenticate(request):
    """Prove again who you are (password, and the authenticator code) before a change of
    password or second factor. Guesses count towards the sign-in throttle; a lockout ends
    the session."""
    user = request.user
    with_code = twofactor.has_device(user)
    form = ReauthenticateForm(request.POST or None, with_code=with_code)
    if request.method == "POST" and form.is_valid():
        proved = authenticate(
            request, username=user.get_username(), password=form.cleaned_data["password"]
        )
        if getattr(request, "axes_locked_out", False):
            logout(request)
            return redirect("login")  # the sign-in throttle turns this into its lockout page
        if proved is None or proved.pk != user.pk:
            form.add_error("password", _("That password is not right."))
        elif with_code and not twofactor.check_code(user, form.cleaned_data["code"]):
            security_event_record(
                kind=SecurityEventKind.SECOND_FACTOR_FAILED, user=user, detail={"step": "re-entry"}
            )
            form.add_error("code", _("That code is not right, or was already used."))
        else:
            mark_authenticated(request)
            return HttpResponseRedirect(_next(request))
    return render(
        request,
        "accounts/reauthenticate.html",
        {"title": _("Confirm it is you"), "form": form, "next": _next(request)},
    )


@recently_authenticated
def password_change(request):
    """Every user sets their own new password (after proving who they are)."""
    form = PasswordSetForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                user=request.user, new_password=form.cleaned_data["new_password1"]
            )
        except ValidationError as error:
            form.add_error("new_password1", error.messages)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password has been changed."))
            return redirect("home")
    return render(
        request,
        "accounts/account_form.html",
        {"form": form, "title": _("Change your password")},
    )


@recently_authenticated
def second_factor(request):
    """The authenticator and recovery codes: replace the one, renew the others."""
    if request.method == "POST":
        return _recovery_codes_page(request, twofactor.recovery_codes_renew(user=request.user))
    return render(
        request,
        "accounts/second_factor.html",
        {
            "title": _("Two-factor sign-in"),
            "device": twofactor.authenticator(request.user),
            "recovery_left": twofactor.recovery_codes_left(request.user),
        },
    )


@login_required
def my_account(request):
    """Who I am, where I signed in from, and what others did to my credentials."""
    user = request.user
    mine = SecurityEvent.objects.filter(user=user)
    return render(
        request,
        "accounts/my_account.html",
        {
            "title": _("My account"),
            "sign_ins": mine.filter(kind=SecurityEventKind.LOGIN).order_by("-id")[:10],
            "events": mine.filter(kind__in=notices.NOTABLE_KINDS).order_by("-id")[:20],
            "token_requests": credentials.open_requests_for(user),
            "has_token": Token.objects.filter(user=user).exists(),
            "second_factor": twofactor.has_device(user),
            "password_changed_at": user.password_changed_at,
        },
    )


@login_required
@require_POST
def token_decide(request, pk: int):
    """The user confirms (and sees the key, once) or declines an API token request."""
    item = _own_request(request, pk)
    if request.POST.get("decision") != "confirm":
        credentials.credential_request_reject(actor=request.user, request=item)
        messages.success(request, _("API token declined."))
        return redirect("accounts:me")
    key = credentials.api_token_confirm(actor=request.user, request=item)
    return secret(
        render(
            request,
            "accounts/token_issued.html",
            {"title": _("Your API token"), "key": key},
        )
    )


def _own_request(request, pk: int) -> CredentialRequest:
    item = credentials.open_requests_for(request.user).filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


@login_required
@require_POST
def token_revoke(request):
    services.api_token_revoke(actor=request.user, user=request.user)
    messages.success(request, _("API token revoked."))
    return redirect("accounts:me")


def activate(request):
    """Set a password with both halves of the code (a new account, or a reset)."""
    if request.user.is_authenticated:
        logout(request)
    form = ActivateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        attempt = {"username": data["username"]}
        if not AxesProxyHandler.is_allowed(request, attempt):
            request.axes_locked_out = True
            request.axes_credentials = attempt
            user_login_failed.send(sender=__name__, credentials=attempt, request=request)
            return render(request, "registration/locked_out.html", status=429)
        try:
            user = credentials.account_activate(
                username=data["username"],
                first_code=data["first_code"],
                second_code=data["second_code"],
                new_password=data["new_password1"],
            )
        except credentials.CodeRefused as error:
            user_login_failed.send(sender=__name__, credentials=attempt, request=request)
            form.add_error(None, error.messages)
        except ValidationError as error:
            form.add_error("new_password1", error.messages)
        else:
            login(request, user, backend="linli.accounts.backends.RoleBackend")
            messages.success(request, _("Your password is set."))
            return redirect("home")
    return render(
        request,
        "registration/activate.html",
        {"title": _("Set your password with the two codes"), "form": form},
    )
