"""Forms of the funding screens. They validate input only; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.accounts.roles import Department
from linli.core.permissions import restrict
from linli.core.vocabulary import zh_or_en
from linli.funding.choices import (
    AttachmentKind,
    AuthorityLevel,
    Procedure,
    ReviewDecision,
    suggested_departments,
)
from linli.funding.evaluation import funding_channels
from linli.funding.models import Application, ApplicationFunction, Call, Review
from linli.funding.progress import milestone_choices
from linli.funding.services import APPLICATION_FIELDS, document_for
from linli.policy import list_packs
from linli.registry.forms import StyledFormMixin
from linli.registry.models import CandidateSite, Jurisdiction, Level, Operator
from linli.registry.picker import use_tree_picker

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

    def __init__(self, *args, user, call: Call | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        communities = Jurisdiction.objects.filter(level=Level.COMMUNITY)
        self.fields["community"].queryset = restrict(communities, user)
        use_tree_picker(self.fields["community"], Level.COMMUNITY)
        self.fields["site"].queryset = restrict(CandidateSite.objects.all(), user)
        self.fields["operator"].queryset = Operator.objects.order_by("name")
        # 121号 三(八): one amount per funding channel of the call's pack.
        self.channels = funding_channels(call) if call else {}
        mix = self.instance.funding_mix if self.instance and self.instance.pk else {}
        for code, channel in self.channels.items():
            self.fields[f"mix_{code}"] = forms.DecimalField(
                label=_("Funding: %(channel)s (CNY)")
                % {"channel": zh_or_en(channel.name_zh, channel.name_en)},
                min_value=0,
                max_digits=14,
                decimal_places=2,
                required=False,
                initial=mix.get(code),
                widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.01"}),
            )

    def funding_mix(self) -> dict:
        return {code: self.cleaned_data.pop(f"mix_{code}", None) for code in self.channels}


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
        choices=[
            ("select", _("Select")),
            ("reserve", _("Keep in reserve (passed, not funded this round)")),
            ("reject", _("Reject")),
            ("return", _("Return")),
        ],
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
    approving_body = forms.CharField(label=_("approving body"), max_length=100)
    authority_level = forms.ChoiceField(label=_("approving level"), choices=AuthorityLevel.choices)
    procedure = forms.ChoiceField(label=_("procedure"), choices=Procedure.choices)
    document_no = forms.CharField(label=_("approval document number"), max_length=100)
    approved_on = forms.DateField(label=_("approved on"), widget=_DATE)
    approved_investment_cny = forms.DecimalField(
        label=_("approved investment (CNY)"), min_value=0, max_digits=14, decimal_places=2
    )
    deviation_reason = forms.CharField(
        label=_("reason for the difference"),
        widget=_TEXT,
        required=False,
        help_text=_("Needed when the approved investment lies far from the application's."),
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
    kind = forms.ChoiceField(label=_("milestone"))
    achieved_on = forms.DateField(label=_("achieved on"), widget=_DATE)
    note = forms.CharField(label=_("note"), widget=_TEXT, required=False)

    def __init__(self, *args, application: Application, **kwargs):
        super().__init__(*args, **kwargs)
        # The evidence releases are verified against.
        self.require_document(application, AttachmentKind.MILESTONE)
        self.fields["kind"].choices = milestone_choices(application.call)


class TrancheForm(StyledFormMixin, forms.Form):
    milestone = forms.ModelChoiceField(label=_("milestone"), queryset=None)
    amount_cny = forms.DecimalField(label=_("amount (CNY)"), min_value=0, decimal_places=2)
    note = forms.CharField(label=_("note"), widget=_TEXT, required=False)

    def __init__(self, *args, application: Application, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["milestone"].queryset = application.milestones.all()
        self.fields["milestone"].label_from_instance = lambda m: m.get_kind_display()
        # The ceiling, shown before the request (按工程进度: a cumulative share per milestone).
        from linli.funding.progress import progress

        now = progress(application)
        if now is not None:
            self.fields["amount_cny"].help_text = _(
                "Ceiling now %(ceiling)s CNY of %(approved)s CNY approved; %(committed)s CNY "
                "already requested or released; at most %(left)s CNY can be asked."
            ) % {
                "ceiling": now.ceiling_now_cny,
                "approved": now.approved_cny,
                "committed": now.committed_cny,
                "left": now.headroom_cny,
            }


class ChangeForm(StyledFormMixin, forms.Form):
    """Totals, and each function as changed: scenario, category, area and its 概算 estimate
    (rows left as they are keep the function; a row without a scenario drops it)."""

    reason = forms.CharField(label=_("reason"), widget=_TEXT)
    total_investment_cny = forms.DecimalField(
        label=_("new total investment (CNY)"), min_value=0, max_digits=14, decimal_places=2
    )
    gross_floor_area_m2 = forms.DecimalField(
        label=_("new gross floor area (m²)"), min_value=0, max_digits=10, decimal_places=2
    )

    def __init__(self, *args, application: Application, **kwargs):
        super().__init__(*args, **kwargs)
        from linli.funding.services import _current_functions

        current = _current_functions(application)
        self.initial.setdefault("total_investment_cny", application.total_investment_cny)
        self.initial.setdefault("gross_floor_area_m2", application.gross_floor_area_m2)
        data = self.data if self.is_bound else None
        formset = forms.formset_factory(ChangeFunctionForm, extra=1)
        self.functions = formset(data, initial=current, prefix="functions")
        channels = funding_channels(application.call)
        self.mix = MixForm(
            data,
            prefix="mix",
            channels=channels,
            initial=application.funding_mix,
            label=_("Funding: %(channel)s (CNY)"),
            title=_("Funding mix after the change"),
            hint=_(
                "Every funding channel and its amount after the change (121号 三(八)): together "
                "they add up to the new total investment."
            ),
        )
        # Blank unless the 概算 total differs from the total investment (the service then
        # keeps the report's own mix, or takes the one above when the totals are equal).
        self.report_mix = MixForm(
            data,
            prefix="report_mix",
            channels=channels,
            label=_("Report: %(channel)s (CNY)"),
            title=_("Funding mix of the fund application report"),
            hint=_(
                "Fill in only when the estimates above add up to a 概算 total other than the new "
                "total investment: the report's channels, adding up to the 概算 total. Leave "
                "blank otherwise: the report takes the mix above."
            ),
        )
        self.mixes = [self.mix, self.report_mix]

    def is_valid(self) -> bool:
        parts = [self.functions, *self.mixes]
        return super().is_valid() & all([part.is_valid() for part in parts])

    def rows(self) -> list[dict]:
        return [
            {k: v for k, v in f.cleaned_data.items() if v not in (None, "")}
            for f in self.functions.forms
            if f.cleaned_data.get("scenario")
        ]

    def change(self) -> dict:
        """The change as the service takes it."""
        return {
            **self.cleaned_data,
            "functions": self.rows(),
            "funding_mix": self.mix.amounts(),
            "report_funding_mix": self.report_mix.amounts() or None,
        }


class MixForm(forms.Form):
    """One amount per funding channel of the call's pack (121号 三(八)), under a heading."""

    def __init__(self, *args, channels, label, title, hint, **kwargs):
        super().__init__(*args, **kwargs)
        self.title, self.hint = title, hint
        for code, channel in channels.items():
            self.fields[code] = forms.DecimalField(
                label=label % {"channel": zh_or_en(channel.name_zh, channel.name_en)},
                min_value=0,
                max_digits=14,
                decimal_places=2,
                required=False,
                widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.01"}),
            )

    def amounts(self) -> dict:
        return {code: value for code, value in self.cleaned_data.items() if value is not None}


class ChangeFunctionForm(StyledFormMixin, forms.Form):
    scenario = forms.ChoiceField(
        label=_("scenario"),
        required=False,
        choices=[("", "—"), *ApplicationFunction._meta.get_field("scenario").choices],
    )
    category = forms.ChoiceField(
        label=_("category"),
        required=False,
        choices=[("", "—"), *ApplicationFunction._meta.get_field("category").choices],
    )
    floor_area_m2 = forms.DecimalField(
        label=_("floor area (m²)"), min_value=0, max_digits=10, decimal_places=2, required=False
    )
    estimate_cny = forms.DecimalField(
        label=_("estimate (CNY)"), min_value=0, max_digits=14, decimal_places=2, required=False
    )
    beds = forms.IntegerField(label=_("beds"), min_value=0, required=False)
    nursing_beds = forms.IntegerField(label=_("nursing beds"), min_value=0, required=False)
    infant_slots = forms.IntegerField(label=_("infant slots"), min_value=0, required=False)
    seats = forms.IntegerField(label=_("seats"), min_value=0, required=False)


class CarryForm(StyledFormMixin, forms.Form):
    """A later, open call the project goes into."""

    call = forms.ModelChoiceField(label=_("call"), queryset=Call.objects.none())

    def __init__(self, *args, application: Application, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["call"].queryset = Call.objects.filter(
            state="open", opens_on__gte=application.call.opens_on
        ).exclude(pk=application.call_id)


class ChangeDecisionForm(StyledFormMixin, forms.Form):
    letter_no = forms.CharField(label=_("number of the supplementary approval"), max_length=100)


class ExceptionDecisionForm(StyledFormMixin, forms.Form):
    accept = forms.TypedChoiceField(
        label=_("decision"),
        coerce=lambda v: v == "accept",
        choices=[("accept", _("Accept the exception")), ("refuse", _("Refuse the exception"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("comments"), widget=_TEXT, required=False)


class AttachmentForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("type of document"), choices=AttachmentKind.choices)
    file = forms.FileField(label=_("file"))


class TrancheNoteForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label=_("reason"), widget=_TEXT, required=False)
