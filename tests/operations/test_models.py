"""The operations models: who sees them (restrict) and what the database refuses."""

from datetime import date, time

from django.db import IntegrityError, transaction
from django.test import TestCase

from linli.accounts.roles import Role
from linli.core.permissions import restrict
from linli.core.testing import make_tree, make_user
from linli.operations.models import Room, Service, TimetableSlot, UseRecord
from linli.operations.testing import make_operations
from linli.registry.models import Community, Facility, Operator


class OperatorScopeTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.tree = make_tree()
        cls.sample = make_operations(cls.tree)
        reg = cls.sample.registry
        cls.service_a = Service.objects.create(
            facility=reg.facility_a,
            scenario="elderly_care",
            name="日间照料",
            hours="每天 8:00–17:00",
        )
        cls.service_b = Service.objects.create(
            facility=reg.facility_b, scenario="elderly_care", name="助浴", hours="周三 9:00–11:00"
        )

    def test_operator_account_sees_its_own_operators_facilities_only(self):
        staff_a = self.sample.staff_a
        facilities = restrict(Facility.objects.all(), staff_a)
        self.assertEqual(list(facilities), [self.sample.registry.facility_a])
        self.assertEqual(list(restrict(Service.objects.all(), staff_a)), [self.service_a])
        self.assertEqual(list(restrict(Operator.objects.all(), staff_a)), [self.sample.operator_a])
        self.assertEqual(
            list(restrict(Service.objects.all(), self.sample.staff_b)), [self.service_b]
        )

    def test_operator_account_without_operator_sees_none(self):
        loose = make_user(self.tree, Role.OPERATOR, self.tree.city, "loose")
        self.assertFalse(restrict(Facility.objects.all(), loose).exists())

    def test_officials_keep_their_jurisdiction(self):
        street = make_user(self.tree, Role.STREET_OFFICER, self.tree.street_a, "street")
        self.assertEqual(
            list(restrict(Facility.objects.all(), street)), [self.sample.registry.facility_a]
        )
        # What is on offer is public to residents across their city: they walk past lines.
        resident = make_user(self.tree, Role.RESIDENT, self.tree.community_b, "resident")
        self.assertEqual(
            list(restrict(Facility.objects.all(), resident)),
            [self.sample.registry.facility_a, self.sample.registry.facility_b],
        )
        self.assertEqual(list(restrict(Community.objects.all(), resident)), [])


class ConstraintTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.tree = make_tree()
        cls.sample = make_operations(cls.tree)

    def test_slot_must_end_after_start(self):
        facility = self.sample.registry.facility_a
        room = Room.objects.create(facility=facility, name="多功能厅", capacity=30)
        service = Service.objects.create(
            facility=facility, scenario="elderly_care", name="太极", hours="周一 9:00"
        )
        with transaction.atomic(), self.assertRaises(IntegrityError):
            TimetableSlot.objects.create(
                service=service, room=room, weekday=0, start=time(10), end=time(9)
            )

    def test_use_month_is_first_day(self):
        with transaction.atomic(), self.assertRaises(IntegrityError):
            UseRecord.objects.create(
                facility=self.sample.registry.facility_a,
                month=date(2026, 5, 2),
                scenario="elderly_care",
            )
