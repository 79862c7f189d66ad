"""Query filters that accept exactly what the schema says.

django-filter reads ``?pilot=null`` as "no filter", ``?state=`` as "no filter", the last of
two ``?kind=`` values, and validates a foreign key by fetching it (``?call=0`` was a 400 for
a well-formed id). Here a filter is given at most once; booleans are ``true`` or ``false``;
an id filter takes any id in range and simply matches nothing when there is no such object;
an empty value is refused where the schema has no empty value (enumerations, numbers).
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db import models
from django_filters.rest_framework import DjangoFilterBackend, FilterSet
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

from linli.api.pagination import single_value

MAX_ID = 2**63 - 1


class _StrictBooleanField(forms.Field):
    def to_python(self, value):
        if value in (None, ""):
            return None
        if value not in ("true", "false"):
            raise forms.ValidationError("Expected true or false.")
        return value == "true"


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = _StrictBooleanField


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "string", "pattern": "^[^\\x00]*$", "maxLength": 200})
class TextFilter(django_filters.CharFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 200)
        super().__init__(*args, **kwargs)


class StrictFilterSet(FilterSet):
    FILTER_DEFAULTS = {
        **FilterSet.FILTER_DEFAULTS,
        models.ForeignKey: {"filter_class": IdFilter},
        models.OneToOneField: {"filter_class": IdFilter},
        models.BooleanField: {"filter_class": StrictBooleanFilter},
        models.CharField: {"filter_class": TextFilter},
    }


class StrictFilterBackend(DjangoFilterBackend):
    filterset_base = StrictFilterSet

    def get_filterset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            for name, field in filterset_class.base_filters.items():
                value = single_value(request, name)
                if value == "" and not isinstance(field, TextFilter):
                    raise ValidationError({name: ["An empty value is not allowed."]})
        return super().get_filterset(request, queryset, view)
