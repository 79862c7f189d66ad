"""Writes about residents: sign-up by phone, the desk's registrations, family members, consent,
download and erasure. Each checks permission and scope, runs in one transaction and audits.

The audit trail is append-only and kept for years, so it records *that* a resident's data was
created, changed or erased, never the data itself (no name, phone, birth date or health note
in ``before``/``after``): erasure would otherwise leave it there for good.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.roles import Role
from linli.accounts.services import new_account
from linli.audit.models import AuditAction
from linli.audit.services import audit_record
from linli.core.permissions import require_in_scope, require_model_permission, require_permission
from linli.notifications import Message, notify, send_code
from linli.registry.models import Compound, Jurisdiction, Level
from linli.residents.choices import CodePurpose, ConsentKind, ConsentMethod
from linli.residents.models import (
    CHILD_AGE,
    Consent,
    FamilyMember,
    Notice,
    OneTimeCode,
    Resident,
    age_on,
)

# The privacy notice the consents refer to (templates/residents/privacy.html).
PRIVACY_VERSION = "2026-12"
MOBILE = re.compile(r"1[3-9]\d{9}")
ID_NUMBER = re.compile(r"\d{17}[\dX]")


def _facts(obj) -> dict:
    """What the audit trail keeps of a resident's record: no personal data."""
    if isinstance(obj, Resident):
        return {
            "id": obj.pk,
            "jurisdiction": obj.jurisdiction_id,
            "compound": obj.compound_id,
            "registered_at_desk": obj.registered_at_desk,
            "erased": obj.erased_at is not None,
        }
    if isinstance(obj, FamilyMember):
        return {"id": obj.pk, "resident": obj.resident_id, "relation": obj.relation}
    if isinstance(obj, Consent):
        return {
            "id": obj.pk,
            "resident": obj.resident_id,
            "member": obj.member_id,
            "kind": obj.kind,
            "method": obj.method,
            "policy_version": obj.policy_version,
            "withdrawn": obj.withdrawn_at is not None,
        }
    raise TypeError(type(obj).__name__)


def clean_phone(phone: str) -> str:
    phone = re.sub(r"[\s-]", "", phone or "").removeprefix("+86")
    if not MOBILE.fullmatch(phone):
        raise ValidationError(
            {"phone": _("Mobile phone: enter the 11 digits of a mainland mobile number.")}
        )
    return phone


def clean_id_number(value: str) -> str:
    value = (value or "").strip().upper()
    if value and not ID_NUMBER.fullmatch(value):
        raise ValidationError(
            {"id_number": _("ID card number: enter the 18 characters of the ID card.")}
        )
    return value


# --- one-time codes ------------------------------------------------------------------------


def _code_hash(phone: str, code: str) -> str:
    key = f"linli-one-time-code:{settings.SECRET_KEY}".encode()
    return hmac.new(key, f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def code_send(*, phone: str, purpose: str) -> None:
    """Send a six-digit code to ``phone`` (at most ``CODES_PER_HOUR`` an hour)."""
    phone = clean_phone(phone)
    now = timezone.now()
    recent = OneTimeCode.objects.filter(phone=phone, created_at__gte=now - timedelta(hours=1))
    if recent.count() >= settings.CODES_PER_HOUR:
        raise ValidationError(
            {"phone": _("Mobile phone: too many codes this hour; try again later.")}
        )
    if purpose == CodePurpose.SIGN_UP and Resident.objects.filter(phone=phone).exists():
        raise ValidationError(
            {
                "phone": _(
                    "Mobile phone: this number is already registered; sign in with it instead."
                )
            }
        )
    code = f"{secrets.randbelow(1_000_000):06d}"
    OneTimeCode.objects.create(
        phone=phone,
        purpose=purpose,
        code_hash=_code_hash(phone, code),
        expires_at=now + timedelta(minutes=settings.CODE_MINUTES),
    )
    text = _("Your linli code is %(code)s, valid for %(minutes)d minutes. Do not share it.") % {
        "code": code,
        "minutes": settings.CODE_MINUTES,
    }
    # Sent at once: a code for a sign-up that then fails costs nothing.
    send_code(Message(subject=_("Sign-in code"), body=text, phone=phone))


def code_check(*, phone: str, purpose: str, code: str) -> None:
    """Use up the code sent to ``phone``, or refuse naming the field. Call it outside any
    transaction: a wrong try is counted (and commits) before the refusal is raised."""
    now = timezone.now()
    with transaction.atomic():
        pending = (
            OneTimeCode.objects.select_for_update()
            .filter(phone=phone, purpose=purpose, used_at__isnull=True, expires_at__gt=now)
            .first()
        )
        right = (
            pending is not None
            and pending.attempts < settings.CODE_MAX_ATTEMPTS
            and hmac.compare_digest(pending.code_hash, _code_hash(phone, (code or "").strip()))
        )
        if right:
            OneTimeCode.objects.filter(pk=pending.pk).update(used_at=now)
        elif pending is not None:
            OneTimeCode.objects.filter(pk=pending.pk).update(attempts=F("attempts") + 1)
    if not right:
        raise ValidationError(
            {"code": _("Code: this code is wrong or has expired; ask for a new one.")}
        )


# --- accounts --------------------------------------------------------------------------------


def _community_of(compound: Compound) -> Jurisdiction:
    node = compound.jurisdiction
    if node.level != Level.COMPOUND:
        return node
    return Jurisdiction.objects.get(path=node.path[: -Jurisdiction.steplen])


def _consent(*, resident, kind, recorded_by, method, member=None, purpose="") -> Consent:
    consent = Consent(
        resident=resident,
        member=member,
        kind=kind,
        purpose=purpose or str(CONSENT_PURPOSES[kind]),
        policy_version=PRIVACY_VERSION,
        method=method,
        recorded_by=recorded_by,
    )
    consent.full_clean()
    consent.save()
    audit_record(actor=recorded_by, action=AuditAction.CREATE, obj=consent, after=_facts(consent))
    return consent


CONSENT_PURPOSES = {
    ConsentKind.GENERAL: "查找和预约社区服务、接收预约通知（姓名、手机号、所在小区）",
    ConsentKind.SENSITIVE: "为提供服务所需的健康或残疾信息（如过敏、行动不便），仅供服务机构使用",
    ConsentKind.GUARDIAN: "监护人同意处理不满十四周岁儿童的个人信息，用于托育、托管等服务预约",
}


def resident_sign_up(*, phone: str, code: str, name: str, compound: Compound, consent: bool):
    """A resident signs up with their phone and the code sent to it; returns the account.

    The account is bound to the city: a resident finds services across every boundary, while
    their own records are theirs alone (``owner_path``)."""
    phone = clean_phone(phone)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Name: enter the name the service should call you by.")})
    if not consent:
        raise ValidationError(
            {"consent": _("Consent: read the privacy notice and tick the box to agree.")}
        )
    code_check(phone=phone, purpose=CodePurpose.SIGN_UP, code=code)
    with transaction.atomic():
        if Resident.objects.filter(phone=phone).exists():
            raise ValidationError(
                {
                    "phone": _(
                        "Mobile phone: this number is already registered; sign in with it instead."
                    )
                }
            )
        city = Jurisdiction.objects.get(path=compound.jurisdiction.path[: Jurisdiction.steplen])
        user = new_account(
            username=f"resident-{secrets.token_hex(5)}",
            role=Role.RESIDENT,
            jurisdiction=city,
            display_name=name,
        )
        resident = Resident(
            user=user,
            name=name,
            phone=phone,
            jurisdiction=_community_of(compound),
            compound=compound,
        )
        resident.full_clean()
        resident.save()
        audit_record(actor=user, action=AuditAction.CREATE, obj=resident, after=_facts(resident))
        _consent(
            resident=resident,
            kind=ConsentKind.GENERAL,
            recorded_by=user,
            method=ConsentMethod.ONLINE,
        )
    return user


def resident_for_sign_in(*, phone: str, code: str):
    """The account of the resident who holds ``phone`` and the code just sent to it."""
    phone = clean_phone(phone)
    code_check(phone=phone, purpose=CodePurpose.SIGN_IN, code=code)
    resident = Resident.objects.filter(
        phone=phone, user__isnull=False, user__is_active=True, erased_at__isnull=True
    ).first()
    if resident is None:
        raise ValidationError(
            {"code": _("Code: this code is wrong or has expired; ask for a new one.")}
        )
    return resident.user


@transaction.atomic
def resident_profile_open(*, actor) -> Resident:
    """The resident record of a resident account the administrators opened (no phone yet):
    bound where the account is. Their consent is asked when they add data beyond the name."""
    require_model_permission(actor, "portal", Resident)
    resident, created = Resident.objects.get_or_create(
        user=actor, defaults={"name": str(actor), "jurisdiction": actor.jurisdiction}
    )
    if created:
        audit_record(actor=actor, action=AuditAction.CREATE, obj=resident, after=_facts(resident))
    return resident


@transaction.atomic
def resident_register_at_desk(
    *,
    actor,
    name: str,
    compound: Compound,
    paper_consent: bool,
    phone: str = "",
    id_number: str = "",
) -> Resident:
    """The community desk registers someone without a smartphone (线上线下融合): no account;
    the desk books for them. Their signed paper consent is recorded first."""
    require_model_permission(actor, "add", Resident)
    community = _community_of(compound)
    require_in_scope(actor, community)
    if not (name or "").strip():
        raise ValidationError({"name": _("Name: enter the resident's name.")})
    if not paper_consent:
        raise ValidationError(
            {
                "paper_consent": _(
                    "Consent: the resident signs the paper consent form before being registered."
                )
            }
        )
    resident = Resident(
        name=name.strip(),
        phone=clean_phone(phone) if phone else "",
        id_number=clean_id_number(id_number),
        jurisdiction=community,
        compound=compound,
        registered_at_desk=True,
    )
    resident.full_clean()
    resident.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=resident, after=_facts(resident))
    _consent(
        resident=resident, kind=ConsentKind.GENERAL, recorded_by=actor, method=ConsentMethod.PAPER
    )
    return resident


def _method(actor) -> str:
    return ConsentMethod.ONLINE if actor.role == Role.RESIDENT else ConsentMethod.PAPER


def standing_consent(resident: Resident, kind: str, member: FamilyMember | None = None):
    return Consent.objects.filter(
        resident=resident, member=member, kind=kind, withdrawn_at__isnull=True
    ).first()


@transaction.atomic
def member_add(
    *,
    actor,
    resident: Resident,
    name: str,
    relation: str,
    birth_date,
    id_number: str = "",
    health_notes: str = "",
    guardian_consent: bool = False,
    sensitive_consent: bool = False,
) -> FamilyMember:
    """Add a family member to book for. A child under 14 needs the guardian's consent, health
    notes the separate consent for sensitive data — both given here, before anything is stored
    (PIPL 第二十九、三十一条)."""
    require_permission(actor, "change", resident)
    member = FamilyMember(
        resident=resident,
        name=(name or "").strip(),
        relation=relation,
        birth_date=birth_date,
        id_number=clean_id_number(id_number),
        health_notes=(health_notes or "").strip(),
    )
    member.full_clean()
    child = age_on(birth_date, timezone.localdate()) < CHILD_AGE
    if child and not guardian_consent:
        raise ValidationError(
            {
                "guardian_consent": _(
                    "Guardian's consent: a child under %(age)d can be added only with the consent "
                    "of a parent or guardian; tick the box to give it."
                )
                % {"age": CHILD_AGE}
            }
        )
    if member.health_notes and not (
        sensitive_consent or standing_consent(resident, ConsentKind.SENSITIVE)
    ):
        raise ValidationError(
            {
                "sensitive_consent": _(
                    "Consent for sensitive data: health notes are kept only with your separate "
                    "consent; tick the box or leave the notes empty."
                )
            }
        )
    member.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=member, after=_facts(member))
    method = _method(actor)
    if child:
        _consent(
            resident=resident,
            member=member,
            kind=ConsentKind.GUARDIAN,
            recorded_by=actor,
            method=method,
        )
    if member.health_notes and not standing_consent(resident, ConsentKind.SENSITIVE):
        _consent(resident=resident, kind=ConsentKind.SENSITIVE, recorded_by=actor, method=method)
    return member


@transaction.atomic
def consent_give(*, actor, resident: Resident, kind: str, member: FamilyMember | None = None):
    require_permission(actor, "change", resident)
    if member is not None and member.resident_id != resident.pk:
        raise PermissionDenied
    if standing_consent(resident, kind, member):
        raise ValidationError({"kind": _("Consent: this consent is already given.")})
    return _consent(
        resident=resident, member=member, kind=kind, recorded_by=actor, method=_method(actor)
    )


@transaction.atomic
def consent_withdraw(*, actor, consent: Consent) -> Consent:
    """Withdrawing stops the processing it allowed: a child's bookings need it again."""
    require_permission(actor, "change", consent.resident)
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_at is None:
        consent.withdrawn_at = timezone.now()
        consent.save(update_fields=["withdrawn_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=consent,
            after=_facts(consent),
            transition="withdraw",
        )
    return consent


def resident_tell(resident: Resident, subject: str, body: str, attachments=()) -> Notice:
    """Tell a resident something: a notice on their page, and the configured backends."""
    channel = notify(
        Message(
            subject=subject,
            body=body,
            phone=resident.phone,
            email=resident.user.email if resident.user_id else "",
            attachments=tuple(attachments),
        )
    )
    return Notice.objects.create(resident=resident, subject=subject, body=body, channel=channel)


@transaction.atomic
def resident_erase(*, actor, resident: Resident) -> None:
    """Erase a resident's personal data on their request (PIPL 第四十七条): family members,
    consents and notices go; the record stays, anonymised, so that counts of use remain; the
    account is closed. The audit trail keeps that it happened, not the data."""
    require_permission(actor, "change", resident)
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    for hook in ERASE_HOOKS:
        hook(resident)
    resident.members.all().delete()
    resident.consents.all().delete()
    resident.notices.all().delete()
    resident.name = _("erased resident")
    resident.phone = resident.id_number = ""
    resident.compound = None
    resident.erased_at = timezone.now()
    resident.save()
    if resident.user_id:
        user = resident.user
        user.is_active = False
        user.display_name = ""
        user.email = ""
        user.set_unusable_password()
        user.save(update_fields=["is_active", "display_name", "email", "password"])
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=resident,
        after=_facts(resident),
        transition="erase",
    )


# Other parts of the app (bookings) anonymise their own rows of a resident being erased.
ERASE_HOOKS: list = []
