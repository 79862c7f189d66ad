from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from linli.accounts import services
from linli.accounts.filtersets import UserFilterSet
from linli.accounts.lockouts import locked_usernames
from linli.accounts.models import User
from linli.accounts.tables import UserTable
from linli.core.permissions import get_restricted_or_404
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
        return super().get_context_data(locked=locked_usernames(), **kwargs)


@requires(User, "unlock")
@require_POST
def user_unlock(request, pk: int):
    user = get_restricted_or_404(User.objects.all(), request.user, "unlock", pk=pk)
    services.user_unlock(actor=request.user, user=user)
    messages.success(request, _("Account %(username)s unlocked.") % {"username": user.username})
    return redirect("accounts:user_list")
