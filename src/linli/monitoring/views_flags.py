"""Promise against reality: the list of flags (the city sees all of its scope), a flag with
what was promised and measured, the district's answer on the record."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core.permissions import get_restricted_or_404, has_permission, restrict
from linli.core.views import requires
from linli.monitoring import promise
from linli.monitoring.models import Flag, FlagState


@requires(Flag, "view")
def flag_list(request):
    flags = restrict(Flag.objects.all(), request.user).select_related("application", "facility")
    return render(
        request,
        "monitoring/flag_list.html",
        {
            "title": _("Promise against reality"),
            "flags": flags[:500],
            "may_raise": has_permission(request.user, Flag, "add"),
            "limits": promise.thresholds(),
        },
    )


@require_POST
@requires(Flag, "add")
def flags_raise(request):
    raised = promise.flags_raise(actor=request.user)
    messages.success(request, _("Measured again: %(n)s new flags.") % {"n": len(raised)})
    return redirect("monitoring:flag_list")


@requires(Flag, "view")
def flag_detail(request, pk: int):
    flag = get_restricted_or_404(Flag.objects.all(), request.user, pk=pk)
    if request.method == "POST":
        if not has_permission(request.user, Flag, "answer"):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        try:
            promise.flag_answer(
                actor=request.user, flag=flag, answer=request.POST.get("answer", "")
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The answer is on the record."))
            return redirect(flag)
    return render(
        request,
        "monitoring/flag_detail.html",
        {
            "title": str(flag),
            "crumbs": [
                (reverse("monitoring:flag_list"), _("Promise against reality")),
                (None, str(flag)),
            ],
            "flag": flag,
            "findings": promise.measure_project(request.user, flag.application),
            "may_answer": flag.state == FlagState.OPEN
            and has_permission(request.user, Flag, "answer"),
        },
    )
