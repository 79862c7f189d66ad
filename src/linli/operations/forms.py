"""Input forms of the operator portal; they only read input — the services decide."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.vocabulary import label
from linli.operations.models import Complaint, Inspection, Price, Room, Service, TimetableSlot
from linli.policy.vocabulary import SCENARIOS


class DateInput(forms.DateInput):
    """The browser's date picker, which reads and writes ISO dates whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):
        super().__init__(attrs, format)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None, format="%H:%M"):
        super().__init__(attrs, format)


class StyledForm(forms.Form):
    """Tabler's classes on every widget."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class StyledModelForm(StyledForm, forms.ModelForm):
    pass


def scenario_choices(facility) -> list[tuple[str, str]]:
    """The facility's own functions (a service belongs to one of them)."""
    codes = facility.functions.values_list("scenario", flat=True)
    return [(code, label(SCENARIOS, code)) for code in SCENARIOS if code in set(codes)]


class ServiceForm(StyledModelForm):
    class Meta:
        model = Service
        fields = (
            "scenario",
            "name",
            "description",
            "age_group",
            "hours",
            "capacity_per_slot",
            "booking_window_days",
            "cancel_hours_before",
        )
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, facility, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scenario"].choices = scenario_choices(facility)
        if self.instance.pk:
            self.fields["hours"].disabled = True
            self.fields["hours"].help_text = _(
                "Opening hours change with an effective date: use “Change opening hours”."
            )


class HoursForm(StyledForm):
    hours = forms.CharField(label=_("new opening hours"), max_length=200)
    effective_from = forms.DateField(label=_("effective from"), widget=DateInput)


class RoomForm(StyledModelForm):
    class Meta:
        model = Room
        fields = ("name", "capacity", "area_m2")


class SlotForm(StyledModelForm):
    class Meta:
        model = TimetableSlot
        fields = ("room", "weekday", "start", "end")
        widgets = {"start": TimeInput(format="%H:%M"), "end": TimeInput(format="%H:%M")}

    def __init__(self, *args, facility, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = Room.objects.filter(facility=facility)


class PriceForm(StyledModelForm):
    class Meta:
        model = Price
        fields = ("label", "amount", "unit", "cost_basis", "effective_from")
        widgets = {"effective_from": DateInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["effective_from"].initial = timezone.localdate()


class UseRecordForm(StyledForm):
    month = forms.DateField(
        label=_("month"), widget=DateInput, help_text=_("Any day of the month.")
    )
    scenario = forms.ChoiceField(label=_("scenario"))
    visits = forms.IntegerField(label=_("visits"), min_value=0, initial=0)
    meals = forms.IntegerField(label=_("meals served"), min_value=0, initial=0)
    beds_occupied = forms.IntegerField(
        label=_("beds occupied (monthly average)"), min_value=0, initial=0
    )
    infant_places_filled = forms.IntegerField(
        label=_("infant places filled"), min_value=0, initial=0
    )

    def __init__(self, *args, facility, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scenario"].choices = scenario_choices(facility)

    def clean_month(self):
        return self.cleaned_data["month"].replace(day=1)


class UseImportForm(StyledForm):
    file = forms.FileField(label=_("xlsx file"))


class InspectionForm(StyledModelForm):
    class Meta:
        model = Inspection
        fields = ("inspected_on", "kind", "inspector", "result", "findings", "rectify_by")
        widgets = {
            "inspected_on": DateInput,
            "rectify_by": DateInput,
            "findings": forms.Textarea(attrs={"rows": 3}),
        }


class RectifyForm(StyledForm):
    rectified_on = forms.DateField(label=_("rectified on"), widget=DateInput)
    rectification = forms.CharField(
        label=_("rectification"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ComplaintForm(StyledModelForm):
    class Meta:
        model = Complaint
        fields = ("received_on", "channel", "service", "subject", "detail", "deadline")
        widgets = {
            "received_on": DateInput,
            "deadline": DateInput,
            "detail": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, facility, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["service"].queryset = Service.objects.filter(facility=facility)
        self.fields["received_on"].initial = today
        self.fields["deadline"].initial = today + timedelta(days=5)


class AnswerForm(StyledForm):
    handling_notes = forms.CharField(
        label=_("handling and answer"), widget=forms.Textarea(attrs={"rows": 4})
    )
