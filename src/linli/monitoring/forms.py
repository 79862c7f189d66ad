from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.core.vocabulary import label
from linli.policy import vocabulary


class DateInput(forms.DateInput):
    input_type = "date"


class PlanForm(forms.Form):
    planned_start = forms.DateField(
        label=_("planned construction start"), required=False, widget=DateInput
    )
    planned_completion = forms.DateField(
        label=_("planned completion"), required=False, widget=DateInput
    )
    planned_opening = forms.DateField(
        label=_("promised opening date"), required=False, widget=DateInput
    )

    def __init__(self, *args, scenarios=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.scenarios = list(scenarios)
        for scenario in self.scenarios:
            self.fields[f"cover_{scenario}"] = forms.IntegerField(
                label=_("Residents newly within the 10-minute walk: %(s)s")
                % {"s": label(vocabulary.SCENARIOS, scenario)},
                min_value=0,
                required=False,
            )
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")

    def promised_coverage(self) -> dict[str, int]:
        return {
            s: self.cleaned_data[f"cover_{s}"]
            for s in self.scenarios
            if self.cleaned_data.get(f"cover_{s}") is not None
        }
