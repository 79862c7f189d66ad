import django_filters
from django.utils.translation import gettext_lazy as _

from linli.accounts.models import User
from linli.accounts.roles import Role


class UserFilterSet(django_filters.FilterSet):
    username = django_filters.CharFilter(lookup_expr="icontains", label=_("Username"))
    role = django_filters.ChoiceFilter(choices=Role.choices, label=_("Role"))

    class Meta:
        model = User
        fields = ["username", "role"]
