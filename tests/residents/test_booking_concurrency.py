"""100 residents booking the last 10 places at once never overbook: the session row's lock
(PostgreSQL) and the check constraint on its places."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections
from django.test import TransactionTestCase
from django.utils import timezone

from linli.core.testing import make_tree
from linli.residents import bookings
from linli.residents.choices import BookingState
from linli.residents.models import Booking, Session
from linli.residents.testing import make_bookable, make_compound, sign_up
from tests.funding.test_concurrency import _outcome

THREADS = 100
PLACES = 12  # two taken before the rush: the rush is for the last 10


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serialises every writer, so there is no race to test",
)
class ConcurrentBookingTests(TransactionTestCase):
    def setUp(self):
        tree = make_tree()
        _sample, _service, self.slot = make_bookable(tree, capacity=PLACES)
        self.day = timezone.localdate() + dt.timedelta(days=1)
        compound = make_compound(tree, tree.community_a, "甲一小区", 113.6005)
        self.users = [sign_up(f"1380000{n:04d}", f"居民{n}", compound) for n in range(THREADS + 2)]
        for early in self.users[:2]:
            self._book(early)

    def _book(self, user):
        return bookings.booking_create(
            actor=user, resident=user.resident, slot=self.slot, day=self.day
        )

    def test_hundred_concurrent_bookings_for_the_last_ten_places_never_overbook(self):
        connections.close_all()  # the threads get every connection the server has
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            outcomes = list(
                pool.map(
                    lambda u: _outcome(lambda: self._book(u), (ValidationError, IntegrityError)),
                    self.users[2:],
                )
            )
        self.assertEqual(outcomes.count("done"), THREADS)
        session = Session.objects.get()
        self.assertEqual(session.booked, PLACES)
        states = list(Booking.objects.values_list("state", flat=True))
        self.assertEqual(states.count(BookingState.CONFIRMED), PLACES)
        self.assertEqual(states.count(BookingState.WAITLISTED), THREADS - 10)
