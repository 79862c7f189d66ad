"""A small programme for the monitoring tests: the test tree with its registry, funded projects
in several stages (one in each street), their plans, and a real gap diagnosis of the district."""

from __future__ import annotations

from datetime import date, timedelta

from django.test import TestCase, override_settings
from django.utils import translation

from linli.accounts.roles import Role
from linli.core.testing import make_tree, make_user
from linli.funding.choices import ApplicationState
from linli.funding.testing import advance, draft, make_actors, open_call
from linli.jobs.services import job_submit
from linli.monitoring import services
from linli.plans.handlers import DIAGNOSE
from linli.registry.testing import make_registry
from tests.plans.network import NETWORK

S = ApplicationState


def build_programme(cls) -> None:
    cls.tree = tree = make_tree()
    cls.registry = make_registry(tree)
    cls.actors = actors = make_actors(tree)
    cls.call = open_call(actors.city_admin, [tree.district])
    cls.operating = draft(
        actors.street, cls.call, "甲一社区邻里中心", tree.community_a, site=cls.registry.site_a
    )
    advance(actors, cls.operating, S.OPERATING)
    cls.building = draft(actors.street, cls.call, "甲一社区养老托育综合体", tree.community_a)
    advance(actors, cls.building, S.IN_CONSTRUCTION)
    cls.review = draft(actors.street, cls.call, "甲一社区一老一小服务站", tree.community_a)
    advance(actors, cls.review, S.DISTRICT_SUBMITTED)
    cls.other = draft(actors.street_b, cls.call, "乙一社区嵌入式服务综合体", tree.community_b)
    advance(actors, cls.other, S.FUND_APPROVED, street=actors.street_b)
    today = date.today()
    # The project under construction is late: it was to open 40 days ago.
    services.plan_save(
        actor=actors.street,
        application=cls.building,
        planned_start=today - timedelta(days=60),
        planned_completion=today - timedelta(days=50),
        planned_opening=today - timedelta(days=40),
        promised_coverage={"elderly_care": 800},
    )
    services.plan_save(
        actor=actors.street,
        application=cls.operating,
        planned_start=today - timedelta(days=15),
        planned_completion=today,
        planned_opening=today + timedelta(days=5),
        promised_coverage={"elderly_care": 1200, "infant_care": 900},
    )
    cls.district_officer = make_user(tree, Role.DISTRICT_OFFICER, tree.district, "mon-district")
    with override_settings(PLANNING_NETWORK_FILE=str(NETWORK)):
        cls.diagnosis = job_submit(
            actor=cls.district_officer,
            kind=DIAGNOSE,
            jurisdiction=tree.district,
            params={"policy": "beijing-2024"},
            inline=True,
        )


class ProgrammeTestCase(TestCase):
    def setUp(self):
        self.enterContext(translation.override("en"))

    @classmethod
    def setUpTestData(cls):
        build_programme(cls)
