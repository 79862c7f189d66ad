"""To-do items of the account administrators."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from linli.accounts.lockouts import locked_usernames
from linli.accounts.models import User
from linli.core.permissions import restrict
from linli.web.todo import TodoItem


def locked_accounts(user) -> list[TodoItem]:
    if not user.has_perm("accounts.unlock_user"):
        return []
    names = locked_usernames()
    if not names:
        return []
    visible = restrict(User.objects.filter(username__in=names), user, "unlock")
    return [
        TodoItem(
            title=_("Locked account: %(username)s") % {"username": account.username},
            url=reverse("accounts:user_list") + f"?username={account.username}",
            detail=_("Locked after repeated failed logins; review and unlock if legitimate."),
        )
        for account in visible
    ]


def accounts_to_activate(user) -> list[TodoItem]:
    """New accounts (never signed in, inactive) wait for the security administrator."""
    waiting = restrict(
        User.objects.filter(is_active=False, last_login__isnull=True), user, "assign_role"
    )
    return [
        TodoItem(
            title=_("Check and activate account: %(username)s") % {"username": account.username},
            url=reverse("accounts:user_edit", args=[account.pk]),
            detail=f"{account.get_role_display()} · {account.jurisdiction}",
        )
        for account in waiting.select_related("jurisdiction")[:20]
    ]
