"""Notification backends. Each has a ``name`` and ``send(message) -> bool`` (False: the
backend cannot reach this person, e.g. no e-mail address)."""

from __future__ import annotations

import json
import logging
import sys
import urllib.request

from django.conf import settings
from django.core.mail import EmailMessage

logger = logging.getLogger(__name__)


def masked_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"


class ConsoleBackend:
    """Printed where the server runs: the demo's stand-in for SMS and e-mail."""

    name = "console"

    def send(self, message) -> bool:
        to = masked_phone(message.phone) if message.phone else (message.email or "-")
        files = ", ".join(name for name, _content, _type in message.attachments)
        print(
            f"[linli notice] to {to}: {message.subject}\n{message.body}"
            + (f"\n(attached: {files})" if files else ""),
            file=sys.stdout,
            flush=True,
        )
        return True


class EmailBackend:
    """Django's mail settings (``LINLI_EMAIL_*``); the calendar file goes as an attachment."""

    name = "email"

    def send(self, message) -> bool:
        if not message.email:
            return False
        mail = EmailMessage(
            f"[linli] {message.subject}",
            message.body,
            settings.DEFAULT_FROM_EMAIL,
            [message.email],
        )
        for filename, content, mimetype in message.attachments:
            mail.attach(filename, content, mimetype)
        return bool(mail.send(fail_silently=True))


class SmsGatewayBackend:
    """An SMS gateway over HTTP: POST ``{"phone", "text"}`` as JSON to ``LINLI_SMS_GATEWAY_URL``
    with ``Authorization: Bearer LINLI_SMS_GATEWAY_TOKEN``. Providers that need signed requests
    and template ids (阿里云短信, 腾讯云短信) sit behind a small relay of the city's own, which
    keeps their keys out of the platform."""

    name = "sms"

    def send(self, message) -> bool:
        if not message.phone or not settings.SMS_GATEWAY_URL:
            return False
        data = json.dumps({"phone": message.phone, "text": message.body[:300]}).encode()
        request = urllib.request.Request(
            settings.SMS_GATEWAY_URL,
            data=data,
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {settings.SMS_GATEWAY_TOKEN}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return 200 <= response.status < 300
        except OSError as error:
            logger.warning("SMS gateway failed for %s: %s", masked_phone(message.phone), error)
            return False


class MemoryBackend:
    """Kept in :data:`outbox` (tests read it, as Django's ``mail.outbox``)."""

    name = "memory"
    outbox: list = []

    def send(self, message) -> bool:
        MemoryBackend.outbox.append(message)
        return True
