"""Account administration: the system administrator's and the security administrator's pages.

Sign-in steps and a user's own account live in :mod:`linli.accounts.views_self`; the request
queue in :mod:`linli.accounts.views_requests`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from linli.accounts import credentials, imports, services, twofactor
from linli.accounts.filtersets import UserFilterSet
from linli.accounts.forms import (
    AccountCreateForm,
    AccountEditForm,
    AccountImportForm,
    RequestReasonForm,
)
from linli.accounts.models import CredentialRequest, RequestKind, RequestState, User
from linli.accounts.tables import UserTable
from linli.accounts.throttle import locked_usernames
from linli.core.exports import XLSX_TYPE, xlsx_response
from linli.core.permissions import get_restricted_or_404, has_permission, restrict
from linli.core.views import RestrictedListView, requires


class UserListView(RestrictedListView):
    model = User
    table_class = UserTable
    filterset_class = UserFilterSet
    template_name = "accounts/user_list.html"
    extra_context = {"title": gettext_lazy("Accounts")}
    export_name = "accounts"
    export_columns = (
        ("username", gettext_lazy("username")),
        ("display_name", gettext_lazy("display name")),
        ("get_role_display", gettext_lazy("role")),
        ("jurisdiction.name", gettext_lazy("jurisdiction")),
        ("is_active", gettext_lazy("active")),
        ("last_login", gettext_lazy("last login")),
    )

    def get_queryset(self):
        return super().get_queryset().select_related("jurisdiction").order_by("username")

    def get_context_data(self, **kwargs):
        may_add = has_permission(self.request.user, User, "add")
        return super().get_context_data(
            locked=locked_usernames(),
            create_url=reverse("accounts:user_create") if may_add else None,
            import_url=reverse("accounts:user_import") if may_add else None,
            **kwargs,
        )


@requires(User, "unlock")
@require_POST
def user_unlock(request, pk: int):
    user = get_restricted_or_404(User.objects.all(), request.user, "unlock", pk=pk)
    services.user_unlock(actor=request.user, user=user)
    messages.success(request, _("Account %(username)s unlocked.") % {"username": user.username})
    return redirect("accounts:user_list")


def _account_page(request, form, title: str, account=None, template="accounts/account_form.html"):
    return render(request, template, {"form": form, "title": title, "account": account})


def _form_errors(form, error: ValidationError) -> None:
    """A service's refusal shown on the form."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


def secret(response):
    """A response that shows a secret once: no browser or proxy may keep a copy."""
    response["Cache-Control"] = "no-store"
    return response


def code_page(request, filed: credentials.Filed, *, half: int):
    """The half code, shown once to the administrator who is to hand it to the user."""
    return secret(
        render(
            request,
            "accounts/code_issued.html",
            {
                "title": _("Code for %(username)s") % {"username": filed.request.user.username},
                "filed": filed,
                "half": half,
            },
        )
    )


@requires(User, "add")
def user_create(request):
    form = AccountCreateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            filed = credentials.user_create(actor=request.user, **fields)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            return code_page(request, filed, half=1)
    return _account_page(request, form, _("New account"))


def _editable_account(request, pk: int, action: str) -> User:
    return get_restricted_or_404(User.objects.all(), request.user, action, pk=pk)


@login_required
def user_edit(request, pk: int):
    if not services.account_fields_for(request.user):
        raise PermissionDenied
    account = _editable_account(request, pk, "view")
    if account.role in services.ADMINISTRATOR_ROLES:
        raise PermissionDenied
    form = AccountEditForm(request.POST or None, instance=account, actor=request.user)
    if request.method == "POST" and form.is_valid():
        account.refresh_from_db()  # the form wrote its values onto the instance
        try:
            services.user_update(actor=request.user, user=account, **form.changes())
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": account})
            return redirect("accounts:user_list")
    open_requests = restrict(
        CredentialRequest.objects.filter(
            user=account, state__in=[RequestState.PENDING, RequestState.APPROVED]
        ),
        request.user,
    )
    return render(
        request,
        "accounts/account_form.html",
        {
            "form": form,
            "title": _("Account %(username)s") % {"username": account.username},
            "account": account,
            "open_requests": open_requests,
            "has_second_factor": twofactor.has_device(account),
            "request_kinds": [
                (kind, label) for kind, label in RequestKind.choices if kind != "new_account"
            ],
        },
    )


@requires(CredentialRequest, "add")
def user_request(request, pk: int, kind: str):
    """The system administrator asks for a password reset, second-factor reset or API token."""
    if kind not in RequestKind.values or kind == RequestKind.NEW_ACCOUNT:
        raise Http404
    account = _editable_account(request, pk, "change")
    form = RequestReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            filed = credentials.credential_request_file(
                actor=request.user, user=account, kind=kind, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            if filed.code:
                return code_page(request, filed, half=1)
            messages.success(
                request,
                _("Request filed: %(what)s. It waits for %(who)s.")
                % {
                    "what": filed.request.get_kind_display(),
                    "who": _("the user")
                    if kind == RequestKind.API_TOKEN
                    else _("the security administrator"),
                },
            )
            return redirect("accounts:user_edit", pk=account.pk)
    title = _("%(what)s for %(username)s") % {
        "what": RequestKind(kind).label,
        "username": account.username,
    }
    return _account_page(request, form, title, template="accounts/request_form.html")


@requires(User, "change")
@require_POST
def user_token(request, pk: int):
    """Revoke an account's API token (issuing one is a request its user confirms)."""
    account = _editable_account(request, pk, "change")
    services.api_token_revoke(actor=request.user, user=account)
    messages.success(request, _("API token revoked."))
    return redirect("accounts:user_edit", pk=account.pk)


@requires(User, "add")
def user_import(request):
    """Upload the accounts template; any problem imports nothing, else the first halves of
    the codes come back once as an xlsx."""
    form = AccountImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            rows = imports.read_rows(form.cleaned_data["file"].read())
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            problems, accounts = imports.check_rows(request.user, rows)
            if accounts:
                filed = imports.users_import(actor=request.user, accounts=accounts)
                return secret(codes_workbook(filed, half=1))
            if not rows:
                form.add_error("file", _("The file holds no accounts."))
    return render(
        request,
        "accounts/import.html",
        {"form": form, "problems": problems, "title": _("Import accounts")},
    )


def codes_workbook(filed: list[credentials.Filed], *, half: int):
    """Half codes as an xlsx (many accounts at once), downloaded once."""
    column = "开通码第一段（系统管理员）" if half == 1 else "开通码第二段（安全管理员）"
    return xlsx_response(
        f"account-codes-{half}-{timezone.localdate():%Y%m%d}.xlsx",
        "开通码",
        ["用户名", "显示名称", "角色", "所属辖区", column],
        (
            [
                f.request.user.username,
                f.request.user.display_name,
                f.request.user.get_role_display(),
                str(f.request.user.jurisdiction),
                f.code,
            ]
            for f in filed
        ),
    )


@requires(User, "add")
def user_import_template(request):
    response = HttpResponse(imports.accounts_template(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="accounts-template.xlsx"'
    return response
