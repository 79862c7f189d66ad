"""The demo's accounts, declared once: ``linli demo`` creates and prints exactly these.

Every post of the guide has one, and every department of the joint review (联合审查) has its
reviewer, so that each flow the guide describes can be finished with the printed accounts
alone. Add an account by adding a line.

They are opened the way the platform opens any: asked for by the system administrator,
approved by the security administrator, password set with both codes. Roles that need a second
factor get an authenticator with a random key, which ``linli demo`` prints (add it to an
authenticator app, or run ``linli demo --code USERNAME``).
"""

from __future__ import annotations

from dataclasses import dataclass

from linli.accounts import twofactor
from linli.accounts.credentials import account_open
from linli.accounts.models import User
from linli.accounts.roles import Department, Role
from linli.demo import DEMO_PASSWORD


@dataclass(frozen=True)
class DemoAccountSpec:
    """``scope``: the level of the demo city's node the account is bound to (its first node
    of that level: 青岚市, 示范区, 清河街道, 金水社区)."""

    username: str
    role: str
    scope: str
    name: str
    department: str = ""


def _reviewer(department: str, name: str) -> DemoAccountSpec:
    return DemoAccountSpec(
        f"demo_reviewer_{department}", Role.CITY_DEPARTMENT, "city", name, department
    )


DEMO_ACCOUNTS: tuple[DemoAccountSpec, ...] = (
    DemoAccountSpec("demo_city_admin", Role.CITY_ADMIN, "city", "李明"),
    # One reviewer for each department of the joint review (联合审查).
    _reviewer(Department.CIVIL_AFFAIRS, "王芳"),
    _reviewer(Department.HEALTH, "何静"),
    _reviewer(Department.EDUCATION, "高翔"),
    _reviewer(Department.SPORTS, "马超"),
    _reviewer(Department.CULTURE_TOURISM, "罗兰"),
    _reviewer(Department.PLANNING, "黄磊"),
    _reviewer(Department.HOUSING, "徐刚"),
    _reviewer(Department.FINANCE, "林芳"),
    DemoAccountSpec("demo_district_officer", Role.DISTRICT_OFFICER, "district", "张伟"),
    DemoAccountSpec("demo_street_officer", Role.STREET_OFFICER, "street", "刘洋"),
    DemoAccountSpec("demo_community_worker", Role.COMMUNITY_WORKER, "community", "陈静"),
    DemoAccountSpec("demo_operator", Role.OPERATOR, "district", "赵磊"),
    DemoAccountSpec("demo_resident", Role.RESIDENT, "community", "孙丽"),
    DemoAccountSpec("demo_system_admin", Role.SYSTEM_ADMIN, "city", "周强"),
    DemoAccountSpec("demo_security_admin", Role.SECURITY_ADMIN, "city", "吴敏"),
    DemoAccountSpec("demo_auditor", Role.AUDITOR, "city", "郑华"),
)


def demo_username(role: str, department: str = "") -> str:
    """The username of the demo account of ``role`` (and ``department``, for reviewers)."""
    return next(
        spec.username
        for spec in DEMO_ACCOUNTS
        if spec.role == role and (not department or spec.department == department)
    )


def open_account(**fields) -> User:
    user = account_open(
        requested_by=User.objects.get(username=demo_username(Role.SYSTEM_ADMIN)),
        approved_by=User.objects.get(username=demo_username(Role.SECURITY_ADMIN)),
        password=DEMO_PASSWORD,
        **fields,
    )
    if twofactor.required(user):
        twofactor.authenticator_install(user=user)
    return user
