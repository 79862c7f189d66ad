"""A rate limit on public submissions (survey answers, notice comments), per client address.

Written here rather than taken from django-ratelimit: that library counts in Django's cache,
which in this platform is per process (no shared cache is configured), while the limit must
hold across the server's processes and machines. The database all of them share keeps the
count; the address is stored only as a keyed hash.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from linli.core import context
from linli.participation.models import SubmissionAttempt

# At most LIMIT submissions of a kind from one address within WINDOW.
LIMIT = 5
WINDOW = timedelta(minutes=10)


def _client_key() -> str:
    address = context.current().client_ip or "unknown"
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()


def allow(kind: str) -> bool:
    """Count this submission and say whether it is within the limit (call in the writing
    transaction: a refused submission is not counted, so waiting frees the address)."""
    now = timezone.now()
    client = _client_key()
    recent = SubmissionAttempt.objects.filter(kind=kind, client=client, at__gte=now - WINDOW)
    if recent.count() >= getattr(settings, "LINLI_PUBLIC_SUBMISSION_LIMIT", LIMIT):
        return False
    SubmissionAttempt.objects.filter(at__lt=now - WINDOW).delete()
    SubmissionAttempt.objects.create(kind=kind, client=client, at=now)
    return True
