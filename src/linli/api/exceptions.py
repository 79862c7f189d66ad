from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from linli.audit.models import SecurityEventKind
from linli.audit.services import security_event_record


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Other records still refer to this object."
    default_code = "conflict"


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
    response = drf_exception_handler(exc, context)
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        # DRF answers 403 when the first authentication class (the session) has no
        # challenge; the API's documented scheme is the token, so: 401 and its challenge.
        response.status_code = status.HTTP_401_UNAUTHORIZED
        response["WWW-Authenticate"] = "Token"
    return response


@csrf_exempt  # answers 404 to every method; it changes nothing
def not_found(request, *args, **kwargs):
    """Any other path under the API: a JSON 404, as the API's own answers are."""
    return JsonResponse({"detail": "Not found."}, status=404)
