import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from linli.residents.models import Resident, SensitiveView
from linli.residents.privacy import mask_phone

# The auditor reads field names in words, not code names.
FIELD_LABELS = {
    "name": _("name"),
    "phone": _("mobile phone"),
    "id_number": _("ID card number"),
    "birth_date": _("date of birth"),
    "health_notes": _("health or disability notes"),
}
RECORD_LABELS = {"resident": _("resident"), "familymember": _("family member")}


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
            "page",
        )
        attrs = {"class": "table table-vcenter card-table table-sm"}

    def render_field(self, value):
        return FIELD_LABELS.get(value, value)

    def render_model(self, value):
        return RECORD_LABELS.get(value, value)

    def render_viewer_role(self, value):
        from linli.accounts.roles import Role

        return Role(value).label if value in Role.values else value
