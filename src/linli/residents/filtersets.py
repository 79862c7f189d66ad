import django_filters
from django.utils.translation import gettext_lazy as _

from linli.residents.models import Resident, SensitiveView


class ResidentFilterSet(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("Name"))

    class Meta:
        model = Resident
        fields = ["name", "registered_at_desk"]


class SensitiveViewFilterSet(django_filters.FilterSet):
    since = django_filters.DateFilter(field_name="time", lookup_expr="date__gte", label=_("From"))
    until = django_filters.DateFilter(field_name="time", lookup_expr="date__lte", label=_("To"))
    viewer = django_filters.CharFilter(
        field_name="viewer_username", lookup_expr="icontains", label=_("Viewer")
    )
    resident = django_filters.NumberFilter(field_name="resident_ref", label=_("Resident number"))

    class Meta:
        model = SensitiveView
        fields = ["viewer", "resident", "since", "until"]
