from datetime import timedelta

from captcha.fields import CaptchaField
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.permissions import restrict
from linli.core.vocabulary import choices, label
from linli.participation.choices import Hours, MonthlyPay
from linli.participation.models import SurveyResponse
from linli.policy import vocabulary
from linli.registry.forms import StyledFormMixin
from linli.registry.models import Jurisdiction, Level
from linli.registry.picker import use_tree_picker


class SurveyForm(StyledFormMixin, forms.Form):
    """A needs survey from the template: the office names it, picks the area and the dates."""

    title = forms.CharField(label=_("title"), max_length=200)
    jurisdiction = forms.ModelChoiceField(
        label=_("area surveyed"), queryset=Jurisdiction.objects.none()
    )
    opens_on = forms.DateField(
        label=_("opens on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    closes_on = forms.DateField(
        label=_("closes on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    scenarios = forms.MultipleChoiceField(
        label=_("services asked about"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        areas = Jurisdiction.objects.filter(level__in=[Level.STREET, Level.COMMUNITY])
        self.fields["jurisdiction"].queryset = restrict(areas, user).order_by("path")
        use_tree_picker(self.fields["jurisdiction"], Level.STREET, Level.COMMUNITY)
        self.fields["jurisdiction"].initial = user.jurisdiction_id
        self.fields["scenarios"].choices = choices(vocabulary.SCENARIOS)
        self.fields["scenarios"].initial = list(vocabulary.SCENARIOS)
        self.fields["scenarios"].widget.attrs["class"] = "form-check-input"
        today = timezone.localdate()
        self.fields["opens_on"].initial = today
        self.fields["closes_on"].initial = today + timedelta(days=30)


class AnswerForm(StyledFormMixin, forms.ModelForm):
    """The template's questions, phone-sized."""

    household_code = forms.CharField(
        label=_("household code"),
        max_length=12,
        required=False,
        help_text=_("The code on the slip your community gave your household."),
    )

    class Meta:
        model = SurveyResponse
        fields = [
            "first_choice",
            "second_choice",
            "third_choice",
            "hours",
            "monthly_pay",
            "needs_elder",
            "needs_infant",
            "needs_school_child",
            "comment_scenario",
            "comment",
        ]
        widgets = {"comment": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, survey, code_required=True, **kwargs):
        super().__init__(*args, **kwargs)
        asked = [(code, label(vocabulary.SCENARIOS, code)) for code in survey.scenarios]
        blank = [("", "—")]
        self.fields["first_choice"].choices = blank + asked
        self.fields["second_choice"].choices = blank + asked
        self.fields["third_choice"].choices = blank + asked
        self.fields["comment_scenario"].choices = blank + asked
        self.fields["hours"].choices = blank + list(Hours.choices)
        self.fields["monthly_pay"].choices = blank + list(MonthlyPay.choices)
        self.fields["household_code"].required = code_required
        self.order_fields(["household_code"])

    def answers(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "household_code"}


class PublicAnswerForm(AnswerForm):
    """Online: the challenge stops scripted answers (a sum drawn as a picture, served by the
    platform itself: no third-party service)."""

    challenge = CaptchaField(label=_("Type the result of the sum in the picture"))


class NoticeForm(StyledFormMixin, forms.Form):
    summary = forms.CharField(
        label=_("what is proposed"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Plain words for residents: what will be built where, which services, when."),
    )


class CommentForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("signed as (optional)"), max_length=40, required=False)
    text = forms.CharField(
        label=_("comment"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    challenge = CaptchaField(label=_("Type the result of the sum in the picture"))


class ModerateForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=300, required=False)


class AnswerCommentForm(StyledFormMixin, forms.Form):
    answer = forms.CharField(
        label=_("the district's answer"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class CodesForm(StyledFormMixin, forms.Form):
    community = forms.ModelChoiceField(label=_("community"), queryset=Jurisdiction.objects.none())
    count = forms.IntegerField(label=_("how many codes"), min_value=1, max_value=5000, initial=50)

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        use_tree_picker(self.fields["community"], Level.COMMUNITY)
        if communities.count() == 1:
            self.fields["community"].initial = communities.first().pk
