"""Operations objects for tests, made through the services (so they are audited too)."""

from __future__ import annotations

from dataclasses import dataclass

from linli.accounts.models import User
from linli.accounts.roles import Role
from linli.accounts.services import user_update
from linli.core.testing import TestTree, make_user
from linli.registry.models import Operator
from linli.registry.services import registry_create, registry_update
from linli.registry.testing import RegistrySample, make_registry

OTHER_USCC = "91419902MA0000002N"


@dataclass
class OperationsSample:
    """The registry sample with facility B run by another operator, and one account each."""

    registry: RegistrySample
    operator_a: Operator
    operator_b: Operator
    staff_a: User  # runs facility A (operator A)
    staff_b: User  # runs facility B (operator B)


def make_operations(tree: TestTree) -> OperationsSample:
    registry = make_registry(tree)
    keeper = User.objects.get(username="registry-keeper")
    other = registry_create(
        actor=keeper,
        model=Operator,
        name="邻里托育服务中心",
        uscc=OTHER_USCC,
        operator_type="social_organization",
    )
    registry.facility_b = registry_update(actor=keeper, obj=registry.facility_b, operator=other)
    return OperationsSample(
        registry=registry,
        operator_a=registry.operator,
        operator_b=other,
        staff_a=make_operator_account(tree, registry.operator, "staff-a"),
        staff_b=make_operator_account(tree, other, "staff-b"),
    )


def make_operator_account(tree: TestTree, operator: Operator, username: str) -> User:
    """An operator's staff account, bound to the city (its scope is its operator)."""
    user = make_user(tree, Role.OPERATOR, tree.city, username)
    return user_update(actor=tree.security_admin, user=user, operator=operator)
