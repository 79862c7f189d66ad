"""Authentication events into the security log (logins, failures, lockouts, logouts), and the
session stamps that the sign-in policy reads (linli.accounts.middleware)."""

import time

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from linli.accounts import notices, throttle, twofactor
from linli.audit.models import SecurityEventKind
from linli.audit.services import security_event_record

SIGNED_IN_AT = "linli_signed_in_at"  # start of the session (its absolute lifetime)
AUTHENTICATED_AT = "linli_authenticated_at"  # last time the user proved who they are


def mark_authenticated(request) -> None:
    request.session[AUTHENTICATED_AT] = time.time()


@receiver(user_logged_in, dispatch_uid="linli_login")
def _login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = time.time()
        mark_authenticated(request)
    security_event_record(kind=SecurityEventKind.LOGIN, user=user)
    if request is not None and not twofactor.required(user):
        notices.greet(request, user)  # else once the second factor is passed


@receiver(user_logged_out, dispatch_uid="linli_logout")
def _logout(sender, request, user, **kwargs):
    if user is not None:
        security_event_record(kind=SecurityEventKind.LOGOUT, user=user)


@receiver(user_login_failed, dispatch_uid="linli_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    if getattr(request, "linli_refused", ""):
        return  # refused before the password was checked: logged by _locked_out below
    security_event_record(
        kind=SecurityEventKind.LOGIN_FAILED, username=str(credentials.get("username", ""))[:150]
    )


@receiver(user_locked_out, dispatch_uid="linli_lockout")
def _locked_out(sender, request, username, ip_address, **kwargs):
    reason = getattr(request, "linli_refused", "") or throttle.PAIR
    kind = (
        SecurityEventKind.LOGIN_THROTTLED
        if reason == throttle.ACCOUNT_DELAY
        else SecurityEventKind.LOCKOUT
    )
    detail = {"reason": reason}
    if getattr(request, "linli_wait_seconds", 0) and reason == throttle.ACCOUNT_DELAY:
        detail["wait_seconds"] = request.linli_wait_seconds
    from linli.accounts.models import User

    account = User.objects.filter(username=username).first() if username else None
    security_event_record(kind=kind, user=account, username=(username or "")[:150], detail=detail)
