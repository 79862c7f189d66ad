import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from linli.residents.models import Resident, SensitiveView
from linli.residents.privacy import mask_phone


class ResidentTable(tables.Table):
    name = tables.Column(linkify=("residents:desk_detail", [tables.A("pk")]))
    phone = tables.Column(verbose_name=_("mobile phone"), orderable=False)
    compound = tables.Column(verbose_name=_("residential compound"), orderable=False)

    class Meta:
        model = Resident
        fields = ("name", "phone", "compound", "registered_at_desk", "created_at")
        attrs = {"class": "table table-vcenter card-table table-sm"}

    def render_phone(self, value):
        return mask_phone(value)


class SensitiveViewTable(tables.Table):
    time = tables.DateTimeColumn(format="Y-m-d H:i:s")

    class Meta:
        model = SensitiveView
        fields = (
            "time",
            "viewer_username",
            "viewer_role",
            "resident_ref",
            "member_ref",
            "model",
            "field",
        )
        attrs = {"class": "table table-vcenter card-table table-sm"}

    def render_field(self, record):
        return record.field_label

    def render_model(self, record):
        return record.record_label

    def render_viewer_role(self, record):
        return record.role_label
