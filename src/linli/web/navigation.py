"""The left navigation: each entry shows only to users holding its permission."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    permission: str | None = None  # None: every signed-in user
    icon: str = "•"


@dataclass(frozen=True)
class NavGroup:
    label: str | Promise
    items: tuple[NavItem, ...]
    for_residents: bool = False  # a resident's menu is their portal, not the officials' desk


MENU: tuple[NavGroup, ...] = (
    NavGroup(
        _("Workbench"),
        (NavItem(_("Home"), "home", icon="⌂"), NavItem(_("My account"), "accounts:me", icon="☺")),
        for_residents=True,
    ),
    NavGroup(
        _("Registry"),
        (
            NavItem(_("Communities"), "registry:community_list", "registry.view_community", "⌂"),
            NavItem(_("Compounds"), "registry:compound_list", "registry.view_compound", "▤"),
            NavItem(_("Facilities"), "registry:facility_list", "registry.view_facility", "✚"),
            NavItem(
                _("Candidate sites"),
                "registry:candidatesite_list",
                "registry.view_candidatesite",
                "◇",
            ),
            NavItem(_("Operators"), "registry:operator_list", "registry.view_operator", "☷"),
            NavItem(_("Import"), "registry_import:start", "registry.add_community", "⇪"),
            NavItem(
                _("Jurisdictions"), "registry:jurisdiction_list", "registry.view_jurisdiction", "▦"
            ),
        ),
    ),
    NavGroup(
        _("Funding"),
        (
            NavItem(_("Calls"), "funding:call_list", "funding.view_call", "✉"),
            NavItem(_("Applications"), "funding:application_list", "funding.view_application", "✎"),
            NavItem(
                _("District batch"), "funding:district_batch", "funding.forward_application", "⇧"
            ),
            NavItem(
                _("District pipeline"),
                "funding:district_pipeline",
                "funding.forward_application",
                "☰",
            ),
            NavItem(_("Reviews"), "funding:review_list", "funding.view_review", "☑"),
            NavItem(_("Approvals"), "funding:approval_list", "funding.view_subsidyapproval", "✔"),
            NavItem(_("Tranches"), "funding:tranche_list", "funding.view_tranche", "¥"),
            NavItem(_("Notifications"), "funding:notifications", "funding.view_application", "✉"),
        ),
    ),
    NavGroup(
        _("Operations"),
        (
            NavItem(
                _("Facilities in operation"),
                "operations:facility_list",
                "operations.view_userecord",  # operators and officials; not residents
                "☰",
            ),
        ),
    ),
    NavGroup(
        _("Planning"),
        (
            NavItem(_("Gap diagnosis"), "plans:diagnosis_list", "jobs.view_job", "◎"),
            NavItem(_("Site plans"), "plans:site_plan_list", "jobs.view_job", "◈"),
        ),
    ),
    NavGroup(
        _("Participation"),
        (
            NavItem(
                _("Needs surveys"),
                "participation:survey_list",
                "participation.view_survey",
                "☰",
            ),
            NavItem(
                _("Public notices"),
                "participation:notice_list",
                "participation.view_publicnotice",
                "✆",
            ),
        ),
    ),
    NavGroup(
        _("Monitoring"),
        (
            NavItem(_("Dashboard"), "monitoring:dashboard", "monitoring.view_dashboard", "▥"),
            NavItem(
                _("Project monitoring"),
                "monitoring:project_list",
                "monitoring.view_projectplan",
                "◷",
            ),
            NavItem(
                _("Promise against reality"), "monitoring:flag_list", "monitoring.view_flag", "⚑"
            ),
            NavItem(
                _("Periodic reports"),
                "monitoring:report_list",
                "monitoring.view_periodicreport",
                "▤",
            ),
        ),
    ),
    NavGroup(
        _("Residents"),
        (
            NavItem(_("Find services"), "residents:portal", "residents.portal_resident", "⌕"),
            NavItem(_("My bookings"), "residents:bookings", "residents.portal_resident", "☑"),
            NavItem(_("My family"), "residents:family", "residents.portal_resident", "☺"),
            NavItem(_("Messages"), "residents:notices", "residents.portal_resident", "✉"),
            NavItem(_("My information"), "residents:my_data", "residents.portal_resident", "ⓘ"),
            NavItem(_("Residents"), "residents:desk_list", "residents.add_resident", "☷"),
            NavItem(_("Bookings"), "residents:session_list", "residents.attend_booking", "☑"),
        ),
        for_residents=True,
    ),
    NavGroup(
        _("Administration"),
        (
            NavItem(_("Accounts"), "accounts:user_list", "accounts.view_user", "☺"),
            NavItem(
                _("Account requests"),
                "accounts:request_list",
                "accounts.view_credentialrequest",
                "✔",
            ),
            NavItem(_("Audit trail"), "audit:auditrecord_list", "audit.view_auditrecord", "✎"),
            NavItem(_("Security log"), "audit:securityevent_list", "audit.view_securityevent", "⚑"),
            NavItem(
                _("Sensitive data views"),
                "residents:sensitive_views",
                "residents.view_sensitiveview",
                "◉",
            ),
        ),
    ),
    NavGroup(_("Developers"), (NavItem(_("API documentation"), "api:docs", icon="⚙"),)),
)


def menu_for(user) -> list[tuple[NavGroup, list[NavItem]]]:
    visible = []
    resident = getattr(user, "role", None) == "resident"
    for group in MENU:
        if resident and not group.for_residents:
            continue
        items = [i for i in group.items if i.permission is None or user.has_perm(i.permission)]
        if items:
            visible.append((group, items))
    return visible
