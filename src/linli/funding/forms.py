"""Forms of the funding screens. They validate input only; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.accounts.roles import Department
from linli.core.permissions import restrict
from linli.funding.choices import (
    AttachmentKind,
    MilestoneKind,
    ReviewDecision,
    suggested_departments,
)
from linli.funding.models import Application, ApplicationFunction, Review
from linli.funding.services import APPLICATION_FIELDS, document_for
from linli.policy import list_packs
from linli.registry.forms import StyledFormMixin
from linli.registry.models import CandidateSite, Jurisdiction, Level, Operator

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_TEXT = forms.Textarea(attrs={"rows": 3})


class CallForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    policy_id = forms.ChoiceField(label=_("policy pack"))
    opens_on = forms.DateField(label=_("opens on"), widget=_DATE)
    closes_on = forms.DateField(label=_("closes on"), widget=_DATE)
    budget_cny = forms.DecimalField(label=_("budget envelope (CNY)"), min_value=0, decimal_places=2)
    districts = forms.ModelMultipleChoiceField(
        label=_("districts invited"), queryset=Jurisdiction.objects.none()
    )
    notice = forms.CharField(label=_("public notice"), widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy_id"].choices = [
            (p.id, f"{p.title_zh} ({p.id})") for p in list_packs(skip_invalid=True)
        ]
        districts = Jurisdiction.objects.filter(level=Level.DISTRICT)
        self.fields["districts"].queryset = restrict(districts, user)
        self.fields["districts"].widget.attrs["size"] = 6


class ApplicationForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Application
        # What the office fills in; the planning evidence comes only from a site plan.
        fields = [f for f in APPLICATION_FIELDS if f != "planning_evidence"]
        widgets = {
            name: _TEXT
            for name in (
                "price_cost_basis",
                "price_schedule",
                "consultation_opinions",
                "safety_assessment",
            )
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["operating_model"].required = False
        communities = Jurisdiction.objects.filter(level=Level.COMMUNITY)
        self.fields["community"].queryset = restrict(communities, user)
        self.fields["site"].queryset = restrict(CandidateSite.objects.all(), user)
        self.fields["operator"].queryset = Operator.objects.order_by("name")


class FunctionForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = ApplicationFunction
        fields = [
            "scenario",
            "category",
            "floor_area_m2",
            "investment_cny",
            "beds",
            "nursing_beds",
            "infant_slots",
            "seats",
        ]


FUNCTION_ROWS = 6


def function_rows(formset) -> list[dict]:
    """The filled rows of a function formset (a row without a scenario is blank)."""
    return [
        {k: v for k, v in f.cleaned_data.items() if k != "DELETE"}
        for f in formset.forms
        if f.is_valid() and f.cleaned_data.get("scenario")
    ]


def overrides_from(data) -> list[dict[str, str]]:
    """Justifications typed beside failed ``override`` findings (fields ``override:<rule>``)."""
    return [
        {"rule": key.removeprefix("override:"), "reason": value}
        for key, value in data.items()
        if key.startswith("override:") and value.strip()
    ]


class CommentForm(StyledFormMixin, forms.Form):
    comment = forms.CharField(label=_("comments"), widget=_TEXT)


class AssignForm(StyledFormMixin, forms.Form):
    departments = forms.MultipleChoiceField(
        label=_("departments"), choices=Department.choices, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, application: Application, **kwargs):
        super().__init__(*args, **kwargs)
        # Ticked: the departments of the project's fields, and those that review every project.
        scenarios = application.functions.values_list("scenario", flat=True)
        self.fields["departments"].initial = suggested_departments(scenarios)


class DecideForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("decision"),
        choices=[("select", _("Select")), ("reject", _("Reject")), ("return", _("Return"))],
    )
    comment = forms.CharField(label=_("comments"), widget=_TEXT, required=False)


class ReviewForm(StyledFormMixin, forms.ModelForm):
    """A department's decision: none is chosen for the reviewer (a pre-selected 同意 is one
    click from a decision nobody made)."""

    decision = forms.ChoiceField(
        label=_("decision"),
        widget=forms.RadioSelect,
        choices=[c for c in ReviewDecision.choices if c[0] != ReviewDecision.PENDING],
    )

    class Meta:
        model = Review
        fields = ["decision", "comment", "internal_comment"]
        widgets = {"comment": _TEXT, "internal_comment": _TEXT}


class _DocumentMixin(forms.Form):
    """An optional scan of the document, kept as an attachment of the application."""

    document = forms.FileField(label=_("document (PDF, JPG, PNG, DOCX, XLSX)"), required=False)

    def require_document(self, application: Application, kind: str) -> None:
        """The step needs a document of ``kind``: one already attached (through 添加附件, say)
        serves, so the upload here is then optional."""
        on_file = document_for(application, kind)
        field = self.fields["document"]
        field.required = on_file is None
        if on_file is not None:
            field.help_text = _("Leave empty to use the document already attached: %(name)s") % {
                "name": on_file.original_name
            }


class FeasibilityForm(StyledFormMixin, _DocumentMixin, forms.Form):
    document_no = forms.CharField(label=_("approval document number"), max_length=100)
    approved_on = forms.DateField(label=_("approved on"), widget=_DATE)
    approved_investment_cny = forms.DecimalField(
        label=_("approved investment (CNY)"), min_value=0, decimal_places=2
    )

    def __init__(self, *args, application: Application, **kwargs):
        super().__init__(*args, **kwargs)
        # The approval itself, not only its number.
        self.require_document(application, AttachmentKind.FEASIBILITY)


class FundReportForm(StyledFormMixin, _DocumentMixin, forms.Form):
    """One estimate per function of the project (概算 depth)."""

    def __init__(self, *args, application: Application, **kwargs):
        super().__init__(*args, **kwargs)
        self.functions = list(application.functions.all())
        for function in self.functions:
            self.fields[f"estimate_{function.pk}"] = forms.DecimalField(
                label=str(function), min_value=0, decimal_places=2, initial=function.investment_cny
            )

    def estimates(self) -> dict:
        return {f.pk: self.cleaned_data[f"estimate_{f.pk}"] for f in self.functions}


class SubsidyForm(StyledFormMixin, forms.Form):
    inclusive_rate = forms.DecimalField(
        label=_("inclusive subsidy rate (0–1)"), min_value=0, max_value=1, decimal_places=4
    )
    rate_reason = forms.CharField(label=_("reason for the rate"), widget=_TEXT)
    letter_no = forms.CharField(label=_("approval letter number"), max_length=100)
    approved_on = forms.DateField(label=_("approved on"), widget=_DATE)


class MilestoneForm(StyledFormMixin, _DocumentMixin, forms.Form):
    kind = forms.ChoiceField(label=_("milestone"), choices=MilestoneKind.choices)
    achieved_on = forms.DateField(label=_("achieved on"), widget=_DATE)
    note = forms.CharField(label=_("note"), widget=_TEXT, required=False)

    def __init__(self, *args, application: Application, **kwargs):
        super().__init__(*args, **kwargs)
        # The evidence releases are verified against.
        self.require_document(application, AttachmentKind.MILESTONE)


class TrancheForm(StyledFormMixin, forms.Form):
    milestone = forms.ModelChoiceField(label=_("milestone"), queryset=None)
    amount_cny = forms.DecimalField(label=_("amount (CNY)"), min_value=0, decimal_places=2)
    note = forms.CharField(label=_("note"), widget=_TEXT, required=False)

    def __init__(self, *args, application: Application, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["milestone"].queryset = application.milestones.all()


class ChangeForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("reason"), widget=_TEXT)
    total_investment_cny = forms.DecimalField(
        label=_("new total investment (CNY)"), min_value=0, decimal_places=2
    )
    gross_floor_area_m2 = forms.DecimalField(
        label=_("new gross floor area (m²)"), min_value=0, decimal_places=2
    )


class AttachmentForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("type of document"), choices=AttachmentKind.choices)
    file = forms.FileField(label=_("file"))


class TrancheNoteForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label=_("reason"), widget=_TEXT, required=False)
