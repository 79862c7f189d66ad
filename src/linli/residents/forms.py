"""Residents' forms: short, one column, phone keyboards where numbers are typed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.core.vocabulary import choices
from linli.policy.vocabulary import SCENARIOS
from linli.registry.models import Compound
from linli.residents.choices import Relation
from linli.residents.finder import DEFAULT_RADIUS_M


def _phone_field():
    return forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "tel", "autocomplete": "tel", "class": "form-control"}
        ),
    )


def _code_field(required=True):
    return forms.CharField(
        label=_("Code from the text message"),
        max_length=6,
        required=required,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "class": "form-control"}
        ),
    )


class CompoundChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.jurisdiction.name


def compound_field(queryset=None):
    return CompoundChoiceField(
        label=_("Your residential compound"),
        queryset=queryset
        if queryset is not None
        else Compound.objects.select_related("jurisdiction").order_by("jurisdiction__path"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class PhoneForm(forms.Form):
    phone = _phone_field()


class SignUpForm(forms.Form):
    phone = _phone_field()
    code = _code_field()
    name = forms.CharField(
        label=_("Name"), max_length=64, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    consent = forms.BooleanField(
        label=_("I have read the privacy notice and agree to it"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compound"] = compound_field()


class SignInForm(forms.Form):
    phone = _phone_field()
    code = _code_field()


AGE_GROUPS = [
    ("", _("Everyone")),
    ("elderly", _("Older people")),
    ("infants", _("Infants (0–3)")),
    ("children", _("Children")),
    ("adults", _("Adults")),
]


class FindForm(forms.Form):
    """From my compound, or from a point picked on the map (the map fills lon/lat)."""

    scenario = forms.ChoiceField(
        label=_("Service"),
        required=False,
        choices=[("", _("All services"))] + choices(SCENARIOS),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    age_group = forms.ChoiceField(
        label=_("For whom"),
        required=False,
        choices=AGE_GROUPS,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    max_price = forms.DecimalField(
        label=_("Highest price (yuan)"),
        required=False,
        min_value=0,
        max_digits=8,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "decimal"}),
    )
    radius_m = forms.TypedChoiceField(
        label=_("Walking distance"),
        coerce=int,
        initial=int(DEFAULT_RADIUS_M),
        choices=[
            (300, _("5 minutes (300 m)")),
            (500, _("10 minutes (500 m)")),
            (1000, _("15 minutes (1 km)")),
            (2000, _("30 minutes (2 km)")),
        ],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    lon = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)


class MemberForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=64, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    relation = forms.ChoiceField(
        label=_("Relation"),
        choices=Relation.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    birth_date = forms.DateField(
        label=_("Date of birth"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )
    health_notes = forms.CharField(
        label=_("Health or disability notes (optional)"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    guardian_consent = forms.BooleanField(
        label=_(
            "I am the child's parent or guardian and consent to the processing of the child's "
            "information for booking services"
        ),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    sensitive_consent = forms.BooleanField(
        label=_("I consent separately to the health notes being kept for the services"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class DeskResidentForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=64, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    phone = forms.CharField(
        label=_("Mobile phone for reminders (optional)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "tel"}),
    )
    id_number = forms.CharField(
        label=_("ID card number (optional)"),
        required=False,
        max_length=18,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    paper_consent = forms.BooleanField(
        label=_("The resident has signed the paper consent form"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, compounds=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compound"] = compound_field(compounds)
        self.fields["compound"].label = _("Residential compound")
