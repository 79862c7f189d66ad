"""The one path for permission and data scope: ``restrict(user, action)``.

A user holds permissions through the role (see :mod:`linli.accounts.roles`) and sees
the subtree of the jurisdiction node bound to the account. A model opts into scoping
with ``scope_path``: the lookup of a jurisdiction ``path`` (e.g. ``"jurisdiction__path"``);
``None`` means the model is not scoped (permission alone decides).

An operator's account (``user.operator_scoped``) is bound to its operator record instead: a
model that declares ``operator_path`` (the lookup of the operator running the object's
facility, e.g. ``"facility__operator"``) shows such an account the objects of its own
operator, wherever they are, and nothing else. Models without ``operator_path`` keep the
jurisdiction scope for it.

A model may also name ``owner_path``, the lookup to the account that owns a record: a
resident sees only their own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from linli.accounts.models import User

M = TypeVar("M", bound=models.Model)


def permission_name(model: type[models.Model], action: str) -> str:
    """Django's permission naming: ``registry.view_jurisdiction``."""
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def has_permission(user, model: type[models.Model], action: str) -> bool:
    return bool(user.is_authenticated and user.has_perm(permission_name(model, action)))


def restrict(queryset: models.QuerySet[M], user, action: str = "view") -> models.QuerySet[M]:
    """The objects of ``queryset`` that ``user`` may ``action``: permitted and in scope."""
    model = queryset.model
    if not has_permission(user, model, action):
        return queryset.none()
    operator_path = getattr(model, "operator_path", None)
    if operator_path is not None and getattr(user, "operator_scoped", False):
        if user.operator_id is None:  # an operator account not yet tied to its operator
            return queryset.none()
        return queryset.filter(**{operator_path: user.operator_id})
    # A resident's own records (bookings, family members, consents) are theirs alone; the
    # model names the lookup to the owning account (linli.residents).
    owner_path = getattr(model, "owner_path", None)
    if owner_path is not None and getattr(user, "role", None) == "resident":
        return queryset.filter(**{owner_path: user})
    scope_path = getattr(model, "scope_path", None)
    if scope_path is None:
        return queryset
    path = user.jurisdiction.path
    if getattr(model, "public_to_residents", False) and getattr(user, "role", None) == "resident":
        # The services on offer are public across the resident's whole city: people walk to
        # the canteen across the street in the next community (121号: 步行可达).
        path = path[: type(user.jurisdiction).steplen]
    return queryset.filter(**{f"{scope_path}__startswith": path})


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        return restrict(self, user, action)


def get_restricted_or_404(queryset: models.QuerySet[M], user, action: str = "view", **lookup) -> M:
    """Fetch one object the user may ``action``; anything else answers 404.

    A miss on an object that exists outside the user's permission or scope is written to
    the security log as a denied access: the user learns nothing, the auditor does.
    """
    try:
        return restrict(queryset, user, action).get(**lookup)
    except queryset.model.DoesNotExist:
        if queryset.filter(**lookup).exists():
            from linli.audit.services import security_event_record

            security_event_record(
                kind="access_denied",
                user=user if user.is_authenticated else None,
                detail={"object": permission_name(queryset.model, action), "lookup": str(lookup)},
            )
        raise Http404 from None


def require_permission(user: User, action: str, obj: models.Model) -> None:
    """Service-layer guard: ``user`` may ``action`` this object (permission and scope)."""
    if not restrict(type(obj)._default_manager.filter(pk=obj.pk), user, action).exists():
        raise PermissionDenied(f"{permission_name(type(obj), action)} denied for {obj!r}")


def require_in_scope(user: User, node: models.Model) -> None:
    """Service-layer guard: ``node`` (a jurisdiction) lies in the user's data scope."""
    if not restrict(type(node)._default_manager.filter(pk=node.pk), user, "view").exists():
        raise PermissionDenied(_("%(node)s is outside your jurisdiction.") % {"node": node})


def require_model_permission(user: User, action: str, model: type[models.Model]) -> None:
    """Service-layer guard for actions that have no object yet (creation)."""
    if not has_permission(user, model, action):
        raise PermissionDenied(f"{permission_name(model, action)} denied")
