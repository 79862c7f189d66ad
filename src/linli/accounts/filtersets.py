import django_filters
from django.utils.translation import gettext_lazy as _

from linli.accounts.models import CredentialRequest, RequestKind, RequestState, User
from linli.accounts.roles import Role


class UserFilterSet(django_filters.FilterSet):
    username = django_filters.CharFilter(lookup_expr="icontains", label=_("Username"))
    role = django_filters.ChoiceFilter(choices=Role.choices, label=_("Role"))

    class Meta:
        model = User
        fields = ["username", "role"]


class CredentialRequestFilterSet(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=RequestState.choices, label=_("State"))
    kind = django_filters.ChoiceFilter(choices=RequestKind.choices, label=_("Request"))
    username = django_filters.CharFilter(
        field_name="user__username", lookup_expr="icontains", label=_("Username")
    )

    class Meta:
        model = CredentialRequest
        fields = ["state", "kind", "username"]
