"""Promise against reality: a facility opened from a funded project, used far below the pack's
threshold for the pack's months, is flagged; the city sees the list; the district answers on the
record (audited); a street officer cannot answer; another street's officer does not see it.
Opening hours and prices of the operating facility reach the public page."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from linli.audit.models import AuditRecord
from linli.funding.testing import advance, draft
from linli.monitoring import services
from linli.monitoring.models import Flag, FlagState, Measure
from linli.monitoring.promise import flag_answer, flags_raise, measure_project
from linli.operations import services as operations
from linli.operations.testing import make_operator_account
from tests.monitoring.base import ProgrammeTestCase, S


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


class PromiseTests(ProgrammeTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        actors, tree = cls.actors, cls.tree
        cls.project = draft(
            actors.street,
            cls.call,
            "甲一社区托育养老中心",
            tree.community_a,
            operator=cls.registry.operator,
        )
        services.plan_save(
            actor=actors.street,
            application=cls.project,
            planned_start=None,
            planned_completion=None,
            planned_opening=date.today() - timedelta(days=120),
            promised_coverage={"elderly_care": 5000},
        )
        advance(actors, cls.project, S.OPERATING)
        cls.project.refresh_from_db()
        cls.staff = make_operator_account(tree, cls.registry.operator, "promise-staff")
        cls.opened = date.today()

    def run_months_later(self, months=7):
        """Six full months of records, then the measurement, seven months after opening."""
        later = add_months(self.opened, months) + timedelta(days=3)
        with time_machine.travel(later, tick=False):
            for i in range(1, months):
                month = add_months(self.opened, i)
                operations.use_record_save(
                    actor=self.staff,
                    facility=self.project.facility,
                    month=month,
                    scenario="elderly_care",
                    beds_occupied=3,  # of 20 beds: 15 %
                )
                operations.use_record_save(
                    actor=self.staff,
                    facility=self.project.facility,
                    month=month,
                    scenario="infant_care",
                    infant_places_filled=30,  # of 40: 75 %
                )
            return flags_raise(actor=self.actors.city_admin), later

    def test_low_use_is_flagged_answered_and_audited(self):
        raised, later = self.run_months_later()
        by_measure = {(f.measure, f.scenario): f for f in raised if f.application == self.project}
        use = by_measure[(Measure.USE, "elderly_care")]
        self.assertEqual(use.measured, Decimal("0.15"))
        self.assertEqual(use.threshold, Decimal("0.5"))
        self.assertNotIn((Measure.USE, "infant_care"), by_measure)
        self.assertIn((Measure.OPENING, ""), by_measure)  # opened 120 days after the promise
        self.assertNotIn((Measure.CAPACITY, "elderly_care"), by_measure)  # delivered as promised
        # the city sees the list
        self.client.force_login(self.actors.city_admin)
        listing = self.client.get(reverse("monitoring:flag_list"))
        self.assertContains(listing, "甲一社区托育养老中心")
        # a second run raises nothing new while the flag is open
        with time_machine.travel(later, tick=False):
            self.assertEqual(flags_raise(actor=self.actors.city_admin), [])
        # the street may not answer; the district does, on the record
        with self.assertRaises(PermissionDenied):
            flag_answer(actor=self.actors.street, flag=use, answer="街道说明")
        answer = "运营方调整收费并开展上门评估，三个月内入住率提升至50%以上。"
        self.client.force_login(self.actors.district)
        response = self.client.post(
            reverse("monitoring:flag_detail", args=[use.pk]), {"answer": answer}
        )
        self.assertEqual(response.status_code, 302)
        use.refresh_from_db()
        self.assertEqual((use.state, use.answer), (FlagState.ANSWERED, answer))
        record = AuditRecord.objects.get(
            object_type="monitoring.flag", object_id=str(use.pk), action="update"
        )
        self.assertEqual(record.actor, self.actors.district)
        self.assertEqual(record.after["answer"], answer)
        self.assertEqual(record.before["state"], "open")

    def test_a_poorly_rated_facility_is_flagged_after_the_months(self):
        """Residents rate their visits; after the pack's months a mean under its number
        (national pack: 3.5 stars) is a flag, as low use is."""
        import datetime as dt

        from linli.residents import bookings
        from linli.residents.testing import make_compound, sign_up

        staff, facility = self.staff, self.project.facility
        service = operations.service_create(
            actor=staff, facility=facility, scenario="elderly_care", name="日间照料",
            hours="周一至周五 9:00–17:00", capacity_per_slot=10, booking_window_days=7,
            cancel_hours_before=2, age_group="elderly",
        )  # fmt: skip
        room = operations.room_create(actor=staff, facility=facility, name="活动室", capacity=20)
        day = self.opened + timedelta(days=7)
        slot = operations.slot_create(
            actor=staff, service=service, room=room, weekday=day.weekday(),
            start=time(9, 0), end=time(11, 0),
        )  # fmt: skip
        operations.price_set(
            actor=staff, service=service, amount=Decimal("10.00"), unit="per_visit",
            cost_basis=Decimal("10.00"), effective_from=self.opened,
        )  # fmt: skip
        operations.service_publish(actor=staff, service=service, published=True)
        compound = make_compound(self.tree, self.tree.community_a, "评分小区", 113.6)
        for n, stars in enumerate((2, 3)):
            user = sign_up(f"1390000000{n}", f"居民{n}", compound)
            booking = bookings.booking_create(
                actor=user, resident=user.resident, slot=slot, day=day
            )
            with time_machine.travel(dt.datetime.combine(day, time(10, 0)), tick=False):
                booking = bookings.booking_record_visit(actor=staff, booking=booking, attended=True)
            bookings.booking_rate(actor=user, booking=booking, stars=stars)
        early = measure_project(self.actors.city_admin, self.project)
        self.assertFalse([f for f in early if f.measure == Measure.SATISFACTION])
        raised, _later = self.run_months_later()
        rated = next(f for f in raised if f.measure == Measure.SATISFACTION)
        self.assertEqual((rated.scenario, rated.measured), ("elderly_care", Decimal("2.50")))
        self.assertEqual(rated.threshold, Decimal("3.5"))

    def test_nothing_is_flagged_for_use_before_the_months_have_passed(self):
        findings = measure_project(self.actors.city_admin, self.project)
        self.assertFalse([f for f in findings if f.measure == Measure.USE])
        coverage = [f for f in findings if f.measure == Measure.COVERAGE]
        self.assertEqual([f.measured for f in coverage], [None])  # no diagnosis since opening

    def test_flags_four_ways(self):
        self.run_months_later()
        flag = Flag.objects.filter(application=self.project).first()
        url = reverse("monitoring:flag_detail", args=[flag.pk])
        self.assertEqual(self.client.get(url).status_code, 302)  # anonymous
        from linli.accounts.roles import Role
        from linli.core.testing import make_user

        auditor = make_user(self.tree, Role.AUDITOR, self.tree.district, "flag-auditor")
        self.client.force_login(auditor)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.client.force_login(self.actors.street)
        self.assertEqual(self.client.get(url).status_code, 200)
        self.assertEqual(self.client.post(url, {"answer": "x"}).status_code, 403)
        self.client.force_login(self.actors.street_b)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertNotContains(
            self.client.get(reverse("monitoring:flag_list")), "甲一社区托育养老中心"
        )

    def test_public_page_shows_hours_and_prices_of_the_operating_facility(self):
        service = operations.service_create(
            actor=self.staff,
            facility=self.project.facility,
            scenario="community_meals",
            name="长者午餐",
            hours="周一至周五 11:00–13:00",
        )
        room = operations.room_create(
            actor=self.staff, facility=self.project.facility, name="餐厅", capacity=40
        )
        operations.slot_create(
            actor=self.staff, service=service, room=room, weekday=1, start=time(11), end=time(13)
        )
        operations.price_set(
            actor=self.staff,
            service=service,
            amount=Decimal("15.00"),
            unit="per_meal",
            cost_basis=Decimal("14.00"),
            effective_from=date.today(),
        )
        operations.service_publish(actor=self.staff, service=service, published=True)
        services.project_publish(
            actor=self.actors.city_admin, application=self.project, public=True
        )
        page = self.client.get(reverse("progress:project", args=[self.project.pk]))
        self.assertContains(page, "长者午餐")
        self.assertContains(page, "周一至周五 11:00–13:00")
        self.assertContains(page, "15.00")
