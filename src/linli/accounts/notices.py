"""Telling a user what others did to their account's credentials.

Every such act is a security event on the account; the user's own page (我的账号) lists them and
the first page after sign-in says when there are new ones. When the account has an e-mail
address, a message goes there as well, after the transaction commits (so a rolled-back act
sends nothing) — a user locked out of the platform still hears of a reset they did not ask for.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from linli.accounts.models import CredentialRequest, RequestKind, User
from linli.audit.models import SecurityEvent, SecurityEventKind

# Events on an account that its user should hear of (done by someone else, or unusual).
NOTABLE_KINDS = frozenset(
    {
        SecurityEventKind.REQUEST_FILED,
        SecurityEventKind.REQUEST_APPROVED,
        SecurityEventKind.PASSWORD_SET_WITH_CODES,
        SecurityEventKind.TOKEN_ISSUED,
        SecurityEventKind.TOKEN_REVOKED,
        SecurityEventKind.SECOND_FACTOR_REMOVED,
        SecurityEventKind.LOCKOUT,
        SecurityEventKind.UNLOCK,
        SecurityEventKind.RECOVERY_CODE_USED,
    }
)


def _mail(user: User, subject: str, body: str) -> None:
    if not user.email:
        return
    footer = _("If you did not expect this, tell your security administrator at once.")
    transaction.on_commit(
        lambda: send_mail(
            f"[linli] {subject}",
            f"{body}\n\n{footer}",
            settings.DEFAULT_FROM_EMAIL,
            [user.email],
            fail_silently=True,
        )
    )


def _in_chinese(function):
    """Mail goes out in the platform's default language, whatever the actor's page shows."""

    def wrapper(*args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return function(*args, **kwargs)

    return wrapper


def _request_mail(request: CredentialRequest, sentence: str, admin, follow_up: str = "") -> None:
    what = request.get_kind_display()
    body = sentence % {"admin": admin, "account": request.user.username, "what": what}
    _mail(request.user, what, f"{body} {follow_up}".strip())


@_in_chinese
def request_filed(request: CredentialRequest) -> None:
    _request_mail(
        request,
        _("%(admin)s asked for this on your account %(account)s: %(what)s."),
        request.requested_by,
        _("Confirm or decline it under My account after you sign in.")
        if request.kind == RequestKind.API_TOKEN
        else "",
    )


@_in_chinese
def request_approved(request: CredentialRequest) -> None:
    _request_mail(
        request,
        _("%(admin)s approved this on your account %(account)s: %(what)s."),
        request.decided_by,
        _("At your next sign-in you set up a new authenticator.")
        if request.kind == RequestKind.SECOND_FACTOR_RESET
        else "",
    )


@_in_chinese
def password_set(request: CredentialRequest) -> None:
    _mail(
        request.user,
        _("Password set"),
        _("A password was set on your account %(account)s with the administrators' codes.")
        % {"account": request.user.username},
    )


@_in_chinese
def token_issued(request: CredentialRequest) -> None:
    _mail(
        request.user,
        _("API token issued"),
        _("An API token was issued for your account %(account)s.")
        % {"account": request.user.username},
    )


def greet(request, user: User) -> None:
    """On the first page after sign-in: say so when others changed the user's sign-in."""
    changes = since_last_sign_in(user).count()
    if changes:
        messages.info(
            request,
            ngettext(
                "Since your last sign-in there was %(count)d change to your sign-in: see My "
                "account.",
                "Since your last sign-in there were %(count)d changes to your sign-in: see My "
                "account.",
                changes,
            )
            % {"count": changes},
            fail_silently=True,
        )


def since_last_sign_in(user: User):
    """Notable events on ``user``'s account since the sign-in before the current one."""
    logins = SecurityEvent.objects.filter(user=user, kind=SecurityEventKind.LOGIN)
    previous = logins.order_by("-id").values_list("id", flat=True)[1:2]
    events = SecurityEvent.objects.filter(user=user, kind__in=NOTABLE_KINDS)
    if previous:
        events = events.filter(id__gt=previous[0])
    return events.order_by("-id")
