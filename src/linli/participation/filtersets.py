import django_filters
from django.utils.translation import gettext_lazy as _

from linli.participation.choices import SurveyState
from linli.participation.models import PublicNotice, Survey


class SurveyFilterSet(django_filters.FilterSet):
    title = django_filters.CharFilter(lookup_expr="icontains", label=_("title"))
    state = django_filters.ChoiceFilter(choices=SurveyState.choices, label=_("state"))

    class Meta:
        model = Survey
        fields = ["title", "state"]


class NoticeFilterSet(django_filters.FilterSet):
    application__name = django_filters.CharFilter(lookup_expr="icontains", label=_("project name"))

    class Meta:
        model = PublicNotice
        fields = ["application__name"]
