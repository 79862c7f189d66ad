from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from linli.core.permissions import restrict
from linli.core.vocabulary import choices
from linli.funding.models import Call
from linli.participation.models import Survey
from linli.participation.selectors import surveys_for_planning
from linli.policy import list_packs, vocabulary
from linli.registry.forms import StyledFormMixin
from linli.registry.models import Jurisdiction, Level
from linli.registry.picker import use_tree_picker


class DiagnosisForm(StyledFormMixin, forms.Form):
    area = forms.ModelChoiceField(queryset=Jurisdiction.objects.none(), label=_("Area"))
    policy = forms.ChoiceField(label=_("Policy pack"))
    survey = forms.ModelChoiceField(
        label=_("Weigh by residents' ranked needs (optional)"),
        queryset=Survey.objects.none(),
        required=False,
        empty_label=_("No: every service weighs the same"),
        help_text=_("A needs survey's answers weigh each community's demand per service."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survey"].queryset = surveys_for_planning(user)
        areas = Jurisdiction.objects.filter(level__in=[Level.CITY, Level.DISTRICT, Level.STREET])
        self.fields["area"].queryset = restrict(areas, user)
        use_tree_picker(self.fields["area"], Level.CITY, Level.DISTRICT, Level.STREET)
        if self.fields["area"].queryset.filter(pk=user.jurisdiction_id).exists():
            self.fields["area"].initial = user.jurisdiction_id  # most runs are of one's own area
        # The installation's own pack first: a city plans by its own measures.
        self.fields["policy"].initial = settings.POLICY_PACK
        chinese = (get_language() or "").startswith("zh")
        self.fields["policy"].choices = [
            (p.id, p.title_zh if chinese else p.title_en) for p in list_packs(skip_invalid=True)
        ]

    def job_params(self) -> dict:
        return {"policy": self.cleaned_data["policy"], **self.survey_param()}

    def survey_param(self) -> dict:
        survey = self.cleaned_data.get("survey")
        return {"survey": survey.pk} if survey else {}


class SitePlanForm(DiagnosisForm):
    scenarios = forms.MultipleChoiceField(
        label=_("Services to place"),
        widget=forms.CheckboxSelectMultiple,
        initial=["elderly_care", "infant_care", "child_afterschool", "community_meals"],
    )
    budget_wan = forms.DecimalField(
        label=_("Budget (10 000 CNY)"), min_value=0, max_digits=12, decimal_places=2, initial=2000
    )
    max_sites = forms.IntegerField(label=_("At most this many sites"), min_value=1, required=False)
    radius_m = forms.FloatField(label=_("Walking distance served (m)"), min_value=50, initial=500)
    min_floor_area_m2 = forms.FloatField(
        label=_("Floor area each service needs (m²)"),
        min_value=0,
        initial=150,
        help_text=_("A planning assumption: no policy text sets per-service minimum areas."),
    )
    fundable_complexes = forms.BooleanField(
        label=_("Only fundable complexes (the policy pack's function rules)"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["scenarios"].choices = choices(vocabulary.SCENARIOS)
        self.fields["scenarios"].widget.attrs["class"] = "form-check-input"

    def job_params(self) -> dict:
        data = self.cleaned_data
        return {
            "policy": data["policy"],
            "scenarios": data["scenarios"],
            "budget_cny": float(data["budget_wan"] * 10_000),
            "max_sites": data["max_sites"],
            "radius_m": data["radius_m"],
            "min_floor_area_m2": data["min_floor_area_m2"],
            "fundable_complexes": data["fundable_complexes"],
            **self.survey_param(),
        }


class PlanApplicationForm(StyledFormMixin, forms.Form):
    """Which call a site of the plan applies to: one taking applications today."""

    call = forms.ModelChoiceField(
        label=_("call"), queryset=Call.objects.none(), widget=forms.RadioSelect, empty_label=None
    )

    def __init__(self, *args, calls: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["call"].queryset = Call.objects.filter(pk__in=[c.pk for c in calls]).order_by(
            "-opens_on", "-pk"
        )
        if calls:
            self.fields["call"].initial = calls[0].pk  # the newest of those open now
