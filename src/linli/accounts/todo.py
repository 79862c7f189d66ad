"""To-do items of the account administrators, and of a user asked to confirm an API token."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from linli.accounts.credentials import open_requests_for
from linli.accounts.models import CredentialRequest, RequestKind, RequestState, User
from linli.accounts.throttle import locked_pairs
from linli.core.permissions import restrict
from linli.web.todo import TodoItem


def locked_accounts(user) -> list[TodoItem]:
    if not user.has_perm("accounts.unlock_user"):
        return []
    pairs = list(locked_pairs())
    if not pairs:
        return []
    visible = set(
        restrict(
            User.objects.filter(username__in={p["username"] for p in pairs}), user, "unlock"
        ).values_list("username", flat=True)
    )
    return [
        TodoItem(
            title=_("Locked sign-in: %(username)s") % {"username": pair["username"]},
            url=reverse("accounts:user_list") + f"?username={pair['username']}",
            detail=_("Repeated failed sign-ins from %(address)s; review, unlock if legitimate.")
            % {"address": pair["ip_address"] or "?"},
        )
        for pair in pairs
        if pair["username"] in visible
    ]


def requests_to_approve(user) -> list[TodoItem]:
    """Account requests waiting for the security administrator."""
    waiting = restrict(
        CredentialRequest.objects.filter(state=RequestState.PENDING).exclude(
            kind=RequestKind.API_TOKEN
        ),
        user,
        "approve",
    ).select_related("user__jurisdiction")
    return [
        TodoItem(
            title=_("Approve or reject: %(request)s") % {"request": item},
            url=reverse("accounts:request_detail", args=[item.pk]),
            detail=f"{item.user.get_role_display()} · {item.user.jurisdiction}",
        )
        for item in waiting[:20]
    ]


def tokens_to_confirm(user) -> list[TodoItem]:
    return [
        TodoItem(
            title=_("Confirm or decline the API token for your account"),
            url=reverse("accounts:me"),
            detail=_("Asked for by %(admin)s") % {"admin": item.requested_by},
        )
        for item in open_requests_for(user)
    ]
