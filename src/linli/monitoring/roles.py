"""Permissions each role holds in monitoring; merged into accounts.roles.

Every office from the city to the community sees the dashboard of its own scope; the city
marks projects public; the city and districts generate reports; documents are drafted and
signed by the office whose step they belong to (the service checks which kind).
"""

_DASHBOARD = {"monitoring.view_dashboard", "monitoring.view_projectplan"}
_REPORTS = {"monitoring.view_periodicreport", "monitoring.add_periodicreport"}
_DOCUMENTS = {
    "monitoring.view_document",
    "monitoring.add_document",
    "monitoring.sign_document",
    "monitoring.view_documentversion",
}

MONITORING_PERMISSIONS: dict[str, frozenset[str]] = {
    "city_admin": frozenset(
        _DASHBOARD
        | _REPORTS
        | _DOCUMENTS
        | {"monitoring.publish_projectplan", "monitoring.change_projectplan"}
        | {"monitoring.view_flag", "monitoring.add_flag"}
    ),
    "city_department": frozenset(_DASHBOARD | {"monitoring.view_periodicreport"}),
    "district_officer": frozenset(
        _DASHBOARD | _REPORTS | _DOCUMENTS | {"monitoring.view_flag", "monitoring.answer_flag"}
    ),
    "street_officer": frozenset(
        _DASHBOARD | _DOCUMENTS | {"monitoring.change_projectplan", "monitoring.view_flag"}
    ),
    "community_worker": frozenset(_DASHBOARD),
}
