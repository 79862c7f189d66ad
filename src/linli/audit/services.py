"""Writing the logs. Services call :func:`audit_record` inside their transaction, so a
change and its record commit or roll back together."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from linli.audit.models import AuditAction, AuditRecord, SecurityEvent
from linli.core import context

_REDACTED_FIELDS = frozenset({"password"})


def _stored_value(obj: models.Model, field: models.Field) -> Any:
    if field.name in _REDACTED_FIELDS:
        return "***"
    value = field.value_from_object(obj)
    if isinstance(field, models.DecimalField) and value is not None:
        # As the database keeps it: "950" entered is "950.00" stored.
        return Decimal(value).quantize(Decimal(1).scaleb(-field.decimal_places))
    return value


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The object's stored fields as JSON-safe data; secrets are redacted."""
    data = {field.attname: _stored_value(obj, field) for field in obj._meta.concrete_fields}
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def audit_record(
    *,
    actor,
    action: AuditAction | str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    transition: str = "",
) -> AuditRecord:
    """Append one change to the audit trail. ``actor`` is None only for CLI bootstrap."""
    request = context.current()
    return AuditRecord.objects.create(
        actor=actor,
        actor_username=actor.get_username() if actor else "",
        request_id=request.request_id,
        client_ip=request.client_ip,
        action=action,
        transition=transition,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        before=before,
        after=after,
    )


def security_event_record(
    *, kind: str, user=None, username: str = "", detail: dict[str, Any] | None = None
) -> SecurityEvent:
    request = context.current()
    return SecurityEvent.objects.create(
        kind=kind,
        user=user,
        username=username or (user.get_username() if user else ""),
        request_id=request.request_id,
        client_ip=request.client_ip,
        detail=detail or {},
    )
