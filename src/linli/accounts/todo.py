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
