"""Periodic reports: the history of a scope, generating one, downloading its files."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from linli.core.exports import XLSX_TYPE
from linli.core.permissions import get_restricted_or_404, has_permission, restrict
from linli.core.views import requires
from linli.monitoring.forms import DateInput
from linli.monitoring.models import Period, PeriodicReport
from linli.monitoring.reports import report_generate
from linli.registry.models import Jurisdiction, Level


class ReportForm(forms.Form):
    jurisdiction = forms.ModelChoiceField(
        label=gettext_lazy("jurisdiction"), queryset=Jurisdiction.objects.none()
    )
    period = forms.ChoiceField(label=gettext_lazy("period"), choices=Period.choices)
    on = forms.DateField(
        label=gettext_lazy("A day in the period"), widget=DateInput, initial=timezone.localdate
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = restrict(
            Jurisdiction.objects.filter(level__in=[Level.CITY, Level.DISTRICT, Level.STREET]),
            user,
        )
        self.fields["jurisdiction"].initial = user.jurisdiction_id
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


@requires(PeriodicReport, "view")
def report_list(request):
    reports = (
        restrict(PeriodicReport.objects.all(), request.user)
        .select_related("jurisdiction", "created_by")
        .defer("xlsx", "pdf")
    )
    may_add = has_permission(request.user, PeriodicReport, "add")
    return render(
        request,
        "monitoring/report_list.html",
        {
            "title": _("Periodic reports (调度表)"),
            "reports": reports[:200],
            "form": ReportForm(user=request.user) if may_add else None,
        },
    )


@require_POST
@requires(PeriodicReport, "add")
def report_create(request):
    form = ReportForm(request.POST, user=request.user)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}：{error}" if label else error)
        return redirect("monitoring:report_list")
    try:
        report_generate(
            actor=request.user,
            jurisdiction=form.cleaned_data["jurisdiction"],
            period=form.cleaned_data["period"],
            on=form.cleaned_data["on"],
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("The report was generated and kept."))
    return redirect("monitoring:report_list")


@requires(PeriodicReport, "view")
def report_download(request, pk: int, fmt: str):
    if fmt not in ("xlsx", "pdf"):
        raise Http404
    report = get_restricted_or_404(PeriodicReport.objects.all(), request.user, pk=pk)
    node = report.jurisdiction.code or report.jurisdiction.pk
    stem = f"report-{node}-{report.period}-{report.period_start:%Y%m%d}"
    if fmt == "xlsx":
        response = HttpResponse(bytes(report.xlsx), content_type=XLSX_TYPE)
    else:
        response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response
