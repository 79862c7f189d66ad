"""Writes to accounts. The three administrator roles are created only at bootstrap (CLI),
so that no administrator can mint another one (三员分立).

The system administrator renames accounts and asks for new accounts, password resets,
second-factor resets and API tokens (:mod:`linli.accounts.credentials`); it never sets a
password or sees a token. The security administrator sets roles, scopes and departments,
activates or deactivates accounts, and approves those requests. So no single administrator
can make a working account, and no web page changes an administrator account at all.
"""

from __future__ import annotations

from datetime import timedelta

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from linli.accounts.models import PasswordHistory, User
from linli.accounts.roles import Role
from linli.audit.models import AuditAction, SecurityEventKind
from linli.audit.services import audit_record, security_event_record, snapshot
from linli.core.permissions import has_permission, require_in_scope, require_permission
from linli.registry.models import Jurisdiction

ADMINISTRATOR_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR})


def set_password(user: User, raw_password: str, *, must_change: bool = False) -> None:
    """Validate and set ``user``'s password, keeping the old hash for the history rule.

    The caller saves ``user``; every path that sets a password goes through here.
    """
    validate_password(raw_password, user)
    if user.pk and user.has_usable_password():
        PasswordHistory.objects.create(user=user, password=user.password)
        stale = user.password_history.values_list("pk", flat=True)[
            max(settings.PASSWORD_HISTORY_COUNT, 1) :
        ]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()
    user.set_password(raw_password)
    user.password_changed_at = timezone.now()
    user.must_change_password = must_change


def password_change_due(user: User) -> bool:
    """Must ``user`` replace the password before anything else (forced, or past its age)?"""
    if user.must_change_password:
        return True
    age = settings.PASSWORD_MAX_AGE_DAYS
    changed = user.password_changed_at
    return bool(age and changed and timezone.now() - changed > timedelta(days=age))


def new_account(
    *,
    username: str,
    role: str,
    jurisdiction: Jurisdiction,
    department: str = "",
    display_name: str = "",
    email: str = "",
    password: str | None = None,
    is_active: bool = True,
) -> User:
    """An unsaved-checked, saved account; without ``password`` it has none that works."""
    user = User(
        username=username,
        role=role,
        jurisdiction=jurisdiction,
        department=department,
        display_name=display_name,
        email=email,
        is_active=is_active,
    )
    if password is None:
        user.set_unusable_password()
    else:
        set_password(user, password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def user_create_administrator(
    *, password: str, role: str, jurisdiction: Jurisdiction, **fields
) -> User:
    """Bootstrap one of the three administrators from the command line (no actor)."""
    if role not in ADMINISTRATOR_ROLES:
        raise ValidationError({"role": _("Not an administrator role.")})
    user = new_account(password=password, role=role, jurisdiction=jurisdiction, **fields)
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
ACCOUNT_FIELDS = ("display_name", "email")  # the system administrator: accounts.change_user
# the security administrator (accounts.assign_role_user); an operator account's operator is
# its scope, as a jurisdiction is an official's
AUTHORIZATION_FIELDS = ("role", "department", "jurisdiction", "operator", "is_active")


def account_fields_for(actor: User) -> tuple[str, ...]:
    """The account fields ``actor``'s role may change (before scope is checked)."""
    fields: tuple[str, ...] = ()
    if has_permission(actor, User, "change"):
        fields += ACCOUNT_FIELDS
    if has_permission(actor, User, "assign_role"):
        fields += AUTHORIZATION_FIELDS
    return fields


def require_ordinary(user: User) -> None:
    if user.role in ADMINISTRATOR_ROLES:
        raise PermissionDenied(_("Administrator accounts are managed only at installation."))


@transaction.atomic
def user_update(*, actor: User, user: User, **changes) -> User:
    """Change an account: its name and e-mail (system administrator) or its role, department,
    scope and active flag (security administrator)."""
    require_ordinary(user)
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
    if changes.get("is_active") and not user.has_usable_password():
        # A new account becomes usable when its user sets a password with both codes.
        raise ValidationError(
            {"is_active": _("The account has no password yet: approve its request instead.")}
        )
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
    """A user's own new password (the view has had the user sign in again recently)."""
    set_password(user, new_password)
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    security_event_record(kind=SecurityEventKind.PASSWORD_CHANGED, user=user)


@transaction.atomic
def api_token_revoke(*, actor: User, user: User) -> None:
    """Stop ``user``'s API token: the system administrator, or the user themself."""
    require_ordinary(user)
    if actor.pk != user.pk:
        require_permission(actor, "change", user)
    if Token.objects.filter(user=user).delete()[0]:
        security_event_record(
            kind=SecurityEventKind.TOKEN_REVOKED, user=user, detail={"by": actor.get_username()}
        )
