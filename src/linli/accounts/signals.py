"""Authentication events into the security log (logins, failures, lockouts, logouts)."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from linli.audit.models import SecurityEventKind
from linli.audit.services import security_event_record


@receiver(user_logged_in, dispatch_uid="linli_login")
def _login(sender, request, user, **kwargs):
    security_event_record(kind=SecurityEventKind.LOGIN, user=user)


@receiver(user_logged_out, dispatch_uid="linli_logout")
def _logout(sender, request, user, **kwargs):
    if user is not None:
        security_event_record(kind=SecurityEventKind.LOGOUT, user=user)


@receiver(user_login_failed, dispatch_uid="linli_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    security_event_record(
        kind=SecurityEventKind.LOGIN_FAILED, username=str(credentials.get("username", ""))[:150]
    )


@receiver(user_locked_out, dispatch_uid="linli_lockout")
def _locked_out(sender, request, username, ip_address, **kwargs):
    security_event_record(kind=SecurityEventKind.LOCKOUT, username=(username or "")[:150])
