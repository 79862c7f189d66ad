"""Bookings: capacity, the waiting list, cancellation by the rule, recurring series, consent
before a child's booking, the visit and its rating, reminders with a calendar file,
complaints that escalate when late — and the booking pages four ways."""

import datetime as dt

import icalendar
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone, translation

from linli.accounts.roles import Role
from linli.core.testing import make_tree, make_user
from linli.jobs.services import job_submit
from linli.notifications.backends import MemoryBackend
from linli.operations.models import Complaint
from linli.plans.handlers import DIAGNOSE
from linli.residents import bookings, services
from linli.residents.choices import BookingState, ConsentKind
from linli.residents.models import Booking, Notice, Rating, Session
from linli.residents.testing import make_bookable, make_compound, sign_up
from linli.residents.utilisation import facility_use, supply_factor
from linli.web.overview import overview_for
from tests.plans.network import NETWORK

CHILD_BIRTH = dt.date(2019, 6, 1)


def _after_start(slot):
    """A moment after the session of ``slot`` tomorrow has started."""
    day = timezone.localdate() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, slot.start)) + dt.timedelta(minutes=5)


class BookingCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.tree = make_tree()
        cls.sample, cls.service, cls.slot = make_bookable(cls.tree, capacity=2)
        cls.day = timezone.localdate() + dt.timedelta(days=1)
        compound = make_compound(cls.tree, cls.tree.community_a, "甲一小区", 113.6005)
        cls.ann = sign_up("13800000011", "安阿姨", compound)
        cls.bo = sign_up("13800000012", "薄先生", compound)
        cls.cy = sign_up("13800000013", "程奶奶", compound)
        cls.staff = cls.sample.staff_a

    def book(self, user, party_size=1, member=None):
        return bookings.booking_create(
            actor=user,
            resident=user.resident,
            slot=self.slot,
            day=self.day,
            party_size=party_size,
            member=member,
        )


class TestCapacityAndWaitingList(BookingCase):
    def test_the_last_place_then_the_waiting_list_then_promotion_on_cancellation(self):
        first = self.book(self.ann)
        last = self.book(self.bo)
        self.assertEqual((first.state, last.state), (BookingState.CONFIRMED,) * 2)
        waiting = self.book(self.cy)
        self.assertEqual(waiting.state, BookingState.WAITLISTED)
        session = Session.objects.get()
        self.assertEqual((session.booked, session.capacity), (2, 2))
        with self.captureOnCommitCallbacks(execute=True):
            bookings.booking_cancel(actor=self.bo, booking=last)
        waiting.refresh_from_db()
        self.assertEqual(waiting.state, BookingState.CONFIRMED)
        session.refresh_from_db()
        self.assertEqual(session.booked, 2)
        notice = Notice.objects.filter(resident=self.cy.resident).first()
        self.assertIn(self.service.name, notice.subject)
        # …and the calendar file went with the message.
        sent = [m for m in MemoryBackend.outbox if m.phone == "13800000013"]
        self.assertTrue(sent[-1].attachments)

    def test_the_database_refuses_more_places_than_there_are(self):
        self.book(self.ann, party_size=2)
        session = Session.objects.get()
        with self.assertRaises(IntegrityError), transaction.atomic():
            Session.objects.filter(pk=session.pk).update(booked=3)

    def test_party_size_and_one_live_booking_per_person(self):
        with self.assertRaises(ValidationError) as caught:
            self.book(self.ann, party_size=5)
        self.assertIn("party_size", caught.exception.message_dict)
        self.book(self.ann)
        with self.assertRaises(ValidationError):
            self.book(self.ann)

    def test_a_party_too_large_waits_and_a_smaller_one_behind_it_goes_ahead(self):
        self.book(self.ann, party_size=2)
        big = self.book(self.bo, party_size=2)
        small = self.book(self.cy, party_size=1)
        anns = Booking.objects.get(resident=self.ann.resident)
        with self.captureOnCommitCallbacks(execute=True):
            # Ann now comes alone: one place frees up, not enough for Bo's two.
            bookings.booking_cancel(actor=self.ann, booking=anns)
        big.refresh_from_db()
        small.refresh_from_db()
        self.assertEqual(
            (big.state, small.state), (BookingState.CONFIRMED, BookingState.WAITLISTED)
        )

    def test_cancellation_follows_the_rule(self):
        booking = self.book(self.ann)
        with time_machine.travel(_after_start(self.slot) - dt.timedelta(hours=1, minutes=30)):
            with self.assertRaises(ValidationError) as caught:
                bookings.booking_cancel(actor=self.ann, booking=booking)
            self.assertIn("2", caught.exception.messages[0])
            # The operator can still cancel (a closure), and the resident is told.
            bookings.booking_cancel(actor=self.staff, booking=booking)
        booking.refresh_from_db()
        self.assertEqual(booking.state, BookingState.CANCELLED)

    def test_another_resident_cannot_cancel(self):
        booking = self.book(self.ann)
        with self.assertRaises(PermissionDenied):
            bookings.booking_cancel(actor=self.bo, booking=booking)

    def test_an_unpublished_service_is_not_bookable(self):
        from linli.operations.services import service_publish

        service_publish(actor=self.staff, service=self.service, published=False)
        self.slot.service.refresh_from_db()
        with self.assertRaises(ValidationError):
            self.book(self.ann)


class TestConsentBeforeAChildsBooking(BookingCase):
    def test_a_child_is_booked_only_while_the_guardians_consent_stands(self):
        child = services.member_add(
            actor=self.ann,
            resident=self.ann.resident,
            name="安小宝",
            relation="grandchild",
            birth_date=CHILD_BIRTH,
            guardian_consent=True,
        )
        consent = services.standing_consent(self.ann.resident, ConsentKind.GUARDIAN, child)
        services.consent_withdraw(actor=self.ann, consent=consent)
        with self.assertRaises(ValidationError) as caught:
            self.book(self.ann, member=child)
        self.assertIn("member", caught.exception.message_dict)
        self.assertFalse(Booking.objects.exists())
        self.assertFalse(Session.objects.filter(booked__gt=0).exists())
        services.consent_give(
            actor=self.ann, resident=self.ann.resident, kind=ConsentKind.GUARDIAN, member=child
        )
        booking = self.book(self.ann, member=child)
        self.assertEqual((booking.member, booking.state), (child, BookingState.CONFIRMED))


class TestVisitRatingAndReminders(BookingCase):
    def test_the_operator_records_the_visit_and_the_resident_rates_it(self):
        booking = self.book(self.ann)
        with self.assertRaises(ValidationError):  # not before it starts
            bookings.booking_record_visit(actor=self.staff, booking=booking, attended=True)
        with time_machine.travel(_after_start(self.slot)):
            with self.assertRaises(PermissionDenied):  # not another operator
                bookings.booking_record_visit(
                    actor=self.sample.staff_b, booking=booking, attended=True
                )
            bookings.booking_record_visit(actor=self.staff, booking=booking, attended=True)
        booking.refresh_from_db()
        self.assertEqual(booking.state, BookingState.ATTENDED)
        with self.assertRaises(PermissionDenied):
            bookings.booking_rate(actor=self.bo, booking=booking, stars=1)
        rating = bookings.booking_rate(actor=self.ann, booking=booking, stars=4, comment="饭菜可口")
        self.assertEqual(Rating.objects.get(), rating)
        with self.assertRaises(ValidationError):
            bookings.booking_rate(actor=self.ann, booking=booking, stars=5)

    def test_reminders_carry_a_calendar_file(self):
        booking = self.book(self.ann)
        with time_machine.travel(_after_start(self.slot) - dt.timedelta(hours=3)):
            with self.captureOnCommitCallbacks(execute=True):
                self.assertEqual(bookings.send_reminders(), 1)
            self.assertEqual(bookings.send_reminders(), 0)  # once
        message = [m for m in MemoryBackend.outbox if m.phone == "13800000011"][-1]
        name, content, mimetype = message.attachments[0]
        self.assertEqual(mimetype, "text/calendar")
        event = icalendar.Calendar.from_ical(content).walk("VEVENT")[0]
        self.assertEqual(event.decoded("dtstart"), booking.session.starts_at)
        self.assertEqual(str(event["summary"]).split(" · ")[0], self.service.name)


class TestRecurring(BookingCase):
    def test_a_weekly_series_books_every_session_in_the_window_and_later_ones_as_they_come(self):
        series = bookings.series_create(
            actor=self.ann,
            resident=self.ann.resident,
            service=self.service,
            weekdays=[self.day.weekday()],
            until=self.day + dt.timedelta(days=30),
        )
        self.assertEqual(Booking.objects.filter(series=series).count(), 1)  # 7-day window
        with time_machine.travel(timezone.now() + dt.timedelta(days=7)):
            self.assertEqual(bookings.series_book_due(), 1)
        self.assertEqual(Booking.objects.filter(series=series).count(), 2)


class TestComplaints(BookingCase):
    def test_a_late_complaint_escalates_to_the_street(self):
        complaint = bookings.complaint_file(
            actor=self.ann, facility=self.sample.registry.facility_a, subject="饭菜太凉"
        )
        self.assertEqual((complaint.resident, complaint.channel), (self.ann, "online"))
        self.assertEqual(bookings.complaints_escalate_late(), 0)
        later = complaint.deadline + dt.timedelta(days=1)
        self.assertEqual(bookings.complaints_escalate_late(today=later), 1)
        complaint.refresh_from_db()
        self.assertEqual(complaint.state, "escalated")
        # The street sees it; the resident sees only their own.
        street = make_user(self.tree, Role.STREET_OFFICER, self.tree.street_a, "street-a")
        from linli.core.permissions import restrict

        self.assertIn(complaint, restrict(Complaint.objects.all(), street))
        self.assertEqual(list(restrict(Complaint.objects.all(), self.bo)), [])


class TestBookingPagesFourWays(BookingCase):
    def setUp(self):
        self.booking = self.book(self.ann)

    def test_anonymous_is_sent_to_login(self):
        urls = [
            reverse("residents:service", args=[self.service.pk]),
            reverse("residents:bookings"),
            reverse("residents:booking_calendar", args=[self.booking.pk]),
            reverse("residents:session_list"),
            reverse("residents:session_detail", args=[self.booking.session_id]),
            reverse("residents:complaint_new", args=[self.sample.registry.facility_a.pk]),
        ]
        for url in urls:
            self.assertEqual(self.client.get(url).status_code, 302, url)

    def test_without_permission_is_forbidden(self):
        auditor = make_user(self.tree, Role.AUDITOR, self.tree.city, "auditor-x")
        self.client.force_login(auditor)
        for url in (
            reverse("residents:service", args=[self.service.pk]),
            reverse("residents:bookings"),
            reverse("residents:session_list"),
        ):
            self.assertEqual(self.client.get(url).status_code, 403, url)
        url = reverse("residents:booking_visit", args=[self.booking.pk])
        self.assertEqual(self.client.post(url).status_code, 403)
        self.client.force_login(self.ann)  # a resident is no operator
        self.assertEqual(self.client.get(reverse("residents:session_list")).status_code, 403)

    def test_hours_read_in_chinese(self):
        from linli.operations.models import Service

        Service.objects.filter(pk=self.service.pk).update(hours="Mo-Su 10:30-13:30")
        self.client.force_login(self.ann)
        response = self.client.get(reverse("residents:service", args=[self.service.pk]))
        self.assertContains(response, "周一至周日 10:30-13:30")
        self.assertNotContains(response, "Mo-Su")

    def test_permitted_sees_and_acts(self):
        self.client.force_login(self.ann)
        response = self.client.get(reverse("residents:service", args=[self.service.pk]))
        self.assertContains(response, "¥12.00")
        self.assertContains(response, "还剩1个名额")
        response = self.client.get(reverse("residents:bookings"))
        self.assertContains(response, self.service.name)
        response = self.client.get(reverse("residents:booking_calendar", args=[self.booking.pk]))
        self.assertEqual(response["Content-Type"], "text/calendar")
        url = reverse("residents:facility", args=[self.sample.registry.facility_a.pk])
        self.assertContains(self.client.get(url), self.service.name)
        self.client.force_login(self.staff)
        response = self.client.get(reverse("residents:session_list"))
        self.assertContains(response, "1 / 2")
        response = self.client.get(
            reverse("residents:session_detail", args=[self.booking.session_id])
        )
        self.assertContains(response, "安阿姨")
        self.assertContains(response, "138****0011")
        self.assertNotContains(response, "13800000011")

    def test_out_of_scope_is_not_found_or_absent(self):
        self.client.force_login(self.bo)
        for url in (reverse("residents:booking_calendar", args=[self.booking.pk]),):
            self.assertEqual(self.client.get(url).status_code, 404, url)
        url = reverse("residents:booking_cancel", args=[self.booking.pk])
        self.assertEqual(self.client.post(url).status_code, 404)
        self.assertNotContains(self.client.get(reverse("residents:bookings")), self.service.name)
        # Operator B sees nothing of operator A's sessions.
        self.client.force_login(self.sample.staff_b)
        url = reverse("residents:session_detail", args=[self.booking.session_id])
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertNotContains(self.client.get(reverse("residents:session_list")), "老年助餐")
        url = reverse("residents:booking_visit", args=[self.booking.pk])
        self.assertEqual(self.client.post(url).status_code, 404)


@override_settings(PLANNING_NETWORK_FILE=str(NETWORK))
class TestBackIntoPlanning(BookingCase):
    def test_a_facility_full_every_day_counts_as_less_supply_and_its_rating_shows(self):
        for weeks_ago in (4, 3, 2, 1):
            with time_machine.travel(timezone.now() - dt.timedelta(weeks=weeks_ago)):
                day = timezone.localdate() + dt.timedelta(days=1)
                for user in (self.ann, self.bo):
                    booking = bookings.booking_create(
                        actor=user, resident=user.resident, slot=self.slot, day=day
                    )
            start = timezone.make_aware(dt.datetime.combine(day, self.slot.start))
            with time_machine.travel(start + dt.timedelta(minutes=5)):
                bookings.booking_record_visit(actor=self.staff, booking=booking, attended=True)
        bookings.booking_rate(actor=self.bo, booking=booking, stars=4, comment="好")
        facility = self.sample.registry.facility_a
        use = facility_use([facility.pk])[(facility.pk, "elderly_care")]
        self.assertEqual((use.utilisation, use.factor), (1.0, 0.5))
        self.assertEqual((use.satisfaction, use.ratings), (4.0, 1))
        self.assertEqual(supply_factor(0.8), 1.0)
        self.assertAlmostEqual(supply_factor(0.95), 0.75)
        street = make_user(self.tree, Role.STREET_OFFICER, self.tree.street_a, "planner")
        job = job_submit(
            actor=street,
            kind=DIAGNOSE,
            jurisdiction=self.tree.street_a,
            params={"policy": "beijing-2024"},
        )
        job.refresh_from_db()
        self.assertEqual(job.status, "succeeded", job.error)
        [row] = [r for r in job.result["use"] if r["facility"] == facility.code]
        self.assertEqual((row["supply_factor"], row["satisfaction"]), (0.5, 4.0))
        self.client.force_login(street)
        response = self.client.get(reverse("plans:diagnosis_detail", args=[job.pk]))
        self.assertContains(response, "4.0 ★ (1)")
        # …and on the home page.
        with translation.override("en"):
            figures = {str(f.label): f for f in overview_for(street)}
        self.assertEqual(figures["Residents' rating of visits"].value, "4.0 ★")
