import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from linli.core.tables import LocalTimeColumn
from linli.funding.models import Application, Call, Review, SubsidyApproval, Tranche

_ATTRS = {"class": "table table-vcenter card-table table-sm"}


class CallTable(tables.Table):
    title = tables.Column(linkify=True)
    policy_id = tables.Column(
        accessor="policy_title", order_by="policy_id", verbose_name=_("policy pack")
    )

    class Meta:
        model = Call
        fields = ("title", "policy_id", "opens_on", "closes_on", "budget_cny", "state")
        attrs = _ATTRS


class ApplicationTable(tables.Table):
    name = tables.Column(linkify=True)
    updated_at = LocalTimeColumn()
    public_status = tables.Column(
        verbose_name=_("public status"), accessor="get_public_status_display", orderable=False
    )

    class Meta:
        model = Application
        fields = (
            "name",
            "call",
            "jurisdiction",
            "kind",
            "total_investment_cny",
            "eligible",
            "state",
            "public_status",
            "updated_at",
        )
        attrs = _ATTRS


class ReviewTable(tables.Table):
    application = tables.Column(linkify=True, verbose_name=_("project"))

    class Meta:
        model = Review
        fields = ("application", "department", "dimension", "decision", "reviewer", "reviewed_at")
        attrs = _ATTRS


class SubsidyApprovalTable(tables.Table):
    application = tables.Column(linkify=True, verbose_name=_("project"))

    def render_inclusive_rate(self, value):
        from linli.web.templatetags.linli import percent

        return percent(value)

    class Meta:
        model = SubsidyApproval
        fields = (
            "application",
            "letter_no",
            "approved_on",
            "inclusive_rate",
            "total_cny",
            "land_use_grace_expiry",
        )
        attrs = _ATTRS


class TrancheTable(tables.Table):
    application = tables.Column(linkify=True, verbose_name=_("project"))

    class Meta:
        model = Tranche
        fields = ("application", "milestone", "amount_cny", "state", "requested_at", "released_at")
        attrs = _ATTRS
