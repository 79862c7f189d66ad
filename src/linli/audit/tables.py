import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from linli.audit.models import AuditRecord, SecurityEvent
from linli.core.tables import LocalTimeColumn


class AuditRecordTable(tables.Table):
    time = LocalTimeColumn(seconds=True)
    # The stored code names, shown by their labels (linli.audit.labels).
    transition = tables.Column(accessor="transition_label", verbose_name=_("transition"))
    object_type = tables.Column(
        accessor="object_type_label", verbose_name=_("object type"), order_by="object_type"
    )
    actor_username = tables.Column(verbose_name=_("actor"), attrs={"td": {"translate": "no"}})

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
    time = LocalTimeColumn(seconds=True)
    detail = tables.Column(accessor="detail_text", verbose_name=_("detail"), orderable=False)
    username = tables.Column(verbose_name=_("username"), attrs={"td": {"translate": "no"}})

    class Meta:
        model = SecurityEvent
        fields = ("time", "kind", "username", "client_ip", "request_id", "detail")
        attrs = {"class": "table table-vcenter card-table table-sm"}
