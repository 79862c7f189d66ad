from django.utils.translation import gettext_lazy as _

from linli.audit.filtersets import AuditRecordFilterSet, SecurityEventFilterSet
from linli.audit.models import AuditRecord, SecurityEvent
from linli.audit.tables import AuditRecordTable, SecurityEventTable
from linli.core.views import RestrictedListView


class AuditRecordListView(RestrictedListView):
    model = AuditRecord
    table_class = AuditRecordTable
    filterset_class = AuditRecordFilterSet
    template_name = "audit/log_list.html"
    extra_context = {"title": _("Audit trail")}
    export_name = "audit-trail"
    export_columns = (
        ("time", _("time")),
        ("actor_username", _("actor")),
        ("get_action_display", _("action")),
        ("transition_label", _("transition")),
        ("object_type_label", _("object type")),
        ("object_id", _("object id")),
        ("object_repr", _("object")),
        ("client_ip", _("client IP")),
        ("request_id", _("request id")),
        ("before", _("before")),
        ("after", _("after")),
    )


class SecurityEventListView(RestrictedListView):
    model = SecurityEvent
    table_class = SecurityEventTable
    filterset_class = SecurityEventFilterSet
    template_name = "audit/log_list.html"
    extra_context = {"title": _("Security log")}
    export_name = "security-log"
    export_columns = (
        ("time", _("time")),
        ("get_kind_display", _("event")),
        ("username", _("username")),
        ("client_ip", _("client IP")),
        ("request_id", _("request id")),
        ("detail_text", _("detail")),
    )
