from rest_framework.permissions import SAFE_METHODS, BasePermission

from linli.core.permissions import has_permission

_ACTIONS = {"POST": "add", "PUT": "change", "PATCH": "change", "DELETE": "delete"}


class RestrictedModelPermissions(BasePermission):
    """The model permission for the HTTP method (reads need ``view``). Scope is applied by
    the view's ``get_queryset`` through ``restrict``, so an out-of-scope id answers 404."""

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        if not hasattr(view, request.method.lower()):
            return True  # a method the view does not have: DRF answers 405 next
        model = view.get_queryset().model
        action = "view" if request.method in SAFE_METHODS else _ACTIONS.get(request.method)
        return action is not None and has_permission(request.user, model, action)
