"""Sign-in throttling that slows a guesser without letting anyone lock an official out.

django-axes records each failed sign-in by address and account. Three limits, checked before
the password is (a refused attempt is not a guess and is not counted):

1. **the pair** — ``LINLI_LOCKOUT_FAILURES`` failures from one address for one account lock
   that pair for ``LINLI_LOCKOUT_MINUTES`` (axes, ``AXES_LOCKOUT_PARAMETERS``). Someone who
   knows an official's username locks only their own address out of it, not the official;
2. **the account, from everywhere** — after ``LINLI_SIGN_IN_DELAY_AFTER`` failures from any
   addresses, each further attempt must wait 1, 2, 4 … seconds (at most
   ``LINLI_SIGN_IN_DELAY_MAX_SECONDS``) after the last failure: guessing from many addresses
   is slowed to a crawl, while the official still gets in within that many seconds;
3. **the address, for all accounts** — ``LINLI_SIGN_IN_ADDRESS_FAILURES`` failures from one
   address across accounts (password spraying) stop that address for the cool-off period.

The same limits guard every place a password or code is checked: sign-in, re-authentication
before a password or second-factor change, and setting a password with the two codes.
"""

from __future__ import annotations

import math
from datetime import timedelta

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.utils import timezone

# Why an attempt was refused (set on the request, read by the lockout page and the log).
PAIR, ACCOUNT_DELAY, ADDRESS = "pair", "account", "address"


def account_wait_seconds(username: str, since, now=None) -> int:
    """Seconds ``username`` must still wait before its next attempt is checked (0: none)."""
    failures = AccessAttempt.objects.filter(username=username, attempt_time__gte=since).aggregate(
        count=Sum("failures_since_start"), last=Max("attempt_time")
    )
    count, last = failures["count"] or 0, failures["last"]
    excess = count - settings.SIGN_IN_DELAY_AFTER_FAILURES
    if last is None or excess < 0:
        return 0
    delay = min(2**excess, settings.SIGN_IN_DELAY_MAX_SECONDS)
    remaining = (last + timedelta(seconds=delay) - (now or timezone.now())).total_seconds()
    return max(0, math.ceil(remaining))


def address_failures(address: str, since) -> int:
    return (
        AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since).aggregate(
            count=Sum("failures_since_start")
        )["count"]
        or 0
    )


class SignInThrottle(AxesDatabaseHandler):
    """axes' database handler with the account delay and the address cap added."""

    def is_locked(self, request, credentials=None) -> bool:
        reason, wait = self._refusal(request, credentials)
        if reason:
            request.linli_refused = reason
            request.linli_wait_seconds = wait
            return True
        return False

    def _refusal(self, request, credentials) -> tuple[str, int]:
        if super().is_locked(request, credentials):
            return PAIR, int(settings.AXES_COOLOFF_TIME.total_seconds())
        since = get_cool_off_threshold(request)
        address = getattr(request, "axes_ip_address", None)
        if address and address_failures(address, since) >= settings.SIGN_IN_ADDRESS_FAILURES:
            return ADDRESS, int(settings.AXES_COOLOFF_TIME.total_seconds())
        username = get_client_username(request, credentials)
        if username:
            wait = account_wait_seconds(
                username, since, getattr(request, "axes_attempt_time", None)
            )
            if wait:
                return ACCOUNT_DELAY, wait
        return "", 0


def locked_pairs():
    """(username, address) pairs locked right now, for the security administrator."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return (
        AccessAttempt.objects.filter(attempt_time__gte=since)
        .values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("username")
    )


def locked_usernames() -> set[str]:
    return {pair["username"] for pair in locked_pairs()}
