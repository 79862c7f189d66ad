"""Masking by role and the log of every clear view of a sensitive field.

Phones and ID numbers show masked (138****5678) to everyone but the person themselves and a
desk worker who asks to see them (``residents.reveal_resident``). A sensitive field (health or
disability notes, ID numbers, everything about a child under 14) shown in clear leaves one
:class:`~linli.residents.models.SensitiveView` row: who, whose, which field, when, on which
page. Views call :func:`shown`; nothing renders such a field another way.
"""

from __future__ import annotations

from linli.core import context
from linli.residents.models import FamilyMember, Resident, SensitiveView


def mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else ("****" if phone else "")


def mask_id_number(value: str) -> str:
    return f"{value[:4]}{'*' * (len(value) - 8)}{value[-4:]}" if len(value) > 8 else ""


MASKS = {"phone": mask_phone, "id_number": mask_id_number}


def may_see_in_clear(viewer, resident: Resident) -> bool:
    return (resident.user_id is not None and resident.user_id == viewer.pk) or viewer.has_perm(
        "residents.reveal_resident"
    )


def masked(viewer, resident: Resident, field: str) -> str:
    """A masked field of ``resident`` as ``viewer`` may see it without asking (no log)."""
    value = getattr(resident, field)
    return MASKS[field](value)


def shown(viewer, record: Resident | FamilyMember, fields, page: str = "") -> dict[str, object]:
    """The ``fields`` of ``record`` in clear, each view logged when the field is sensitive."""
    resident = record if isinstance(record, Resident) else record.resident
    member = record if isinstance(record, FamilyMember) else None
    sensitive = set(record.sensitive_fields() if member is not None else Resident.SENSITIVE_FIELDS)
    values = {field: getattr(record, field) for field in fields}
    logged = [f for f in fields if f in sensitive and values[f] not in ("", None)]
    if logged:
        request = context.current()
        SensitiveView.objects.bulk_create(
            SensitiveView(
                viewer=viewer,
                viewer_username=viewer.get_username(),
                viewer_role=viewer.role,
                resident_ref=resident.pk,
                member_ref=member.pk if member else None,
                model=type(record)._meta.model_name,
                field=field,
                page=page[:200],
                request_id=request.request_id or "",
            )
            for field in logged
        )
    return values
