"""Writes to accounts. The three administrator roles are created only at bootstrap (CLI),
so that no administrator can mint another one (三员分立).

The system administrator creates accounts, renames them, resets passwords and issues API
tokens; an account it creates starts inactive. The security administrator sets roles, scopes
and departments and activates or deactivates accounts. So no single administrator can make a
working privileged account, and no web page changes an administrator account at all.
"""

from __future__ import annotations

from axes.utils import reset as axes_reset
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from linli.accounts.models import User
from linli.accounts.roles import Role
from linli.audit.models import AuditAction, SecurityEventKind
from linli.audit.services import audit_record, security_event_record, snapshot
from linli.core.permissions import (
    has_permission,
    require_in_scope,
    require_model_permission,
    require_permission,
)
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
    is_active: bool = True,
    must_change_password: bool = False,
) -> User:
    user = User(
        username=username,
        role=role,
        jurisdiction=jurisdiction,
        department=department,
        display_name=display_name,
        is_active=is_active,
        must_change_password=must_change_password,
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


# Who may change what on an existing account (三员分立).
ACCOUNT_FIELDS = ("display_name",)  # the system administrator: accounts.change_user
AUTHORIZATION_FIELDS = ("role", "department", "jurisdiction", "is_active")  # assign_role


def account_fields_for(actor: User) -> tuple[str, ...]:
    """The account fields ``actor``'s role may change (before scope is checked)."""
    fields: tuple[str, ...] = ()
    if has_permission(actor, User, "change"):
        fields += ACCOUNT_FIELDS
    if has_permission(actor, User, "assign_role"):
        fields += AUTHORIZATION_FIELDS
    return fields


def _require_ordinary(user: User) -> None:
    if user.role in ADMINISTRATOR_ROLES:
        raise PermissionDenied(_("Administrator accounts are managed only at installation."))


@transaction.atomic
def user_update(*, actor: User, user: User, **changes) -> User:
    """Change an account: its name (system administrator) or its role, department, scope and
    active flag (security administrator)."""
    _require_ordinary(user)
    if set(changes) - set(ACCOUNT_FIELDS) - set(AUTHORIZATION_FIELDS):
        raise ValidationError(_("Unknown account fields."))
    if any(name in changes for name in ACCOUNT_FIELDS):
        require_permission(actor, "change", user)
    if any(name in changes for name in AUTHORIZATION_FIELDS):
        require_permission(actor, "assign_role", user)
    if changes.get("role") in ADMINISTRATOR_ROLES:
        raise PermissionDenied(_("Administrator accounts are created only at installation."))
    if "jurisdiction" in changes:
        require_in_scope(actor, changes["jurisdiction"])
    before = snapshot(user)
    for name, value in changes.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(
        actor=actor, action=AuditAction.UPDATE, obj=user, before=before, after=snapshot(user)
    )
    return user


@transaction.atomic
def password_change(*, user: User, new_password: str) -> None:
    """A user's own new password (the view has checked the old one)."""
    validate_password(new_password, user)
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    security_event_record(kind=SecurityEventKind.PASSWORD_CHANGED, user=user)


@transaction.atomic
def password_reset(*, actor: User, user: User, new_password: str) -> None:
    """The system administrator sets a new password for a user who lost theirs."""
    _require_ordinary(user)
    require_permission(actor, "change", user)
    validate_password(new_password, user)
    user.set_password(new_password)
    user.must_change_password = True  # the administrator knows it; the user replaces it
    user.save(update_fields=["password", "must_change_password"])
    security_event_record(
        kind=SecurityEventKind.PASSWORD_RESET, user=user, detail={"by": actor.get_username()}
    )


@transaction.atomic
def api_token_issue(*, actor: User, user: User) -> str:
    """A new API token for ``user`` (any previous one stops working); returns its key, which
    is shown once and never logged."""
    _require_ordinary(user)
    require_permission(actor, "change", user)
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    security_event_record(
        kind=SecurityEventKind.TOKEN_ISSUED, user=user, detail={"by": actor.get_username()}
    )
    return token.key


@transaction.atomic
def api_token_revoke(*, actor: User, user: User) -> None:
    _require_ordinary(user)
    require_permission(actor, "change", user)
    if Token.objects.filter(user=user).delete()[0]:
        security_event_record(
            kind=SecurityEventKind.TOKEN_REVOKED, user=user, detail={"by": actor.get_username()}
        )
