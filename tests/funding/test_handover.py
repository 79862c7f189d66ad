"""From project to facility: the site follows the project, and at 投入运营 the project becomes
a registry facility that the next diagnosis counts."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.test import override_settings

from linli.audit.models import AuditAction, AuditRecord
from linli.funding.choices import ApplicationState
from linli.funding.testing import CallTestCase, advance, draft
from linli.jobs.services import job_submit
from linli.plans.handlers import DIAGNOSE
from linli.plans.inputs import area_tables
from linli.registry.choices import FacilityStatus, SiteStatus
from linli.registry.models import Facility
from linli.registry.testing import make_registry
from tests.plans.network import NETWORK

S = ApplicationState


@override_settings(PLANNING_NETWORK_FILE=str(NETWORK))
class ProjectToFacilityTests(CallTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.registry = make_registry(cls.tree)
        cls.site = cls.registry.site_a
        cls.application = draft(
            cls.actors.street,
            cls.call,
            "甲一社区养老托育综合体",
            community=cls.tree.community_a,
            site=cls.site,
            operator=cls.registry.operator,
        )

    def infant_coverage(self) -> int:
        job = job_submit(
            actor=self.actors.district,
            kind=DIAGNOSE,
            jurisdiction=self.tree.street_a,
            params={"policy": "beijing-2024"},
        )
        job.refresh_from_db()
        self.assertEqual(job.status, "succeeded", job.error)
        [row] = job.result["communities"]
        return row["covered_infant_care"]

    def site_status(self) -> str:
        self.site.refresh_from_db()
        return self.site.status

    def test_the_site_follows_the_project_and_the_facility_enters_the_diagnosis(self):
        self.assertEqual(self.infant_coverage(), 0)  # only an elderly-care station so far
        advance(self.actors, self.application, S.JOINT_REVIEW)
        self.assertEqual(self.site_status(), SiteStatus.AVAILABLE)
        advance(self.actors, self.application, S.SELECTED)
        self.assertEqual(self.site_status(), SiteStatus.RESERVED)
        # a site plan no longer proposes it
        tables = area_tables(self.actors.district, self.tree.street_a)
        self.assertNotIn(self.site.code, set(tables.sites["code"]))
        advance(self.actors, self.application, S.IN_CONSTRUCTION)
        self.assertEqual(self.site_status(), SiteStatus.USED)
        self.assertFalse(Facility.objects.filter(funded_project=self.application).exists())

        advance(self.actors, self.application, S.OPERATING)
        self.application.refresh_from_db()
        facility = self.application.facility
        self.assertEqual(facility.funded_project, self.application)  # linked both ways
        self.assertEqual(facility.status, FacilityStatus.OPERATING)
        self.assertEqual(facility.jurisdiction, self.tree.community_a)
        self.assertEqual((facility.lon, facility.lat), (self.site.lon, self.site.lat))
        self.assertEqual(facility.operator, self.registry.operator)
        self.assertEqual(facility.operating_model, "public_built_private_run")
        self.assertEqual(facility.gross_floor_area_m2, Decimal("1000.00"))
        self.assertEqual(
            facility.land_use_grace_expiry, self.application.subsidy_approval.land_use_grace_expiry
        )
        self.assertEqual(facility.opening_date, self.application.milestones.last().achieved_on)
        functions = {f.scenario: f for f in facility.functions.all()}
        self.assertEqual(set(functions), {"elderly_care", "infant_care", "community_meals"})
        self.assertEqual(functions["elderly_care"].nursing_beds, 12)
        self.assertEqual(functions["infant_care"].infant_slots, 40)
        self.assertEqual(functions["community_meals"].canteen_seats, 60)
        self.assertEqual(functions["infant_care"].floor_area_m2, Decimal("300.00"))
        # audited: the facility created by the street that recorded 投入运营, and the link
        created = AuditRecord.objects.get(
            object_type="registry.facility", object_id=str(facility.pk), action=AuditAction.CREATE
        )
        self.assertEqual(created.actor, self.actors.street)
        self.assertTrue(
            AuditRecord.objects.filter(
                object_type="funding.application",
                object_id=str(self.application.pk),
                action=AuditAction.UPDATE,
                after__facility_id=facility.pk,
            ).exists()
        )
        # the next diagnosis counts the new nursery
        self.assertEqual(self.infant_coverage(), 1)

    def test_a_site_taken_by_a_selected_project_cannot_be_selected_again(self):
        advance(self.actors, self.application, S.SELECTED)
        second = draft(
            self.actors.street,
            self.call,
            "甲一社区第二个项目",
            community=self.tree.community_a,
            site=self.site,
        )
        with self.assertRaises(ValidationError) as raised:
            advance(self.actors, second, S.SELECTED)
        self.assertIn("site", raised.exception.message_dict)
        second.refresh_from_db()
        self.assertEqual(second.state, S.JOINT_REVIEW)  # nothing changed

    def test_operation_needs_a_place_for_the_facility(self):
        placeless = draft(self.actors.street, self.call, "无选址项目")
        advance(self.actors, placeless, S.IN_CONSTRUCTION)
        with self.assertRaises(ValidationError):
            advance(self.actors, placeless, S.OPERATING)
        placeless.refresh_from_db()
        self.assertEqual(placeless.state, S.IN_CONSTRUCTION)  # the transition rolled back
        self.assertFalse(Facility.objects.filter(name="无选址项目").exists())
