import django_tables2 as tables
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from linli.accounts.models import CredentialRequest, RequestKind, RequestState, User
from linli.accounts.services import ADMINISTRATOR_ROLES


def _account_url(record: User) -> str | None:
    """An account's page; none for an administrator's, which no web page opens (三员分立:
    administrators are managed only at installation)."""
    if record.role in ADMINISTRATOR_ROLES:
        return None
    return reverse("accounts:user_edit", args=[record.pk])


class UserTable(tables.Table):
    username = tables.Column(linkify=_account_url)
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


class _ApprovableCheckBox(tables.CheckBoxColumn):
    """A box only where the security administrator can approve (pending, not an API token)."""

    @property
    def header(self):
        return _("Tick")  # not django-tables2's select-all box, which needs a script

    def render(self, value, bound_column, record):
        if record.state != RequestState.PENDING or record.kind == RequestKind.API_TOKEN:
            return ""
        return super().render(value, bound_column, record)


class CredentialRequestTable(tables.Table):
    """The queue; the security administrator ticks pending requests to approve them at once."""

    selected = _ApprovableCheckBox(
        accessor="pk", attrs={"input": {"name": "selected", "class": "form-check-input"}}
    )
    kind = tables.Column(linkify=("accounts:request_detail", {"pk": tables.A("pk")}))
    user = tables.Column(verbose_name=_("account"))
    jurisdiction = tables.Column(
        accessor="user__jurisdiction", verbose_name=_("jurisdiction"), orderable=False
    )

    class Meta:
        model = CredentialRequest
        fields = (
            "selected",
            "kind",
            "user",
            "jurisdiction",
            "state",
            "requested_by",
            "requested_at",
        )
        attrs = {"class": "table table-vcenter card-table"}

    def __init__(self, *args, selectable: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not selectable:
            self.columns.hide("selected")
