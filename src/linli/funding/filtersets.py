import django_filters
from django.utils.translation import gettext_lazy as _

from linli.accounts.roles import Department
from linli.funding.choices import (
    ApplicationState,
    CallState,
    Dimension,
    ReviewDecision,
    TrancheState,
)
from linli.funding.models import Application, Call, Review, SubsidyApproval, Tranche


class CallFilterSet(django_filters.FilterSet):
    title = django_filters.CharFilter(lookup_expr="icontains", label=_("title"))
    state = django_filters.ChoiceFilter(choices=CallState.choices, label=_("state"))

    class Meta:
        model = Call
        fields = ["title", "state"]


class ApplicationFilterSet(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("project name"))
    state = django_filters.ChoiceFilter(choices=ApplicationState.choices, label=_("state"))
    call = django_filters.ModelChoiceFilter(
        queryset=Call.objects.defer("policy_snapshot"), label=_("call")
    )

    class Meta:
        model = Application
        fields = ["name", "state", "call", "eligible"]


class ReviewFilterSet(django_filters.FilterSet):
    department = django_filters.ChoiceFilter(choices=Department.choices, label=_("department"))
    dimension = django_filters.ChoiceFilter(choices=Dimension.choices, label=_("dimension"))
    decision = django_filters.ChoiceFilter(choices=ReviewDecision.choices, label=_("decision"))

    class Meta:
        model = Review
        fields = ["department", "dimension", "decision"]


class SubsidyApprovalFilterSet(django_filters.FilterSet):
    approved_after = django_filters.DateFilter(
        field_name="approved_on", lookup_expr="gte", label=_("approved from")
    )
    expiry_before = django_filters.DateFilter(
        field_name="land_use_grace_expiry", lookup_expr="lte", label=_("grace expires by")
    )

    class Meta:
        model = SubsidyApproval
        fields = ["approved_after", "expiry_before"]


class TrancheFilterSet(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=TrancheState.choices, label=_("state"))

    class Meta:
        model = Tranche
        fields = ["state"]
