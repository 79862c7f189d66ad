from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from linli.accounts import imports, services
from linli.accounts.filtersets import UserFilterSet
from linli.accounts.forms import (
    AccountCreateForm,
    AccountEditForm,
    AccountImportForm,
    PasswordResetForm,
)
from linli.accounts.lockouts import locked_usernames
from linli.accounts.models import User
from linli.accounts.tables import UserTable
from linli.core.exports import XLSX_TYPE, xlsx_response
from linli.core.permissions import get_restricted_or_404, has_permission
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
    """A service's refusal (e.g. a weak password) shown on the form."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error("password" if "password" in form.fields else None, error.messages)


@requires(User, "add")
def user_create(request):
    form = AccountCreateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            account = services.user_create(
                actor=request.user,
                password=form.cleaned_data["password"],
                is_active=False,
                must_change_password=True,
                **fields,
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Account %(username)s created. It starts inactive: the security "
                    "administrator checks its role and scope and activates it."
                )
                % {"username": account.username},
            )
            return redirect("accounts:user_list")
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
    return _account_page(
        request, form, _("Account %(username)s") % {"username": account.username}, account
    )


@requires(User, "change")
def user_password(request, pk: int):
    account = _editable_account(request, pk, "change")
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset(
                actor=request.user, user=account, new_password=form.cleaned_data["new_password"]
            )
        except ValidationError as error:
            form.add_error("new_password", error.messages)
        else:
            messages.success(
                request, _("New password set for %(username)s.") % {"username": account.username}
            )
            return redirect("accounts:user_edit", pk=account.pk)
    return _account_page(
        request, form, _("New password for %(username)s") % {"username": account.username}
    )


@requires(User, "change")
@require_POST
def user_token(request, pk: int):
    """Issue (``action=issue``) or revoke an API token; a new key is shown once."""
    account = _editable_account(request, pk, "change")
    if request.POST.get("action") == "revoke":
        services.api_token_revoke(actor=request.user, user=account)
        messages.success(request, _("API token revoked."))
        return redirect("accounts:user_edit", pk=account.pk)
    key = services.api_token_issue(actor=request.user, user=account)
    return _secret(
        render(
            request,
            "accounts/token_issued.html",
            {
                "title": _("API token for %(username)s") % {"username": account.username},
                "key": key,
                "account": account,
            },
        )
    )


def _secret(response):
    """A response that shows a secret once: no browser or proxy may keep a copy."""
    response["Cache-Control"] = "no-store"
    return response


@login_required
def password_change(request):
    """Every user changes their own password (the old one is asked for)."""
    form = DjangoPasswordChangeForm(request.user, request.POST or None)
    for field in form.fields.values():
        field.widget.attrs["class"] = "form-control"
    if request.method == "POST" and form.is_valid():
        services.password_change(user=request.user, new_password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Your password has been changed."))
        return redirect("home")
    return _account_page(request, form, _("Change your password"))


@requires(User, "add")
def user_import(request):
    """Upload the accounts template; any problem imports nothing, else the initial passwords
    come back once as an xlsx."""
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
                created = imports.users_import(actor=request.user, accounts=accounts)
                response = xlsx_response(
                    f"initial-passwords-{timezone.localdate():%Y%m%d}.xlsx",
                    "初始密码",
                    ["用户名", "显示名称", "角色", "所属辖区", "初始密码"],
                    (
                        [u.username, u.display_name, u.get_role_display(), str(u.jurisdiction), p]
                        for u, p in created
                    ),
                )
                return _secret(response)
            if not rows:
                form.add_error("file", _("The file holds no accounts."))
    return render(
        request,
        "accounts/import.html",
        {"form": form, "problems": problems, "title": _("Import accounts")},
    )


@requires(User, "add")
def user_import_template(request):
    response = HttpResponse(imports.accounts_template(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="accounts-template.xlsx"'
    return response
