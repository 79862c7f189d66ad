import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from linli.accounts.models import User


class UserTable(tables.Table):
    username = tables.Column(linkify=("accounts:user_edit", {"pk": tables.A("pk")}))
    jurisdiction = tables.Column(linkify=True)
    locked = tables.TemplateColumn(
        template_name="accounts/_locked_cell.html", verbose_name=_("locked"), orderable=False
    )

    class Meta:
        model = User
        fields = (
            "username",
            "display_name",
            "role",
            "department",
            "jurisdiction",
            "is_active",
            "last_login",
            "locked",
        )
        attrs = {"class": "table table-vcenter card-table"}
