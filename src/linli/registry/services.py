"""Writes to the registry: permission, scope, transaction and audit record in one place."""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from linli.audit.models import AuditAction
from linli.audit.services import audit_record, snapshot
from linli.core.permissions import (
    require_in_scope,
    require_model_permission,
    require_permission,
)
from linli.registry.models import (
    LEVEL_ORDER,
    Community,
    Compound,
    Facility,
    FacilityFunction,
    Jurisdiction,
    Level,
)
from linli.registry.pilots import require_pilot_designator

M = TypeVar("M", bound=models.Model)


def _check_child_level(parent: Jurisdiction, level: str) -> None:
    if LEVEL_ORDER.index(level) != LEVEL_ORDER.index(parent.level) + 1:
        raise ValidationError(
            {
                "level": _("A %(parent)s node cannot hold a %(child)s node.")
                % {"parent": Level(parent.level).label, "child": Level(level).label}
            }
        )


@transaction.atomic
def jurisdiction_create_root(*, name: str, code: str = "") -> Jurisdiction:
    """Bootstrap the city node. Only possible while the tree is empty (CLI, no actor)."""
    if Jurisdiction.objects.get_root_nodes().exists():
        raise ValidationError(_("The jurisdiction tree already has a city."))
    node = Jurisdiction.objects.add_root(dict(name=name, level=Level.CITY, code=code))
    audit_record(actor=None, action=AuditAction.CREATE, obj=node, after=snapshot(node))
    return node


@transaction.atomic
def jurisdiction_create(
    *, actor, parent: Jurisdiction, name: str, level: str, code: str = ""
) -> Jurisdiction:
    """Add a node under ``parent``: a district under a city, a street under a district…"""
    require_permission(actor, "add", parent)
    _check_child_level(parent, level)
    node = Jurisdiction.objects.add_child(parent, dict(name=name, level=level, code=code))
    audit_record(actor=actor, action=AuditAction.CREATE, obj=node, after=snapshot(node))
    return node


@transaction.atomic
def jurisdiction_update(*, actor, node: Jurisdiction, name: str, code: str) -> Jurisdiction:
    require_permission(actor, "change", node)
    node = Jurisdiction.objects.select_for_update().get(pk=node.pk)
    before = snapshot(node)
    node.name, node.code = name, code
    node.full_clean(exclude=["path", "depth", "numchild"])
    node.save(update_fields=["name", "code"])
    audit_record(
        actor=actor, action=AuditAction.UPDATE, obj=node, before=before, after=snapshot(node)
    )
    return node


# --- Registry objects: one create/update/delete path for every model ---------------------


def _check_in_scope(actor, obj) -> None:
    """The object's jurisdiction must lie in the actor's scope (unscoped models pass)."""
    if getattr(type(obj), "scope_path", None) is None:
        return
    node = obj.facility.jurisdiction if isinstance(obj, FacilityFunction) else obj.jurisdiction
    require_in_scope(actor, node)


def audit_snapshot(obj: models.Model) -> dict:
    """What the audit trail keeps of a registry object; a facility carries its functions."""
    data = snapshot(obj)
    if isinstance(obj, Facility):
        data["functions"] = [snapshot(f) for f in obj.functions.order_by("scenario")]
    return data


def _check_pilot(actor, before: bool, obj) -> None:
    """The pilot flag is the city's decision (or the district's, per the pack)."""
    if isinstance(obj, Community) and obj.pilot != before:
        require_pilot_designator(actor)


@transaction.atomic
def registry_create(*, actor, model: type[M], **fields) -> M:
    require_model_permission(actor, "add", model)
    obj = model(**fields)
    _check_in_scope(actor, obj)
    _check_pilot(actor, False, obj)
    obj.full_clean()
    obj.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=obj, after=audit_snapshot(obj))
    return obj


@transaction.atomic
def registry_update(*, actor, obj: M, **fields) -> M:
    require_permission(actor, "change", obj)
    obj = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    before = audit_snapshot(obj)
    was_pilot = getattr(obj, "pilot", False)
    for name, value in fields.items():
        setattr(obj, name, value)
    _check_in_scope(actor, obj)  # a move must land inside the actor's scope too
    _check_pilot(actor, was_pilot, obj)
    obj.full_clean()
    obj.save()
    audit_record(
        actor=actor, action=AuditAction.UPDATE, obj=obj, before=before, after=audit_snapshot(obj)
    )
    return obj


@transaction.atomic
def registry_delete(*, actor, obj: models.Model) -> None:
    require_permission(actor, "delete", obj)
    before = audit_snapshot(obj)
    audit_record(actor=actor, action=AuditAction.DELETE, obj=obj, before=before)
    obj.delete()


@transaction.atomic
def facility_save(*, actor, facility: Facility | None, functions: list[dict], **fields) -> Facility:
    """Create or update a facility together with its functions (replaced as a whole)."""
    if facility is None:
        require_model_permission(actor, "add", Facility)
        facility, before, action = Facility(**fields), None, AuditAction.CREATE
    else:
        require_permission(actor, "change", facility)
        facility = Facility.objects.select_for_update().get(pk=facility.pk)
        before, action = audit_snapshot(facility), AuditAction.UPDATE
        for name, value in fields.items():
            setattr(facility, name, value)
    _check_in_scope(actor, facility)
    facility.full_clean()
    facility.save()
    facility.functions.all().delete()
    for function_fields in functions:
        function = FacilityFunction(facility=facility, **function_fields)
        function.full_clean()
        function.save()
    audit_record(
        actor=actor, action=action, obj=facility, before=before, after=audit_snapshot(facility)
    )
    return facility


# --- Compounds: a compound is a node of the tree (小区) with its record -------------------


@transaction.atomic
def compound_create(*, actor, community: Jurisdiction, name: str, **fields) -> Compound:
    """Add a compound under ``community``: its node and its record, both audited.

    Keeping the registry includes adding compounds, so this needs ``add_compound`` in the
    community's scope, not the system administrator's right to edit the tree.
    """
    require_model_permission(actor, "add", Compound)
    require_in_scope(actor, community)
    _check_child_level(community, Level.COMPOUND)
    node = Jurisdiction.objects.add_child(community, dict(name=name, level=Level.COMPOUND))
    audit_record(actor=actor, action=AuditAction.CREATE, obj=node, after=snapshot(node))
    return registry_create(actor=actor, model=Compound, jurisdiction=node, **fields)


@transaction.atomic
def compound_update(*, actor, compound: Compound, name: str, **fields) -> Compound:
    """Change a compound's figures and, on its node, its name."""
    compound = registry_update(actor=actor, obj=compound, **fields)
    node = compound.jurisdiction
    if node.name != name:
        before = snapshot(node)
        node.name = name
        node.full_clean(exclude=["path", "depth", "numchild"])
        node.save(update_fields=["name"])
        audit_record(
            actor=actor, action=AuditAction.UPDATE, obj=node, before=before, after=snapshot(node)
        )
    return compound
