"""Permissions each role holds in operations; merged into accounts.roles.

The operator runs its facilities (services, rooms, timetable, prices, use, complaints) and
keeps the record of the inspections it receives; the offices that keep the registry see all of
it in their scope and record inspections too; residents read what is published (services,
their sessions and prices).
"""


def _perms(actions: str, *models: str) -> set[str]:
    return {f"operations.{action}_{model}" for action in actions.split() for model in models}


_ALL = ("service", "room", "timetableslot", "price", "userecord", "inspection", "complaint")
_SEE_ALL = _perms("view", *_ALL)
# Officials who supervise the facilities in their area (街道, 区, 市).
_SUPERVISE = _SEE_ALL | _perms("add change", "inspection")

OPERATIONS_PERMISSIONS: dict[str, frozenset[str]] = {
    "operator": frozenset(
        _SEE_ALL | _perms("add change", *_ALL) | _perms("delete", "room", "timetableslot")
    ),
    "city_admin": frozenset(_SUPERVISE),
    "district_officer": frozenset(_SUPERVISE),
    "street_officer": frozenset(_SUPERVISE),
    "city_department": frozenset(_SEE_ALL),
    "community_worker": frozenset(_SEE_ALL),
    "resident": frozenset(_perms("view", "service", "timetableslot", "price")),
}
