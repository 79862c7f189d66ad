"""Two-factor sign-in: a TOTP authenticator (django-otp) and single-use recovery codes.

Every role but residents must pass a second factor after the password; a user without an
authenticator enrols one at the first sign-in (scan the QR code or type the key, confirm with
a code, keep the recovery codes shown once). django-otp holds the devices, checks codes,
refuses a code used before and slows repeated failures; this module says who needs what and
writes the security log.
"""

from __future__ import annotations

from base64 import b32encode

import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from linli.accounts.models import User
from linli.accounts.roles import Role
from linli.audit.models import SecurityEventKind
from linli.audit.services import security_event_record

# Residents sign in with a password only: they see public facilities and their own records.
EXEMPT_ROLES = frozenset({Role.RESIDENT})
AUTHENTICATOR = "authenticator"
RECOVERY = "recovery"


def required(user: User) -> bool:
    """Must ``user`` pass a second factor? Every official and administrator must; anyone
    who enrolled one anyway uses it."""
    return user.role not in EXEMPT_ROLES or has_device(user)


def authenticator(user: User, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).first()


def has_device(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def is_verified(request) -> bool:
    """Has this session passed the second factor (django-otp's OTPMiddleware says)?"""
    user = request.user
    return bool(getattr(user, "is_verified", None) and user.is_verified())


@transaction.atomic
def enrolment_start(user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator (replacing any earlier unconfirmed one)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)


def qr_code(device: TOTPDevice) -> str:
    """The otpauth:// URI as an SVG data URI (the CSP allows data: images, not scripts)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def key_text(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for typing into an authenticator app."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@transaction.atomic
def enrolment_confirm(*, user: User, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm ``device`` with a code from the app. Returns the new recovery codes (shown
    once), or None when the code is wrong. Earlier authenticators are removed."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
    if not device.verify_token(token):
        security_event_record(
            kind=SecurityEventKind.SECOND_FACTOR_FAILED, user=user, detail={"step": "enrol"}
        )
        return None
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    security_event_record(kind=SecurityEventKind.SECOND_FACTOR_ENROLLED, user=user)
    return _new_recovery_codes(user)


@transaction.atomic
def authenticator_install(*, user: User, key: str | None = None) -> TOTPDevice:
    """An authenticator set up in advance, with ``key`` (hex) or a random one: the demo's
    accounts (whose keys ``linli demo`` prints) and test accounts. Replaces any other."""
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice(user=user, name=AUTHENTICATOR, confirmed=True)
    if key:
        device.key = key
    device.save()
    security_event_record(
        kind=SecurityEventKind.SECOND_FACTOR_ENROLLED, user=user, detail={"prepared": True}
    )
    return device


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def recovery_codes_renew(*, user: User) -> list[str]:
    """A fresh set of recovery codes; the old ones stop working."""
    codes = _new_recovery_codes(user)
    security_event_record(kind=SecurityEventKind.RECOVERY_CODES_RENEWED, user=user)
    return codes


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def _verified_device(user: User, token: str) -> TOTPDevice | StaticDevice | None:
    """The device that accepts ``token``: six digits are an authenticator code, anything
    else a recovery code. Each device is locked while it checks (its replay guard and
    failure counter are read-modify-write)."""
    token = "".join(token.split())
    model = TOTPDevice if token.isdigit() else StaticDevice
    for device in model.objects.filter(user=user, confirmed=True):
        with transaction.atomic():
            locked = model.objects.select_for_update().get(pk=device.pk)
            if locked.verify_token(token if model is TOTPDevice else token.lower()):
                return locked
    return None


def verify(request, token: str) -> bool:
    """Check a code from the authenticator or a recovery code; on success the session is
    verified. Failures are logged; django-otp slows each device after repeated failures."""
    user = request.user
    device = _verified_device(user, token)
    if device is None:
        security_event_record(
            kind=SecurityEventKind.SECOND_FACTOR_FAILED, user=user, detail={"step": "sign-in"}
        )
        return False
    otp_login(request, device)
    if isinstance(device, StaticDevice):
        security_event_record(
            kind=SecurityEventKind.RECOVERY_CODE_USED,
            user=user,
            detail={"left": recovery_codes_left(user)},
        )
    return True


def check_code(user: User, token: str) -> bool:
    """Is ``token`` a current authenticator code of ``user`` (re-authentication: recovery
    codes are for a lost phone, not spent here)?"""
    return "".join(token.split()).isdigit() and _verified_device(user, token) is not None


def devices_remove(user: User) -> None:
    """Remove every second factor (a reset approved by the security administrator)."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    security_event_record(kind=SecurityEventKind.SECOND_FACTOR_REMOVED, user=user)


def wait_seconds(user: User) -> int:
    """How long django-otp makes ``user`` wait before the next code is checked (0: none)."""
    device = authenticator(user)
    if device is None:
        return 0
    allowed, details = device.verify_is_allowed()
    if allowed or not details or "locked_until" not in details:
        return 0
    return max(1, int((details["locked_until"] - timezone.now()).total_seconds()))


def current_code(device: TOTPDevice, at: float | None = None) -> str:
    """The code an authenticator shows now (``linli demo --code`` prints it; tests type it)."""
    generator = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if at is not None:
        generator.time = at
    return f"{generator.token():0{device.digits}d}"
