import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core.permissions import restrict
from linli.core.vocabulary import choices
from linli.policy import vocabulary
from linli.registry.choices import FacilityStatus, SiteStatus
from linli.registry.models import (
    CandidateSite,
    Community,
    Compound,
    Facility,
    Jurisdiction,
    Level,
    Operator,
)
from linli.registry.picker import TreePicker


class JurisdictionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    level = django_filters.ChoiceFilter(choices=Level.choices, label=_("Level"))

    class Meta:
        model = Jurisdiction
        fields = ["q", "level"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__startswith=value))


def _areas_in_scope(request):
    """Districts and streets the user may see: the choices of the ``within`` filter."""
    areas = Jurisdiction.objects.filter(level__in=[Level.DISTRICT, Level.STREET])
    return restrict(areas, request.user) if request else areas.none()


class _WithinFilterSet(django_filters.FilterSet):
    """``within``: a street (or any node) id; keeps objects in that subtree."""

    within = django_filters.ModelChoiceFilter(
        queryset=_areas_in_scope,
        method="filter_within",
        label=_("Within"),
        widget=TreePicker(levels=(Level.DISTRICT, Level.STREET)),
    )

    def filter_within(self, queryset, name, node):
        return queryset.filter(**{f"{queryset.model.scope_path}__startswith": node.path})


class CommunityFilterSet(_WithinFilterSet):
    q = django_filters.CharFilter(
        field_name="jurisdiction__name", lookup_expr="icontains", label=_("Search")
    )
    pilot = django_filters.BooleanFilter(label=_("pilot community"))

    class Meta:
        model = Community
        fields = ["q", "within", "pilot"]


class CompoundFilterSet(_WithinFilterSet):
    q = django_filters.CharFilter(
        field_name="jurisdiction__name", lookup_expr="icontains", label=_("Search")
    )
    new_estate = django_filters.BooleanFilter(label=_("new estate (四同步)"))

    class Meta:
        model = Compound
        fields = ["q", "within", "new_estate"]


class FacilityFilterSet(_WithinFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    scenario = django_filters.ChoiceFilter(
        field_name="functions__scenario",
        choices=choices(vocabulary.SCENARIOS),
        label=_("scenario"),
        distinct=True,
    )
    kind = django_filters.ChoiceFilter(choices=choices(vocabulary.KINDS), label=_("kind"))
    status = django_filters.ChoiceFilter(choices=FacilityStatus.choices, label=_("status"))

    class Meta:
        model = Facility
        fields = ["q", "within", "scenario", "kind", "status"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(code=value) | Q(address__icontains=value)
        )


class CandidateSiteFilterSet(_WithinFilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Search"))
    space_source = django_filters.ChoiceFilter(
        choices=choices(vocabulary.SPACE_SOURCES), label=_("space source")
    )
    building_type = django_filters.ChoiceFilter(
        choices=choices(vocabulary.BUILDING_TYPES), label=_("building type")
    )
    status = django_filters.ChoiceFilter(choices=SiteStatus.choices, label=_("status"))

    class Meta:
        model = CandidateSite
        fields = ["q", "within", "space_source", "building_type", "status"]


class OperatorFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))

    class Meta:
        model = Operator
        fields = ["q", "operator_type"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(uscc=value.upper()))
