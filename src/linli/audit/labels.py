"""What the logs say, in words a person reads.

The logs store code names (``registry.candidatesite``, ``approve_subsidy``,
``{"request": "new_account"}``) so that they stay stable and verifiable; the pages and exports
show them through these labels, in the reader's language."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# The keys the services write into a security event's detail (see security_event_record).
DETAIL_KEYS = {
    "by": gettext_lazy("by"),
    "confirmed_by": gettext_lazy("confirmed by"),
    "request": gettext_lazy("request"),
    "reason": gettext_lazy("reason"),
    "step": gettext_lazy("step"),
    "prepared": gettext_lazy("authenticator prepared"),
    "left": gettext_lazy("recovery codes left"),
    "path": gettext_lazy("page"),
    "method": gettext_lazy("request method"),
    "object": gettext_lazy("object"),
    "lookup": gettext_lazy("looked up"),
}
METHODS = {"GET": gettext_lazy("open"), "POST": gettext_lazy("send"), "HEAD": gettext_lazy("open")}
ACTIONS = {
    "view": gettext_lazy("view"),
    "add": gettext_lazy("add"),
    "change": gettext_lazy("change"),
    "delete": gettext_lazy("delete"),
}
STEPS = {
    "re-entry": gettext_lazy("confirming the password again"),
    "enrol": gettext_lazy("setting up the authenticator"),
    "sign-in": gettext_lazy("signing in"),
}


def model_label(label: str) -> str:
    """``registry.candidatesite`` → 候选用地 (the model's name); unknown labels as they are."""
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


def transition_label(object_type: str, name: str) -> str:
    """A workflow step by where it leads: ``approve_subsidy`` → “→ 资金已批复”."""
    if not name:
        return ""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return name
    method = getattr(model, name, None)
    meta = getattr(method, "_django_fsm", None)
    if meta is None:
        return name
    for transition in meta.transitions.values():
        target = transition.target
        field = meta.field if not isinstance(meta.field, str) else model._meta.get_field(meta.field)
        labels = dict(field.flatchoices)
        if target in labels:
            return f"→ {labels[target]}"
    return name


def _detail_value(key: str, value: Any) -> str:
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if key == "request":
        from linli.accounts.models import RequestKind

        return str(dict(RequestKind.choices).get(value, value))
    if key == "step":
        return str(STEPS.get(value, value))
    if key == "method":
        return str(METHODS.get(value, value))
    if key == "object" and isinstance(value, str) and "." in value:
        return permission_label(value)
    return str(value)


def permission_label(permission: str) -> str:
    """``registry.view_facility`` → “查看 设施”; a declared permission by its own name."""
    app_label, _dot, codename = permission.partition(".")
    try:
        models = apps.get_app_config(app_label).get_models()
    except LookupError:
        return permission
    for model in models:
        declared = dict(model._meta.permissions)
        if codename in declared:
            return str(declared[codename])
        action, _sep, model_name = codename.partition("_")
        if model_name == model._meta.model_name:
            return f"{ACTIONS.get(action, action)} {model._meta.verbose_name}"
    return permission


def detail_text(detail: dict[str, Any] | None) -> str:
    """A security event's detail as “label: value” pairs; empty when there is none."""
    if not detail:
        return ""
    return "；".join(
        f"{DETAIL_KEYS.get(key, key)}: {_detail_value(key, value)}" for key, value in detail.items()
    )
