"""Permissions each role holds in participation; merged into accounts.roles.

The community (and the street) runs needs surveys; the district publishes a proposed project
for comment, moderates and answers; the city and its reviewing departments read both as the
consultation record of an application. Residents need no permission: they answer and comment
through the public links.
"""


def _perms(model: str, *actions: str) -> set[str]:
    return {f"participation.{action}_{model}" for action in actions}


_READ = (
    _perms("survey", "view")
    | _perms("surveyresponse", "view")
    | _perms("publicnotice", "view")
    | _perms("noticecomment", "view")
)
_RUN_SURVEYS = (
    _perms("survey", "view", "add", "change")
    | _perms("householdcode", "view", "add")
    | _perms("surveyresponse", "view", "add")
)

PARTICIPATION_PERMISSIONS: dict[str, frozenset[str]] = {
    "city_admin": frozenset(_READ),
    "city_department": frozenset(_READ),
    "district_officer": frozenset(
        _READ | _perms("publicnotice", "add") | _perms("noticecomment", "moderate", "answer")
    ),
    "street_officer": frozenset(_READ | _RUN_SURVEYS),
    "community_worker": frozenset(_READ | _RUN_SURVEYS),
}
