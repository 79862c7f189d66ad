"""The production WSGI server of ``linli serve``: waitress, behind the trusted proxy.

One setting, ``LINLI_TRUSTED_PROXY`` (the proxy's address), drives both halves: waitress's own
proxy-header translation puts the client's address into REMOTE_ADDR and the client's scheme
into ``wsgi.url_scheme`` for requests from that address and strips the headers from anyone
else; Django then sees the client's address (``linli.core.middleware.client_ip``) and
``request.is_secure()`` is true for HTTPS clients, so ``LINLI_HTTPS`` redirects once, not for
ever.
"""

from __future__ import annotations

import gc

from django.conf import settings
from django.template.loader import get_template
from django.urls import get_resolver
from waitress.proxy_headers import proxy_headers_middleware
from waitress.server import create_server

from linli.core.middleware import VIA_TRUSTED_PROXY

# What nginx writes (docs/operations.md); the Host header is passed as is.
PROXY_HEADERS = frozenset({"x-forwarded-for", "x-forwarded-proto"})


def behind_proxy(application, trusted_proxy: str = ""):
    """``application`` with the proxy's headers believed from ``trusted_proxy`` only.

    Waitress's middleware translates X-Forwarded-For/-Proto from the proxy and clears them
    from any other peer. It does not know X-Request-ID, so this wrapper drops that header
    from other peers and marks, before REMOTE_ADDR is replaced, whether the proxy sent it.
    """
    translated = proxy_headers_middleware(
        application,
        trusted_proxy=trusted_proxy or None,
        trusted_proxy_count=1,
        trusted_proxy_headers=set(PROXY_HEADERS) if trusted_proxy else None,
        clear_untrusted=True,
    )

    def app(environ, start_response):
        via_proxy = bool(trusted_proxy) and environ.get("REMOTE_ADDR") == trusted_proxy
        environ[VIA_TRUSTED_PROXY] = via_proxy
        if not via_proxy:
            environ.pop("HTTP_X_REQUEST_ID", None)
        return translated(environ, start_response)

    return app


def prepare_memory() -> None:
    """Load what every request needs, then keep it out of the garbage collector's way.

    A server process holds ~250 000 long-lived objects (Django, URL patterns, templates, the
    policy packs); with CPython's default thresholds every full collection walks them all,
    100–170 ms during which every request in the process waits (measured with
    ``benchmarks/platform_load.py``'s pages). Frozen after start-up and with a larger young
    generation, collections stay under ~40 ms and take a third of the time.
    """
    get_resolver().url_patterns  # noqa: B018 — imports every view module once
    get_template("base.html")
    gc.collect()
    gc.freeze()
    gc.set_threshold(5000, 10, 10)


def create(application, *, host: str, port: int, threads: int | None = None):
    """A waitress server for ``application`` (not yet running: call ``.run()``)."""
    return create_server(
        behind_proxy(application, settings.TRUSTED_PROXY),
        host=host,
        port=port,
        threads=threads or settings.SERVE_THREADS,
        ident="linli",
        # Done above, once; waitress must not wrap the application a second time.
        clear_untrusted_proxy_headers=False,
        connection_limit=settings.SERVE_CONNECTION_LIMIT,
        channel_timeout=settings.SERVE_IDLE_SECONDS,
        cleanup_interval=max(1, min(10, settings.SERVE_IDLE_SECONDS // 3)),
        # poll() instead of select(): no 1024-descriptor ceiling under many connections.
        asyncore_use_poll=True,
        backlog=2048,
        max_request_body_size=settings.MAX_REQUEST_BODY_MB * 1024 * 1024,
        max_request_header_size=64 * 1024,
    )
