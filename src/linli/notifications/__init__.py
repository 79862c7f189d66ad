"""Telling people things: one interface, several backends (DESIGN.md §7).

A :class:`Message` goes to every backend named in ``LINLI_NOTIFY_BACKENDS`` that can reach the
person (a phone for SMS, an address for e-mail); one-time sign-in codes go through
``LINLI_CODE_SENDER`` alone. Shipped: ``console`` (the demo: printed where the server runs),
``email`` (Django's mail settings), ``sms`` (an HTTP SMS gateway, settings in
docs/operations.md) and ``memory`` (tests). WeChat template messages need the person's openid
from the WeChat login; a backend is a class with ``name`` and ``send(message) -> bool`` named by
its dotted path (docs/operations.md shows one).

Messages are sent after the transaction commits, so a rolled-back booking tells nobody; a
failing backend never undoes the change that caused the message.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Message:
    subject: str
    body: str
    phone: str = ""
    email: str = ""
    # (file name, content, MIME type), e.g. the booking's calendar file
    attachments: tuple[tuple[str, bytes, str], ...] = field(default=())


BACKENDS = {
    "console": "linli.notifications.backends.ConsoleBackend",
    "email": "linli.notifications.backends.EmailBackend",
    "sms": "linli.notifications.backends.SmsGatewayBackend",
    "memory": "linli.notifications.backends.MemoryBackend",
}


def backend(name: str):
    return import_string(BACKENDS.get(name, name))()


def _names(setting: str) -> list[str]:
    return [n.strip() for n in setting.split(",") if n.strip()]


def deliver(message: Message, names: list[str]) -> list[str]:
    """Send now through the named backends; returns the names of those that sent it."""
    sent = []
    for name in names:
        b = backend(name)
        try:
            if b.send(message):
                sent.append(b.name)
        except Exception:  # a gateway down must not stop the others (logged by the backend)
            continue
    return sent


def notify(message: Message) -> str:
    """Send ``message`` through the configured backends once the transaction commits; returns
    the channels it goes by, as recorded with the notice."""
    names = _names(settings.NOTIFY_BACKENDS)
    transaction.on_commit(lambda: deliver(message, names))
    return ",".join(names)


def send_code(message: Message) -> None:
    """A one-time code: through the code sender only (an SMS gateway in production)."""
    deliver(message, _names(settings.CODE_SENDER))
