"""Account forms: each offers only what the signed-in administrator may set."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.accounts.models import User
from linli.accounts.roles import Role
from linli.accounts.services import (
    ACCOUNT_FIELDS,
    ADMINISTRATOR_ROLES,
    AUTHORIZATION_FIELDS,
    account_fields_for,
)
from linli.core.permissions import restrict
from linli.registry.forms import StyledFormMixin
from linli.registry.models import Jurisdiction

ORDINARY_ROLES = [
    (value, label) for value, label in Role.choices if value not in ADMINISTRATOR_ROLES
]


class _ScopedAccountForm(StyledFormMixin, forms.ModelForm):
    """Roles other than the three administrators; nodes inside the actor's scope."""

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        if "role" in self.fields:
            self.fields["role"].choices = ORDINARY_ROLES
        if "jurisdiction" in self.fields:
            self.fields["jurisdiction"].queryset = restrict(Jurisdiction.objects.all(), actor)


class AccountCreateForm(_ScopedAccountForm):
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput(render_value=False),
        help_text=_("At least 10 characters, not a common password. Tell it to the user."),
    )

    class Meta:
        model = User
        fields = ["username", "display_name", "role", "department", "jurisdiction"]


class AccountEditForm(_ScopedAccountForm):
    """Name for the system administrator; role, scope and activation for the security one."""

    class Meta:
        model = User
        fields = [*ACCOUNT_FIELDS, *AUTHORIZATION_FIELDS]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, actor=actor, **kwargs)
        allowed = account_fields_for(actor)
        for name in list(self.fields):
            if name not in allowed:
                del self.fields[name]

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.changed_data}


class PasswordResetForm(StyledFormMixin, forms.Form):
    new_password = forms.CharField(
        label=_("New password"), widget=forms.PasswordInput(render_value=False)
    )


class AccountImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("xlsx file"))
