import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from linli.participation.models import PublicNotice, Survey

_ATTRS = {"class": "table table-vcenter card-table table-sm"}


class SurveyTable(tables.Table):
    title = tables.Column(linkify=True)
    answers = tables.Column(verbose_name=_("answers"), accessor="answer_count", orderable=False)

    class Meta:
        model = Survey
        fields = ("title", "jurisdiction", "opens_on", "closes_on", "state")
        attrs = _ATTRS


class NoticeTable(tables.Table):
    application = tables.Column(linkify=lambda record: record.get_absolute_url())
    pending = tables.Column(
        verbose_name=_("awaiting moderation"), accessor="pending_count", orderable=False
    )

    class Meta:
        model = PublicNotice
        fields = ("application", "opens_at", "closes_at", "period_days")
        attrs = _ATTRS
