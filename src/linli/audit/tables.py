import django_tables2 as tables

from linli.audit.models import AuditRecord, SecurityEvent


class AuditRecordTable(tables.Table):
    time = tables.DateTimeColumn(format="Y-m-d H:i:s")

    class Meta:
        model = AuditRecord
        fields = (
            "time",
            "actor_username",
            "action",
            "transition",
            "object_type",
            "object_id",
            "object_repr",
            "client_ip",
            "request_id",
        )
        attrs = {"class": "table table-vcenter card-table table-sm"}


class SecurityEventTable(tables.Table):
    time = tables.DateTimeColumn(format="Y-m-d H:i:s")

    class Meta:
        model = SecurityEvent
        fields = ("time", "kind", "username", "client_ip", "request_id", "detail")
        attrs = {"class": "table table-vcenter card-table table-sm"}
