"""Permissions each role holds in the funding workflow; merged into accounts.roles.

Names follow Django's ``app_label.action_model``; workflow steps are actions of their own
(``funding.submit_application``), so :func:`linli.core.permissions.restrict` checks them
with the data scope like any other action.
"""


def _perms(model: str, *actions: str) -> set[str]:
    return {f"funding.{action}_{model}" for action in actions}


_SEE_CALLS = _perms("call", "view")
_SEE_PROJECTS = (
    _SEE_CALLS
    | _perms("application", "view")
    | _perms("review", "view")
    | _perms("attachment", "view")
    | _perms("feasibilityapproval", "view")
    | _perms("fundreport", "view")
    | _perms("subsidyapproval", "view")
    | _perms("ledger", "view")
    | _perms("milestone", "view")
    | _perms("tranche", "view")
    | _perms("changerequest", "view")
    | _perms("supplementaryapproval", "view")
)

FUNDING_PERMISSIONS: dict[str, frozenset[str]] = {
    # 市发展改革委: calls, joint review, decisions, subsidy approval, releases.
    "city_admin": frozenset(
        _SEE_PROJECTS
        | _perms("call", "add", "close")
        | _perms("application", "assign", "decide")
        | _perms("review", "view_internal")
        | _perms("subsidyapproval", "add")
        # 按权限履行项目审批职能: a 可研批复 within the city's own authority.
        | _perms("feasibilityapproval", "add")
        | _perms("attachment", "add")
        | _perms("tranche", "approve", "release", "reject")
        | _perms("changerequest", "decide")
    ),
    # 市级部门: one decision per dimension of its field.
    "city_department": frozenset(_SEE_PROJECTS | _perms("review", "change", "view_internal")),
    # 区发展改革部门: organises its streets' applications (and its reserve), reviews them
    # beside the departments (会同…各区), 可研批复 within its powers, reports up, verifies.
    "district_officer": frozenset(
        _SEE_PROJECTS
        | _perms("application", "add", "change", "submit", "return", "forward", "report")
        | _perms("review", "change")
        | _perms("attachment", "add")
        | _perms("feasibilityapproval", "add")
        | _perms("fundreport", "add")
        | _perms("tranche", "verify", "reject")
    ),
    # 街道: prepares applications; as the project unit, the fund report, milestones, tranches.
    "street_officer": frozenset(
        _SEE_PROJECTS
        | _perms("application", "add", "change", "submit")
        | _perms("attachment", "add")
        | _perms("fundreport", "add")
        | _perms("milestone", "add")
        | _perms("tranche", "add")
        | _perms("changerequest", "add")
    ),
}
