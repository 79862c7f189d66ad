from __future__ import annotations

import ipaddress
import re
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied

from linli.core import context

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
# Set by `linli serve` (linli.web.proxy) on requests whose peer is the trusted proxy, before
# waitress replaces REMOTE_ADDR with the client's address.
VIA_TRUSTED_PROXY = "linli.via_trusted_proxy"


def _address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip().strip("[]")))
    except ValueError:
        return None


def via_trusted_proxy(request) -> bool:
    """Did the request reach us through the trusted proxy (``LINLI_TRUSTED_PROXY``)?"""
    if not settings.TRUSTED_PROXY:
        return False
    if VIA_TRUSTED_PROXY in request.META:  # linli serve looked at the real peer
        return bool(request.META[VIA_TRUSTED_PROXY])
    return request.META.get("REMOTE_ADDR") == settings.TRUSTED_PROXY


def client_ip(request) -> str | None:
    """The client's address, for the logs and the sign-in throttle (django-axes calls this).

    ``linli serve`` has already put the proxy's X-Forwarded-For into REMOTE_ADDR; under a WSGI
    server that does not, a request from the trusted proxy takes the last X-Forwarded-For hop
    (the one the proxy wrote) here, so both paths agree.
    """
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    translated = VIA_TRUSTED_PROXY in request.META
    if not translated and via_trusted_proxy(request):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1]
        return _address(forwarded) or remote
    return remote


class RequestContextMiddleware:
    """Binds a request id and the client IP for the audit trail, and echoes the id.

    The id is the proxy's ``X-Request-ID`` (so nginx's log and ours share it) only when the
    request came through the trusted proxy; a client cannot choose the id the audit records.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        supplied = request.headers.get("X-Request-ID", "") if via_trusted_proxy(request) else ""
        request_id = supplied if _REQUEST_ID.match(supplied) else str(uuid.uuid4())
        request.request_id = request_id
        with context.bound(context.RequestContext(request_id, client_ip(request))):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class DeniedAccessMiddleware:
    """Writes every 403 raised by a view to the security log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied):
            from linli.audit.services import security_event_record

            security_event_record(
                kind="access_denied",
                user=request.user if request.user.is_authenticated else None,
                detail={"path": request.path, "method": request.method},
            )
        return None
