"""How a credential comes into being without one administrator holding it (三员分立).

The system administrator *files* a request; someone else completes it:

- a new account or a password reset is approved by the security administrator; each of the two
  administrators receives one half of a one-time code, and the user, holding both halves, sets
  a password of their own (``account_activate``). Neither administrator alone can produce a
  working password, and neither ever knows the one the user chooses;
- a second-factor reset (a lost phone) takes effect on the security administrator's approval;
  the user enrols a new authenticator at the next sign-in, with their own password;
- an API token is confirmed by its user, who alone is shown the key.

Every step is in the audit trail and the security log (which the auditor reads), and the user
is told of each one that touches their account (:mod:`linli.accounts.notices`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import TransitionNotAllowed
from rest_framework.authtoken.models import Token

from linli.accounts import notices, twofactor
from linli.accounts.models import CredentialRequest, RequestKind, RequestState, User
from linli.accounts.services import (
    ADMINISTRATOR_ROLES,
    new_account,
    require_ordinary,
    set_password,
)
from linli.audit.models import AuditAction, SecurityEventKind
from linli.audit.services import audit_record, security_event_record, snapshot
from linli.core.permissions import (
    require_in_scope,
    require_model_permission,
    require_permission,
)
from linli.registry.models import Jurisdiction

# Kinds finished by the user with the two halves of a code.
CODE_KINDS = frozenset({RequestKind.NEW_ACCOUNT, RequestKind.PASSWORD_RESET})
# No 0/O, 1/I/L: a code is read aloud or copied from paper.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_HALF_LENGTH = 8  # 8 characters of 31: about 40 bits a half, 80 for the pair


@dataclass(frozen=True)
class Filed:
    """A request and, for the kinds that have one, the half code shown once to its filer."""

    request: CredentialRequest
    code: str = ""


def _new_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(_HALF_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def _normalised(code: str) -> str:
    return "".join(c for c in code.upper() if c.isalnum())


def _keyed(code: str) -> str:
    """A keyed hash: the database alone does not let anyone test guesses offline."""
    return salted_hmac("linli.accounts.code", _normalised(code), algorithm="sha256").hexdigest()


def _open(request: CredentialRequest, *, actor: User, code: str = "") -> Filed:
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        raise ValidationError(
            _("%(account)s already has an open request of this kind.")
            % {"account": request.user.username}
        ) from None
    audit_record(actor=actor, action=AuditAction.CREATE, obj=request, after=snapshot(request))
    security_event_record(
        kind=SecurityEventKind.REQUEST_FILED,
        user=request.user,
        detail={"request": request.kind, "by": actor.get_username(), "reason": request.reason},
    )
    return Filed(request, code)


@transaction.atomic
def user_create(
    *, actor: User, role: str, jurisdiction: Jurisdiction, reason: str = "", **fields
) -> Filed:
    """The system administrator asks for an account bound to a node in its own scope.

    ``fields``: ``username`` and optionally ``display_name``, ``department``, ``email``. The
    account exists at once, inactive and without a working password; it becomes usable when
    the security administrator approves the request and its user sets a password with both
    halves of the code. The first half is returned here, once.
    """
    require_model_permission(actor, "add", User)
    require_model_permission(actor, "add", CredentialRequest)
    require_in_scope(actor, jurisdiction)
    if role in ADMINISTRATOR_ROLES:
        raise PermissionDenied(_("Administrator accounts are created only at installation."))
    user = new_account(role=role, jurisdiction=jurisdiction, is_active=False, **fields)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=user, after=snapshot(user))
    code = _new_code()
    request = CredentialRequest(
        user=user,
        kind=RequestKind.NEW_ACCOUNT,
        reason=reason[:300],
        requested_by=actor,
        first_code=_keyed(code),
    )
    return _open(request, actor=actor, code=code)


@transaction.atomic
def credential_request_file(*, actor: User, user: User, kind: str, reason: str) -> Filed:
    """The system administrator asks for a password reset, a second-factor reset or an API
    token for an account in its scope; ``reason`` records why (and how the user was checked)."""
    require_ordinary(user)
    require_model_permission(actor, "add", CredentialRequest)
    require_permission(actor, "change", user)
    if kind == RequestKind.NEW_ACCOUNT or kind not in RequestKind.values:
        raise ValidationError(_("Unknown request."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why, and how the user's identity was checked.")})
    if not user.is_active:
        raise ValidationError(_("%(account)s is not active.") % {"account": user.username})
    if kind == RequestKind.SECOND_FACTOR_RESET and not twofactor.has_device(user):
        raise ValidationError(
            _("%(account)s has no second factor to reset.") % {"account": user.username}
        )
    code = _new_code() if kind in CODE_KINDS else ""
    request = CredentialRequest(
        user=user,
        kind=kind,
        reason=reason.strip()[:300],
        requested_by=actor,
        first_code=_keyed(code) if code else "",
    )
    filed = _open(request, actor=actor, code=code)
    notices.request_filed(request)
    return filed


def _decide(request: CredentialRequest, *, actor: User, transition, note: str = "") -> None:
    before = snapshot(request)
    try:
        transition()
    except TransitionNotAllowed:
        raise ValidationError(
            _("This request is already %(state)s.") % {"state": request.get_state_display()}
        ) from None
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_note = note.strip()[:300]
    request.save()
    audit_record(
        actor=actor,
        action=AuditAction.TRANSITION,
        transition=transition.__name__,
        obj=request,
        before=before,
        after=snapshot(request),
    )


def _lock(request: CredentialRequest) -> CredentialRequest:
    """The request re-read under a row lock: two approvals cannot both succeed."""
    return CredentialRequest.objects.select_for_update().select_related("user").get(pk=request.pk)


@transaction.atomic
def credential_request_approve(*, actor: User, request: CredentialRequest, note: str = "") -> Filed:
    """The security administrator approves; for a new account or a password reset the second
    half of the code is returned, once; a second-factor reset removes the user's devices."""
    require_permission(actor, "approve", request)
    request = _lock(request)
    if request.kind == RequestKind.API_TOKEN:
        raise PermissionDenied(_("An API token is confirmed by its user."))
    if request.requested_by_id == actor.pk:
        raise PermissionDenied(_("A request is approved by someone other than its filer."))
    _decide(request, actor=actor, transition=request.approve, note=note)
    code = ""
    if request.kind in CODE_KINDS:
        code = _new_code()
        request.second_code = _keyed(code)
        request.codes_expire_at = timezone.now() + timedelta(hours=settings.ACCOUNT_CODE_HOURS)
        request.save(update_fields=["second_code", "codes_expire_at"])
    else:  # a second-factor reset
        twofactor.devices_remove(request.user)
        request.complete()
        request.completed_at = timezone.now()
        request.save(update_fields=["state", "completed_at"])
    security_event_record(
        kind=SecurityEventKind.REQUEST_APPROVED,
        user=request.user,
        detail={"request": request.kind, "by": actor.get_username()},
    )
    notices.request_approved(request)
    return Filed(request, code)


@transaction.atomic
def credential_request_reject(*, actor: User, request: CredentialRequest, note: str = "") -> None:
    """The security administrator refuses a request, or the user declines an API token."""
    request = _lock(request)
    if request.kind == RequestKind.API_TOKEN:
        if actor.pk != request.user_id:
            raise PermissionDenied(_("An API token is declined by its user."))
    else:
        require_permission(actor, "approve", request)
    _decide(request, actor=actor, transition=request.reject, note=note)
    security_event_record(
        kind=SecurityEventKind.REQUEST_REJECTED,
        user=request.user,
        detail={"request": request.kind, "by": actor.get_username()},
    )


@transaction.atomic
def credential_request_cancel(*, actor: User, request: CredentialRequest) -> None:
    """The system administrator withdraws a request that is not yet completed."""
    require_permission(actor, "change", request)
    request = _lock(request)
    _decide(request, actor=actor, transition=request.cancel)
    security_event_record(
        kind=SecurityEventKind.REQUEST_CANCELLED,
        user=request.user,
        detail={"request": request.kind, "by": actor.get_username()},
    )


class CodeRefused(ValidationError):
    """Wrong, used or expired codes: one message for all, so a guesser learns nothing."""

    def __init__(self):
        super().__init__(
            gettext_lazy(
                "These codes do not open a password setting for this account. Check both "
                "halves, or ask the administrators for new ones (codes expire)."
            )
        )


@transaction.atomic
def account_activate(
    *, username: str, first_code: str, second_code: str, new_password: str
) -> User:
    """The user sets their own password with both halves of the code (new account or reset)."""
    request = (
        CredentialRequest.objects.select_for_update()
        .select_related("user")
        .filter(user__username=username, state=RequestState.APPROVED, kind__in=CODE_KINDS)
        .first()
    )
    if (
        request is None
        or request.codes_expire_at is None
        or request.codes_expire_at < timezone.now()
        or not constant_time_compare(_keyed(first_code), request.first_code)
        or not constant_time_compare(_keyed(second_code), request.second_code)
    ):
        raise CodeRefused()
    user = request.user
    before = snapshot(user)
    set_password(user, new_password)
    if request.kind == RequestKind.NEW_ACCOUNT:
        user.is_active = True
    user.save()
    audit_record(
        actor=user, action=AuditAction.UPDATE, obj=user, before=before, after=snapshot(user)
    )
    request.complete()
    request.completed_at = timezone.now()
    request.save(update_fields=["state", "completed_at"])
    security_event_record(
        kind=SecurityEventKind.PASSWORD_SET_WITH_CODES,
        user=user,
        detail={"request": request.kind},
    )
    notices.password_set(request)
    return user


@transaction.atomic
def api_token_confirm(*, actor: User, request: CredentialRequest) -> str:
    """The user confirms the API token the system administrator asked for; returns the key,
    shown to the user once and never logged (any previous token stops working)."""
    request = _lock(request)
    if request.kind != RequestKind.API_TOKEN or actor.pk != request.user_id:
        raise PermissionDenied(_("Only the account's own user confirms its API token."))
    _decide(request, actor=actor, transition=request.approve)
    request.complete()
    request.completed_at = timezone.now()
    request.save(update_fields=["state", "completed_at"])
    Token.objects.filter(user=actor).delete()
    token = Token.objects.create(user=actor)
    security_event_record(
        kind=SecurityEventKind.TOKEN_ISSUED,
        user=actor,
        detail={"by": request.requested_by.get_username(), "confirmed_by": actor.get_username()},
    )
    notices.token_issued(request)
    return token.key


def open_requests_for(user: User):
    """Requests waiting for ``user`` themself: API tokens to confirm."""
    return CredentialRequest.objects.filter(
        user=user, kind=RequestKind.API_TOKEN, state=RequestState.PENDING
    ).select_related("requested_by")


@transaction.atomic
def account_open(*, requested_by: User, approved_by: User, password: str, **fields) -> User:
    """The whole path at once — filed, approved, password set — for a prepared list of
    accounts (the demo city, tests). It takes both administrators, as the screens do."""
    filed = user_create(actor=requested_by, **fields)
    approved = credential_request_approve(actor=approved_by, request=filed.request)
    return account_activate(
        username=fields["username"],
        first_code=filed.code,
        second_code=approved.code,
        new_password=password,
    )
