"""Account forms: each offers only what the signed-in user may set."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import SetPasswordForm
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
from linli.registry.picker import use_tree_picker

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
            use_tree_picker(self.fields["jurisdiction"])


class AccountCreateForm(_ScopedAccountForm):
    """No password here: the user sets one with the two administrators' codes."""

    class Meta:
        model = User
        fields = ["username", "display_name", "role", "department", "jurisdiction", "email"]
        help_texts = {"email": _("Optional: the user is told here of changes to the account.")}


class AccountEditForm(_ScopedAccountForm):
    """Name and e-mail for the system administrator; role, scope and activation for the
    security one."""

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


class RequestReasonForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why, and how you checked that the request comes from the user."),
    )


class DecisionForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class AccountImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("xlsx file"))


class _PasswordPairMixin:
    """Django's two new-password fields with the platform's widget classes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"
            field.widget.attrs["autocomplete"] = "new-password"


class PasswordSetForm(_PasswordPairMixin, SetPasswordForm):
    """A new password, twice (the user has just proved who they are)."""


class ActivateForm(StyledFormMixin, forms.Form):
    """A user sets their password with the two halves of the code."""

    username = forms.CharField(label=_("Username"), max_length=150)
    first_code = forms.CharField(
        label=_("Code, first half"),
        max_length=20,
        help_text=_("From the system administrator."),
    )
    second_code = forms.CharField(
        label=_("Code, second half"),
        max_length=20,
        help_text=_("From the security administrator."),
    )
    new_password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password1") != data.get("new_password2"):
            self.add_error("new_password2", _("The two passwords differ."))
        return data


class CodeForm(StyledFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class ReauthenticateForm(StyledFormMixin, forms.Form):
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    code = forms.CharField(
        label=_("Code from your authenticator"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args, with_code: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_code:
            del self.fields["code"]
