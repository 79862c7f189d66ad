"""Base viewsets: every queryset passes through ``restrict(user, action)``; writes go
through the registry services, so the API changes nothing the web pages could not."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, viewsets

from linli.core.permissions import restrict

_ACTION_OF_METHOD = {"PUT": "change", "PATCH": "change", "DELETE": "delete"}


class RestrictedViewSetMixin:
    queryset = None

    def get_queryset(self):
        action = _ACTION_OF_METHOD.get(self.request.method, "view")
        if self.request.user and self.request.user.is_authenticated:
            return restrict(self.queryset.all(), self.request.user, action)
        return self.queryset.none()


class RestrictedReadOnlyViewSet(RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


def service_call(function, **kwargs):
    """Call a service, turning its refusals into API answers (403, 400 with the fields)."""
    try:
        return function(**kwargs)
    except DjangoPermissionDenied as error:
        raise exceptions.PermissionDenied(str(error)) from error
    except DjangoValidationError as error:
        detail = error.message_dict if hasattr(error, "error_dict") else error.messages
        raise exceptions.ValidationError(detail) from error
