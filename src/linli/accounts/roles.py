"""Roles and what each may do.

Roles follow the programme's offices (DESIGN.md §1) and the separation of the three
administrators required by 等保 (SEC-15): the system administrator runs accounts and the
jurisdiction tree and files credential requests, but cannot read the audit log nor obtain a
credential; the security administrator assigns roles, approves those requests, unlocks
accounts and reads the security log; the auditor only reads both logs.
Permissions use Django's ``app_label.action_model`` names so that ``user.has_perm`` and
:func:`linli.core.permissions.restrict` read them directly.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.funding.roles import FUNDING_PERMISSIONS
from linli.monitoring.roles import MONITORING_PERMISSIONS
from linli.operations.roles import OPERATIONS_PERMISSIONS
from linli.participation.roles import PARTICIPATION_PERMISSIONS
from linli.residents.roles import RESIDENT_PERMISSIONS


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", _("City programme office (DRC)")
    CITY_DEPARTMENT = "city_department", _("City department reviewer")
    DISTRICT_OFFICER = "district_officer", _("District officer")
    STREET_OFFICER = "street_officer", _("Street officer")
    COMMUNITY_WORKER = "community_worker", _("Community worker")
    OPERATOR = "operator", _("Operator")
    RESIDENT = "resident", _("Resident")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDITOR = "auditor", _("Auditor")


class Department(models.TextChoices):
    """市级部门 that take part in the joint review (联合审查)."""

    CIVIL_AFFAIRS = "civil_affairs", _("Civil Affairs Bureau")
    HEALTH = "health", _("Health Commission")
    EDUCATION = "education", _("Education Commission")
    SPORTS = "sports", _("Sports Bureau")
    CULTURE_TOURISM = "culture_tourism", _("Culture and Tourism Bureau")
    PLANNING = "planning", _("Planning and Natural Resources Commission")
    HOUSING = "housing", _("Housing and Urban-Rural Development Commission")
    FINANCE = "finance", _("Finance Bureau")


_VIEW_TREE = {"registry.view_jurisdiction"}


def _perms(actions: str, *models: str) -> set[str]:
    return {f"registry.{action}_{model}" for action in actions.split() for model in models}


_REGISTRY = ("community", "compound", "facility", "facilityfunction", "candidatesite", "operator")
# Planning runs (diagnosis, site plans) as background jobs about an area in scope.
_RUN_JOBS = {"jobs.view_job", "jobs.add_job"}
# Offices that keep the registry (they import, create and correct it within their scope).
_KEEP_REGISTRY = _VIEW_TREE | _perms("view add change delete", *_REGISTRY) | _RUN_JOBS
_SEE_REGISTRY = _VIEW_TREE | _perms("view", *_REGISTRY)
_READ_REGISTRY = _SEE_REGISTRY | {"jobs.view_job"}
# What residents may know: the facilities and their services (not sites under study).
_PUBLIC_REGISTRY = _VIEW_TREE | _perms("view", "facility", "facilityfunction", "operator")

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.CITY_ADMIN: frozenset(_KEEP_REGISTRY),
    Role.CITY_DEPARTMENT: frozenset(_READ_REGISTRY),
    Role.DISTRICT_OFFICER: frozenset(_KEEP_REGISTRY),
    Role.STREET_OFFICER: frozenset(_KEEP_REGISTRY),
    # 社区: keeps its own figures (residents by age, the service-facility area), its compounds
    # and the idle buildings it finds (121号 二(三)(五)). Diagnoses and site plans are drawn up
    # for a district or street as a whole (以区为单位整体谋划布局), so it runs none.
    Role.COMMUNITY_WORKER: frozenset(
        _SEE_REGISTRY
        | _perms("change", "community")
        | _perms("add change", "compound", "candidatesite")
    ),
    Role.OPERATOR: frozenset(_PUBLIC_REGISTRY | _perms("view", "community")),
    Role.RESIDENT: frozenset(_PUBLIC_REGISTRY),
    Role.SYSTEM_ADMIN: frozenset(
        _VIEW_TREE
        | {
            "registry.add_jurisdiction",
            "registry.change_jurisdiction",
            "registry.delete_jurisdiction",
            "accounts.view_user",
            "accounts.add_user",
            "accounts.change_user",
            # asks for credentials; never sets or sees one (linli.accounts.credentials)
            "accounts.view_credentialrequest",
            "accounts.add_credentialrequest",
            "accounts.change_credentialrequest",
        }
    ),
    Role.SECURITY_ADMIN: frozenset(
        _VIEW_TREE
        | {
            "accounts.view_user",
            "accounts.assign_role_user",
            "accounts.unlock_user",
            "accounts.view_credentialrequest",
            "accounts.approve_credentialrequest",
            "audit.view_securityevent",
        }
    ),
    Role.AUDITOR: frozenset({"audit.view_auditrecord", "audit.view_securityevent"}),
}


# Each workflow app declares its own permissions per role (e.g. linli.funding.roles).
for _app_permissions in (
    FUNDING_PERMISSIONS,
    OPERATIONS_PERMISSIONS,
    MONITORING_PERMISSIONS,
    RESIDENT_PERMISSIONS,
    PARTICIPATION_PERMISSIONS,
):
    for _role, _granted in _app_permissions.items():
        ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS.get(_role, frozenset()) | _granted


def permissions_of(role: str) -> frozenset[str]:
    return ROLE_PERMISSIONS.get(role, frozenset())
