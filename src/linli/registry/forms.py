from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from linli.core.permissions import restrict
from linli.registry.models import (
    CandidateSite,
    Community,
    Compound,
    Facility,
    FacilityFunction,
    Jurisdiction,
    Level,
    Operator,
)
from linli.registry.picker import use_tree_picker
from linli.registry.pilots import may_designate_pilots


class JurisdictionForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    code = forms.RegexField(
        label=_("administrative code"),
        regex=r"^\d{6,20}$",
        required=False,
        max_length=20,
        error_messages={"invalid": _("6 to 20 digits.")},
    )

    def clean_code(self):
        code = self.cleaned_data["code"]
        existing = Jurisdiction.objects.filter(code=code).exclude(pk=getattr(self, "node_pk", None))
        if code and existing.exists():
            raise forms.ValidationError(_("Another jurisdiction already has this code."))
        return code


class StyledFormMixin:
    """Tabler/Bootstrap classes on every widget (no inline styles: the CSP forbids them)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            # Check boxes and radio buttons, single or in a list, are ticked, not typed in.
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class ScopedModelForm(StyledFormMixin, forms.ModelForm):
    """Offers only jurisdiction nodes of ``node_level`` inside the user's scope."""

    node_level = Level.COMMUNITY

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if "jurisdiction" in self.fields:
            nodes = Jurisdiction.objects.filter(level=self.node_level)
            self.fields["jurisdiction"].queryset = restrict(nodes, user)
            use_tree_picker(self.fields["jurisdiction"], self.node_level)


class CommunityForm(ScopedModelForm):
    class Meta:
        model = Community
        fields = [
            "jurisdiction",
            *Community.RESIDENT_FIGURES,
            "service_area_m2",
            "centroid_lon",
            "centroid_lat",
            "pilot",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        if not may_designate_pilots(user):
            del self.fields["pilot"]  # the city's decision (121号 一), shown on the record
        if "jurisdiction" in self.fields and self.instance.pk is None:
            # A community's figures are recorded once; further changes edit that record.
            field = self.fields["jurisdiction"]
            field.queryset = field.queryset.filter(community__isnull=True)


class CompoundForm(StyledFormMixin, forms.ModelForm):
    """A compound is named on its node; it is created under a community and stays there."""

    community = forms.ModelChoiceField(queryset=Jurisdiction.objects.none(), label=_("community"))
    name = forms.CharField(label=_("compound name"), max_length=100)

    class Meta:
        model = Compound
        fields = ["households", "centroid_lon", "centroid_lat", "year_built", "new_estate"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        communities = Jurisdiction.objects.filter(level=Level.COMMUNITY)
        self.fields["community"].queryset = restrict(communities, user)
        use_tree_picker(self.fields["community"], Level.COMMUNITY)
        self.order_fields(["community", "name"])
        if self.instance.pk is not None:
            node = self.instance.jurisdiction
            del self.fields["community"]  # a compound does not move between communities
            self.fields["name"].initial = node.name


class FacilityForm(ScopedModelForm):
    class Meta:
        model = Facility
        fields = [
            "code",
            "name",
            "jurisdiction",
            "kind",
            "status",
            "lon",
            "lat",
            "address",
            "gross_floor_area_m2",
            "resident_activity_area_m2",
            "floors_used",
            "basement",
            "operator",
            "operating_model",
            "opening_date",
            "land_use_grace_expiry",
        ]
        widgets = {
            "opening_date": forms.DateInput(attrs={"type": "date"}),
            "land_use_grace_expiry": forms.DateInput(attrs={"type": "date"}),
        }


class FacilityFunctionForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = FacilityFunction
        fields = [
            "scenario",
            "category",
            "floor_area_m2",
            "beds",
            "nursing_beds",
            "respite_beds",
            "infant_slots",
            "afterschool_places",
            "canteen_seats",
            "opening_hours",
        ]


FacilityFunctionFormSet = inlineformset_factory(
    Facility, FacilityFunction, form=FacilityFunctionForm, extra=1, can_delete=True
)


class CandidateSiteForm(ScopedModelForm):
    class Meta:
        model = CandidateSite
        fields = [
            "code",
            "name",
            "jurisdiction",
            "lon",
            "lat",
            "address",
            "building_type",
            "floor_area_m2",
            "floors",
            "ownership",
            "space_source",
            "renovation_cost_cny",
            "status",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class OperatorForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Operator
        fields = ["name", "uscc", "operator_type", "contact_name", "contact_phone"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)

    def clean_uscc(self):
        return self.cleaned_data["uscc"].strip().upper()
