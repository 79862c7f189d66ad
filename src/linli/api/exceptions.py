from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from linli.audit.models import SecurityEventKind
from linli.audit.services import security_event_record


def exception_handler(exc, context):
    """DRF's handler, plus a security-log entry for every refused authenticated request."""
    if isinstance(exc, exceptions.PermissionDenied):
        request = context["request"]
        if request.user and request.user.is_authenticated:
            security_event_record(
                kind=SecurityEventKind.ACCESS_DENIED,
                user=request.user,
                detail={"path": request.path, "method": request.method},
            )
    return drf_exception_handler(exc, context)
