"""The queue of account requests: the security administrator approves or rejects, the system
administrator follows and withdraws its own."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from linli.accounts import credentials
from linli.accounts.filtersets import CredentialRequestFilterSet
from linli.accounts.forms import DecisionForm
from linli.accounts.models import CredentialRequest, RequestKind, RequestState
from linli.accounts.tables import CredentialRequestTable
from linli.accounts.views import code_page, codes_workbook, secret
from linli.core.permissions import get_restricted_or_404, has_permission, restrict
from linli.core.views import RestrictedListView, requires


class CredentialRequestListView(RestrictedListView):
    model = CredentialRequest
    table_class = CredentialRequestTable
    filterset_class = CredentialRequestFilterSet
    template_name = "accounts/request_list.html"
    extra_context = {"title": gettext_lazy("Account requests")}
    export_name = "account-requests"
    export_columns = (
        ("get_kind_display", gettext_lazy("request")),
        ("user.username", gettext_lazy("account")),
        ("get_state_display", gettext_lazy("state")),
        ("requested_by.username", gettext_lazy("requested by")),
        ("requested_at", gettext_lazy("requested")),
        ("decided_by.username", gettext_lazy("decided by")),
        ("decided_at", gettext_lazy("decided")),
        ("reason", gettext_lazy("reason")),
    )

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("user__jurisdiction", "requested_by", "decided_by")
            .order_by("-requested_at", "-id")
        )

    def get_table_kwargs(self):
        return {"selectable": self.may_approve()}

    def may_approve(self) -> bool:
        return has_permission(self.request.user, CredentialRequest, "approve")

    def get_context_data(self, **kwargs):
        return super().get_context_data(may_approve=self.may_approve(), **kwargs)


def _request(request, pk: int, action: str = "view") -> CredentialRequest:
    return get_restricted_or_404(
        CredentialRequest.objects.select_related("user__jurisdiction", "requested_by"),
        request.user,
        action,
        pk=pk,
    )


@requires(CredentialRequest, "view")
def request_detail(request, pk: int):
    item = _request(request, pk)
    user = request.user
    return render(
        request,
        "accounts/request_detail.html",
        {
            "title": str(item),
            "item": item,
            "form": DecisionForm(),
            "may_decide": item.state == RequestState.PENDING
            and item.kind != RequestKind.API_TOKEN
            and has_permission(user, CredentialRequest, "approve"),
            "may_cancel": item.state in (RequestState.PENDING, RequestState.APPROVED)
            and has_permission(user, CredentialRequest, "change"),
        },
    )


@requires(CredentialRequest, "approve")
@require_POST
def request_decide(request, pk: int):
    """Approve (``decision=approve``: the second half of the code is shown once) or reject."""
    item = _request(request, pk, "approve")
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        if request.POST.get("decision") == "approve":
            filed = credentials.credential_request_approve(
                actor=request.user, request=item, note=note
            )
            if filed.code:
                return code_page(request, filed, half=2)
            messages.success(request, _("Approved: %(request)s.") % {"request": item})
        else:
            credentials.credential_request_reject(actor=request.user, request=item, note=note)
            messages.success(request, _("Rejected: %(request)s.") % {"request": item})
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("accounts:request_list")


@requires(CredentialRequest, "approve")
@require_POST
def request_approve_selected(request):
    """Approve the ticked requests at once (an import); the second halves download once."""
    ids = [int(pk) for pk in request.POST.getlist("selected") if pk.isdigit()]
    chosen = restrict(
        CredentialRequest.objects.filter(pk__in=ids, state=RequestState.PENDING)
        .exclude(kind=RequestKind.API_TOKEN)
        .select_related("user__jurisdiction"),
        request.user,
        "approve",
    ).order_by("pk")
    with transaction.atomic():
        filed = [
            credentials.credential_request_approve(actor=request.user, request=item)
            for item in chosen
        ]
    if not filed:
        messages.warning(request, _("Tick the pending requests to approve."))
        return redirect("accounts:request_list")
    with_codes = [f for f in filed if f.code]
    if not with_codes:
        messages.success(request, _("%(count)d requests approved.") % {"count": len(filed)})
        return redirect("accounts:request_list")
    return secret(codes_workbook(with_codes, half=2))


@requires(CredentialRequest, "change")
@require_POST
def request_cancel(request, pk: int):
    item = _request(request, pk, "change")
    try:
        credentials.credential_request_cancel(actor=request.user, request=item)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Withdrawn: %(request)s.") % {"request": item})
    return redirect("accounts:request_list")
