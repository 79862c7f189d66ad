"""Writes to accounts. The three administrator roles are created only at bootstrap (CLI),
so that no administrator can mint another one (三员分立)."""

from __future__ import annotations

from axes.utils import reset as axes_reset
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.accounts.roles import Role
from linli.audit.models import AuditAction, SecurityEventKind
from linli.audit.services import audit_record, security_event_record, snapshot
from linli.core.permissions import require_in_scope, require_model_permission, require_permission
from linli.registry.models import Jurisdiction

ADMINISTRATOR_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR})


def _new_user(
    *,
    username: str,
    password: str,
    role: str,
    jurisdiction: Jurisdiction,
    department: str = "",
    display_name: str = "",
) -> User:
    user = User(
        username=username,
        role=role,
        jurisdiction=jurisdiction,
        department=department,
        display_name=display_name,
    )
    validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def user_create(*, actor: User, password: str, **fields) -> User:
    """Create an account bound to a node inside the actor's own scope."""
    require_model_permission(actor, "add", User)
    require_in_scope(actor, fields["jurisdiction"])
    if fields["role"] in ADMINISTRATOR_ROLES:
        raise PermissionDenied(_("Administrator accounts are created only at installation."))
    user = _new_user(password=password, **fields)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=user, after=snapshot(user))
    return user


@transaction.atomic
def user_create_administrator(
    *, password: str, role: str, jurisdiction: Jurisdiction, **fields
) -> User:
    """Bootstrap one of the three administrators from the command line (no actor)."""
    if role not in ADMINISTRATOR_ROLES:
        raise ValidationError({"role": _("Not an administrator role.")})
    user = _new_user(password=password, role=role, jurisdiction=jurisdiction, **fields)
    audit_record(actor=None, action=AuditAction.CREATE, obj=user, after=snapshot(user))
    return user


@transaction.atomic
def user_unlock(*, actor: User, user: User) -> None:
    """Lift a lockout before its cool-off ends (security administrator)."""
    require_permission(actor, "unlock", user)
    axes_reset(username=user.get_username())
    security_event_record(
        kind=SecurityEventKind.UNLOCK, user=user, detail={"by": actor.get_username()}
    )
