"""Who is acting, from where: read by the audit and security logs.

Set per request by :class:`linli.core.middleware.RequestContextMiddleware` and per CLI
command by :func:`cli_context`; a context variable keeps concurrent requests apart.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    client_ip: str | None = None


_current: ContextVar[RequestContext | None] = ContextVar("linli_request_context", default=None)


def current() -> RequestContext:
    """The active context; outside any request or command, a fresh one for this call."""
    return _current.get() or RequestContext(request_id=f"local-{uuid.uuid4()}")


@contextmanager
def bound(context: RequestContext) -> Iterator[RequestContext]:
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


def cli_context() -> RequestContext:
    return RequestContext(request_id=f"cli-{uuid.uuid4()}")
