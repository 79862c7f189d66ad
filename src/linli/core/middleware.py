from __future__ import annotations

import re
import uuid

from django.core.exceptions import PermissionDenied

from linli.core import context

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")


def client_ip(request) -> str | None:
    """The client address as django-axes resolves it (proxy-aware by setting)."""
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or None


class RequestContextMiddleware:
    """Binds a request id (a well-formed ``X-Request-ID`` from the proxy, else a new one)
    and the client IP for the audit trail, and echoes the id in the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        supplied = request.headers.get("X-Request-ID", "")
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
