"""Operations services: what they refuse, what they record, and that each change is audited."""

from datetime import date, time, timedelta
from decimal import Decimal
from io import BytesIO

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from django.utils import timezone, translation
from openpyxl import Workbook

from linli.audit.models import AuditRecord
from linli.core.testing import make_tree
from linli.operations import imports, services
from linli.operations.models import Complaint, UseRecord
from linli.operations.testing import make_operations


def xlsx(rows) -> SimpleUploadedFile:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("use.xlsx", buffer.getvalue())


class OperationsServiceTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.tree = make_tree()
        cls.sample = make_operations(cls.tree)
        cls.staff = cls.sample.staff_a
        cls.facility = cls.sample.registry.facility_a
        cls.room = services.room_create(
            actor=cls.staff, facility=cls.facility, name="多功能厅", capacity=30
        )
        cls.day_care = services.service_create(
            actor=cls.staff,
            facility=cls.facility,
            scenario="elderly_care",
            name="日间照料",
            hours="周一至周五 8:00–17:00",
            capacity_per_slot=20,
        )
        cls.taichi = services.service_create(
            actor=cls.staff,
            facility=cls.facility,
            scenario="elderly_care",
            name="太极拳班",
            hours="周一 9:00–10:30",
            capacity_per_slot=15,
        )

    def setUp(self):
        self.enterContext(translation.override("en"))

    def test_a_service_belongs_to_a_function_of_the_facility(self):
        with self.assertRaises(ValidationError) as raised:
            services.service_create(
                actor=self.staff,
                facility=self.facility,
                scenario="infant_care",
                name="托育",
                hours="周一至周五",
            )
        self.assertIn("scenario", raised.exception.message_dict)

    def test_another_operators_facility_is_refused(self):
        with self.assertRaises(PermissionDenied):
            services.room_create(
                actor=self.staff,
                facility=self.sample.registry.facility_b,
                name="活动室",
                capacity=10,
            )

    def test_one_room_hosts_several_services_at_different_times_never_overlapping(self):
        services.slot_create(
            actor=self.staff, service=self.taichi, room=self.room, weekday=0, start=time(9),
            end=time(10, 30),
        )  # fmt: skip
        # 错时使用: the same room on Monday afternoon for another service
        services.slot_create(
            actor=self.staff, service=self.day_care, room=self.room, weekday=0, start=time(14),
            end=time(16),
        )  # fmt: skip
        with self.assertRaises(ValidationError) as raised:
            services.slot_create(
                actor=self.staff, service=self.day_care, room=self.room, weekday=0,
                start=time(10), end=time(11),
            )  # fmt: skip
        message = raised.exception.message_dict["start"][0]
        self.assertIn("太极拳班", message)
        self.assertIn("09:00", message)
        # back to back is fine, and another day is free
        services.slot_create(
            actor=self.staff, service=self.day_care, room=self.room, weekday=0,
            start=time(10, 30), end=time(11, 30),
        )  # fmt: skip
        services.slot_create(
            actor=self.staff, service=self.day_care, room=self.room, weekday=1, start=time(10),
            end=time(11),
        )  # fmt: skip
        self.assertEqual(self.room.slots.count(), 4)

    def test_publishing_needs_a_session_and_a_price(self):
        with self.assertRaises(ValidationError):
            services.service_publish(actor=self.staff, service=self.day_care, published=True)
        services.slot_create(
            actor=self.staff, service=self.day_care, room=self.room, weekday=2, start=time(8),
            end=time(17),
        )  # fmt: skip
        with self.assertRaises(ValidationError):
            services.service_publish(actor=self.staff, service=self.day_care, published=True)
        services.price_set(
            actor=self.staff,
            service=self.day_care,
            amount=Decimal("60"),
            unit="per_day",
            cost_basis=Decimal("58"),
            effective_from=timezone.localdate(),
        )
        service = services.service_publish(actor=self.staff, service=self.day_care, published=True)
        self.assertTrue(service.published)
        self.assertIsNotNone(service.published_at)

    @override_settings(POLICY_PACK="beijing-2024")
    def test_a_price_is_checked_and_a_change_is_dated(self):
        today = timezone.localdate()
        first = services.price_set(
            actor=self.staff,
            service=self.day_care,
            amount=Decimal("60.00"),
            unit="per_day",
            cost_basis=Decimal("58.00"),
            effective_from=today,
        )
        self.assertTrue(first.passed)
        self.assertIn("保本微利", first.findings[0]["source"])
        # 58 × 1.05 = 60.90: above it only warns (a RECALLED number), recorded as not passed
        higher = services.price_set(
            actor=self.staff,
            service=self.day_care,
            amount=Decimal("65.00"),
            unit="per_day",
            cost_basis=Decimal("58.00"),
            effective_from=today + timedelta(days=30),
        )
        self.assertFalse(higher.passed)
        self.assertEqual(higher.findings[0]["severity"], "warning")
        service = self.day_care
        self.assertEqual([p.amount for p in service.prices_on(today)], [Decimal("60.00")])
        self.assertEqual(
            [p.amount for p in service.prices_on(today + timedelta(days=30))], [Decimal("65.00")]
        )
        type(service).objects.filter(pk=service.pk).update(published=True)
        service.refresh_from_db()
        with self.assertRaises(ValidationError) as raised:  # published: no change in the past
            services.price_set(
                actor=self.staff,
                service=service,
                amount=Decimal("50.00"),
                unit="per_day",
                cost_basis=Decimal("48.00"),
                effective_from=today - timedelta(days=1),
            )
        self.assertIn("effective_from", raised.exception.message_dict)

    @override_settings(POLICY_PACK="beijing-2024")
    def test_a_price_failing_a_confirmed_ceiling_is_refused(self):
        from linli.policy.pricing import PricingTerms

        strict = PricingTerms(Decimal("0.05"), "121号 二（六）", "SEED", {})
        with self._terms(strict):
            with self.assertRaises(ValidationError) as raised:
                services.price_set(
                    actor=self.staff,
                    service=self.day_care,
                    amount=Decimal("70"),
                    unit="per_day",
                    cost_basis=Decimal("58"),
                    effective_from=timezone.localdate(),
                )
        self.assertIn("amount", raised.exception.message_dict)
        self.assertFalse(self.day_care.prices.exists())

    def _terms(self, terms):
        from unittest import mock

        return mock.patch("linli.operations.services.pricing_terms", return_value=terms)

    def test_new_hours_of_a_published_service_are_announced_ahead(self):
        service = self.day_care
        type(service).objects.filter(pk=service.pk).update(published=True)
        service.refresh_from_db()
        start = timezone.localdate() + timedelta(days=14)
        service = services.service_hours_change(
            actor=self.staff, service=service, hours="周一至周六 8:00–18:00", effective_from=start
        )
        self.assertEqual(service.hours_on(timezone.localdate()), "周一至周五 8:00–17:00")
        self.assertEqual(service.hours_on(start), "周一至周六 8:00–18:00")
        self.assertTrue(
            AuditRecord.objects.filter(
                object_type="operations.service",
                object_id=str(service.pk),
                after__next_hours_from=start.isoformat(),
            ).exists()
        )

    def test_monthly_use_within_capacity(self):
        last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
        record = services.use_record_save(
            actor=self.staff,
            facility=self.facility,
            month=last_month,
            scenario="elderly_care",
            visits=420,
            beds_occupied=18,
        )
        self.assertEqual(record.source, "entered")
        again = services.use_record_save(
            actor=self.staff,
            facility=self.facility,
            month=last_month,
            scenario="elderly_care",
            visits=430,
            beds_occupied=18,
        )
        self.assertEqual((again.pk, again.visits), (record.pk, 430))  # corrected, not doubled
        with self.assertRaises(ValidationError) as raised:  # the station has 20 beds
            services.use_record_save(
                actor=self.staff,
                facility=self.facility,
                month=last_month,
                scenario="elderly_care",
                beds_occupied=25,
            )
        self.assertIn("beds_occupied", raised.exception.message_dict)

    def test_xlsx_import_is_all_or_nothing_and_names_row_and_column(self):
        month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
        header = list(imports.COLUMNS)
        good = [f"{month:%Y-%m}", "养老服务", 400, 0, 18, 0]
        bad = [f"{month:%Y-%m}", "婴幼儿托育", 10, 0, 0, 5]  # no infant care at this station
        rows = imports.read_use_rows(xlsx([header, good, bad, ["2026-13", "养老服务", -1]]))
        problems, _records = imports.check_use_rows(self.facility, rows)
        texts = [str(p) for p in problems]
        self.assertTrue(any(t.startswith("第3行 服务场景") for t in texts), texts)
        self.assertTrue(any(t.startswith("第4行 月份") for t in texts), texts)
        self.assertTrue(any(t.startswith("第4行 服务人次") for t in texts), texts)
        self.assertFalse(UseRecord.objects.exists())
        rows = imports.read_use_rows(xlsx([header, good]))
        problems, records = imports.check_use_rows(self.facility, rows)
        self.assertEqual(problems, [])
        [saved] = services.use_records_import(
            actor=self.staff, facility=self.facility, rows=records
        )
        self.assertEqual((saved.visits, saved.beds_occupied, saved.source), (400, 18, "imported"))

    def test_an_unreadable_file_is_refused(self):
        with self.assertRaises(ValidationError):
            imports.read_use_rows(SimpleUploadedFile("use.xlsx", b"not a workbook"))
        with self.assertRaises(ValidationError) as raised:
            imports.read_use_rows(xlsx([["月份", "服务人次"]]))
        self.assertIn("服务场景", raised.exception.messages[0])

    def test_a_complaint_is_answered_then_closed(self):
        complaint = services.complaint_record(
            actor=self.staff,
            facility=self.facility,
            received_on=date.today(),
            subject="午餐偏咸",
            deadline=date.today() + timedelta(days=5),
        )
        self.assertEqual(complaint.state, "open")
        with self.assertRaises(ValidationError):
            services.complaint_close(actor=self.staff, complaint=complaint)
        complaint = services.complaint_answer(
            actor=self.staff, complaint=complaint, handling_notes="已调整菜谱，少盐。电话回访居民。"
        )
        self.assertEqual((complaint.state, complaint.answered_on), ("answered", date.today()))
        complaint = services.complaint_close(actor=self.staff, complaint=complaint)
        self.assertEqual(Complaint.objects.get(pk=complaint.pk).state, "closed")
        self.assertEqual(
            list(
                AuditRecord.objects.filter(object_type="operations.complaint")
                .order_by("pk")
                .values_list("transition", flat=True)
            ),
            ["", "answer", "close"],
        )

    def test_an_inspection_and_its_rectification(self):
        inspection = services.inspection_record(
            actor=self.staff,
            facility=self.facility,
            inspected_on=date.today() - timedelta(days=7),
            kind="fire",
            inspector="区消防救援支队",
            result="rectify",
            findings="灭火器过期两具",
            rectify_by=date.today() + timedelta(days=7),
        )
        inspection = services.inspection_rectify(
            actor=self.staff,
            inspection=inspection,
            rectified_on=date.today(),
            rectification="已更换灭火器",
        )
        self.assertEqual(inspection.rectified_on, date.today())
        with self.assertRaises(ValidationError):
            services.inspection_record(
                actor=self.staff,
                facility=self.facility,
                inspected_on=date.today(),
                kind="fire",
                inspector="区消防救援支队",
                result="rectify",
            )  # a rectification needs its deadline
