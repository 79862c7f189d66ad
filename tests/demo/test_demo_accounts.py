"""The demo's accounts, as declared: every post of the guide and every department of the joint
review has one, so each flow the guide describes can be finished with the printed accounts."""

from linli.accounts.roles import Department, Role
from linli.demo.accounts import DEMO_ACCOUNTS


def test_every_role_has_an_account_and_names_are_unique():
    assert {spec.role for spec in DEMO_ACCOUNTS} == set(Role.values)
    assert len({spec.username for spec in DEMO_ACCOUNTS}) == len(DEMO_ACCOUNTS)


def test_every_department_of_the_joint_review_has_its_reviewer():
    reviewers = [spec for spec in DEMO_ACCOUNTS if spec.role == Role.CITY_DEPARTMENT]
    assert sorted(spec.department for spec in reviewers) == sorted(Department.values)
    assert all(spec.scope == "city" for spec in reviewers)
