import django_filters
from django.apps import apps
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.audit.models import AuditAction, AuditRecord, SecurityEvent, SecurityEventKind


class _TimeRangeFilterSet(django_filters.FilterSet):
    since = django_filters.DateFilter(field_name="time", lookup_expr="date__gte", label=_("From"))
    until = django_filters.DateFilter(field_name="time", lookup_expr="date__lte", label=_("To"))


def _object_types() -> list[tuple[str, str]]:
    """The platform's own models that people name (the trail stores their labels)."""
    return sorted(
        (
            (model._meta.label_lower, str(model._meta.verbose_name))
            for model in apps.get_models()
            if model.__module__.startswith("linli.")
            and "verbose_name" in model._meta.original_attrs
        ),
        key=lambda choice: choice[1],
    )


class AuditRecordFilterSet(_TimeRangeFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    action = django_filters.ChoiceFilter(choices=AuditAction.choices, label=_("Action"))
    actor = django_filters.CharFilter(field_name="actor_username", label=_("Actor"))
    object_type = django_filters.ChoiceFilter(
        field_name="object_type", choices=lambda: _object_types(), label=_("Object type")
    )

    class Meta:
        model = AuditRecord
        fields = ["q", "action", "actor", "object_type", "since", "until"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(object_repr__icontains=value)
            | Q(object_id=value)
            | Q(request_id=value)
            | Q(actor_username__icontains=value)
        )


class SecurityEventFilterSet(_TimeRangeFilterSet):
    kind = django_filters.ChoiceFilter(choices=SecurityEventKind.choices, label=_("Event"))
    username = django_filters.CharFilter(lookup_expr="icontains", label=_("Username"))
    client_ip = django_filters.CharFilter(label=_("Client IP"))

    class Meta:
        model = SecurityEvent
        fields = ["kind", "username", "client_ip", "since", "until"]
