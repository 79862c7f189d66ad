"""Base viewsets: every queryset passes through ``restrict(user, action)``; writes go
through the registry services, so the API changes nothing the web pages could not."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, routers, viewsets
from rest_framework.permissions import IsAuthenticated

from linli.core.permissions import has_permission, restrict

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


class RestrictedAPIRootView(routers.APIRootView):
    """``/api/v1/``: the endpoints the account may read. The root has no model of its own, so
    it asks only for a signed-in user (or token); each endpoint keeps its own permission."""

    permission_classes = [IsAuthenticated]
    models: dict = {}  # prefix → model, set by the router

    def get(self, request, *args, **kwargs):
        self.api_root_dict = {  # a view instance serves one request
            prefix: name
            for prefix, name in self.api_root_dict.items()
            if has_permission(request.user, self.models[prefix], "view")
        }
        return super().get(request, *args, **kwargs)


class RestrictedRouter(routers.DefaultRouter):
    APIRootView = RestrictedAPIRootView

    def get_api_root_view(self, api_urls=None):
        names = {prefix: self.routes[0].name.format(basename=b) for prefix, _v, b in self.registry}
        models = {prefix: viewset.queryset.model for prefix, viewset, _b in self.registry}
        return self.APIRootView.as_view(api_root_dict=names, models=models)
