"""Registry → compute-core tables: the area, its surroundings across the boundary, and scope."""

from decimal import Decimal

from django.test import TestCase, override_settings

from linli.accounts.roles import Role
from linli.core.testing import make_tree, make_user
from linli.jobs.services import job_submit
from linli.plans.handlers import DIAGNOSE
from linli.plans.inputs import area_tables
from linli.registry.services import facility_save
from linli.registry.testing import make_registry
from tests.plans.network import NETWORK


@override_settings(PLANNING_NETWORK_FILE=str(NETWORK))
class TestSurroundings(TestCase):
    """Street B runs a nursery just across the boundary, some 230 m from community A."""

    @classmethod
    def setUpTestData(cls):
        cls.tree = make_tree()
        cls.registry = make_registry(cls.tree)
        cls.district = make_user(cls.tree, Role.DISTRICT_OFFICER, cls.tree.district, "district")
        cls.street = make_user(cls.tree, Role.STREET_OFFICER, cls.tree.street_a, "street")
        cls.nursery = facility_save(
            actor=make_user(cls.tree, Role.CITY_ADMIN, cls.tree.city, "keeper"),
            facility=None,
            code="F-B-NURSERY",
            name="乙街道托育园",
            kind="scattered",
            status="operating",
            jurisdiction=cls.tree.community_b,
            lon=113.6025,
            lat=34.75,
            gross_floor_area_m2=Decimal("300"),
            functions=[dict(scenario="infant_care", category="inclusive", infant_slots=40)],
        )

    def test_without_reach_only_the_area(self):
        tables = area_tables(self.district, self.tree.street_a)
        self.assertEqual(list(tables.communities["code"]), [self.tree.community_a.code])
        self.assertNotIn("F-B-NURSERY", set(tables.functions["facility"]))

    def test_reach_brings_the_services_and_neighbours_across_the_boundary(self):
        tables = area_tables(self.district, self.tree.street_a, reach_m=1000)
        self.assertIn("F-B-NURSERY", set(tables.functions["facility"]))
        # Street B's own station stands 1.9 km from community A: beyond any 1 km walk.
        self.assertNotIn("F-B-1", set(tables.functions["facility"]))
        in_area = dict(zip(tables.communities["code"], tables.communities["in_area"], strict=True))
        self.assertEqual(
            in_area, {self.tree.community_a.code: True, self.tree.community_b.code: False}
        )
        self.assertEqual(set(tables.own_demand()["community"]), {self.tree.community_a.code})
        self.assertEqual(set(tables.sites["code"]), {"S-A-1"})  # the area's budget, its sites

    def test_a_street_officer_sees_no_further_than_its_scope(self):
        tables = area_tables(self.street, self.tree.street_a, reach_m=1000)
        self.assertNotIn("F-B-NURSERY", set(tables.functions["facility"]))
        self.assertEqual(list(tables.communities["code"]), [self.tree.community_a.code])

    def test_the_diagnosis_counts_the_nursery_across_the_boundary(self):
        def infant_coverage(user):
            job = job_submit(
                actor=user,
                kind=DIAGNOSE,
                jurisdiction=self.tree.street_a,
                params={"policy": "beijing-2024"},
            )
            job.refresh_from_db()
            self.assertEqual(job.status, "succeeded", job.error)
            [row] = job.result["communities"]
            self.assertEqual(row["code"], self.tree.community_a.code)
            return row["covered_infant_care"]

        self.assertEqual(infant_coverage(self.street), 0)
        self.assertEqual(infant_coverage(self.district), 1)
