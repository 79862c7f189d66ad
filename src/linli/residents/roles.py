"""Permissions each role holds over residents' records; merged into accounts.roles.

A resident holds the permissions over their own records (``owner_path`` limits them to
those); the community desk registers residents without a phone and books for them within its
community; the auditor reads the log of sensitive-field views.
"""


def _perms(model: str, *actions: str) -> set[str]:
    return {f"residents.{action}_{model}" for action in actions}


RESIDENT_PERMISSIONS: dict[str, frozenset[str]] = {
    "resident": frozenset(
        _perms("resident", "view", "change", "portal")
        | _perms("familymember", "view", "add", "change")
        | _perms("consent", "view", "add", "change")
        | _perms("notice", "view")
        | _perms("booking", "view", "add", "change", "rate")
        | _perms("rating", "view", "add")
        | _perms("session", "view")
        | {"operations.view_complaint"}  # the complaints they filed (owner_path)
    ),
    # The operator sees the bookings of its own facilities' sessions and records the visits.
    "operator": frozenset(
        _perms("session", "view")
        | _perms("booking", "view", "change", "attend")
        | _perms("rating", "view")
    ),
    # 社区 desk (线上线下融合): registers people without a phone and acts for them.
    "community_worker": frozenset(
        _perms("resident", "view", "add", "change", "reveal")
        | _perms("familymember", "view", "add", "change")
        | _perms("consent", "view", "add", "change")
        | _perms("notice", "view")
        | _perms("booking", "view", "add", "change")
        | _perms("session", "view")
    ),
    "auditor": frozenset(_perms("sensitiveview", "view")),
}
