"""The world the funding tests act in: the test tree, a second district outside the test
users' scope, the funding offices, an open call and one application taken to ``state``."""

from __future__ import annotations

from django.test import TestCase

from linli.accounts.roles import Department, Role
from linli.core.testing import make_tree, make_user
from linli.funding.choices import ApplicationState
from linli.funding.testing import advance, draft, make_actors, open_call
from linli.registry.models import Level
from linli.registry.services import jurisdiction_create

S = ApplicationState


class FundingWorld(TestCase):
    """``permitted`` holds ``role`` in scope, ``outsider`` the same role in the other district
    (street B for street officers), ``unpermitted`` a role without the permission."""

    role: str = Role.STREET_OFFICER
    unpermitted_role: str = Role.AUDITOR
    state: str = S.DRAFT

    @classmethod
    def setUpTestData(cls):
        cls.tree = tree = make_tree()
        cls.actors = make_actors(tree)
        other = jurisdiction_create(
            actor=tree.admin,
            parent=tree.city,
            name="外区",
            level=Level.DISTRICT,
            code="990200000000",
        )
        cls.call = open_call(cls.actors.city_admin, [tree.district, other])
        cls.permitted = {
            Role.CITY_ADMIN: cls.actors.city_admin,
            Role.CITY_DEPARTMENT: cls.actors.reviewers[Department.CIVIL_AFFAIRS],
            Role.DISTRICT_OFFICER: cls.actors.district,
            Role.STREET_OFFICER: cls.actors.street,
        }[cls.role]
        if cls.role == Role.STREET_OFFICER:
            cls.outsider = cls.actors.street_b
        elif cls.role == Role.CITY_DEPARTMENT:
            cls.outsider = make_user(
                tree, Role.CITY_DEPARTMENT, other, "outside-reviewer", Department.CIVIL_AFFAIRS
            )
        else:
            cls.outsider = make_user(tree, cls.role, other, "outsider")
        cls.unpermitted = make_user(tree, cls.unpermitted_role, tree.street_a, "unpermitted")
        cls.application = draft(cls.actors.street, cls.call, "四方测试项目", tree.community_a)
        advance(cls.actors, cls.application, cls.state)
        cls.prepare()

    @classmethod
    def prepare(cls):
        """Set up what the action needs beyond the state."""
