"""100 concurrent releases never release more than was approved (PostgreSQL row locks plus
the ledger's check constraint)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from decimal import ROUND_DOWN, Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, connections
from django.test import TransactionTestCase

from linli.core.testing import make_tree
from linli.funding import services
from linli.funding.choices import ApplicationState, TrancheState
from linli.funding.models import Ledger, Tranche
from linli.funding.progress import progress
from linli.funding.testing import advance, draft, make_actors, open_call

THREADS = 100


def _outcome(call, refused: tuple[type[Exception], ...]) -> str:
    """Run ``call`` in a thread: "done" or "refused". Under `pytest -n auto` other workers
    hold connections too: a thread that finds the server full waits and tries again."""
    for _attempt in range(50):
        try:
            call()
            return "done"
        except refused:
            return "refused"
        except OperationalError as error:
            if "too many" not in str(error):
                raise
            time.sleep(0.2)
        finally:
            connections.close_all()
    raise AssertionError("the database stayed full")


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serialises every writer, so there is no race to test",
)
class ConcurrentReleaseTests(TransactionTestCase):
    def setUp(self):
        tree = make_tree()
        self.actors = make_actors(tree)
        call = open_call(self.actors.city_admin, [tree.district])
        application = draft(self.actors.street, call, "并发拨付项目")
        advance(self.actors, application, ApplicationState.IN_CONSTRUCTION)
        self.ledger = Ledger.objects.get(application=application)
        self.application = application
        milestone = application.milestones.get()
        # 100 approved tranches that together ask for 1.5 × the approved subsidy: as if each
        # had been requested and approved on its own while others were still in flight.
        amount = (self.ledger.approved_cny * Decimal("1.5") / THREADS).quantize(Decimal("0.01"))
        self.tranches = [
            Tranche.objects.create(
                application=application,
                milestone=milestone,
                amount_cny=amount,
                state=TrancheState.APPROVED,
                requested_by=self.actors.street,
            )
            for _ in range(THREADS)
        ]

    def _release(self, tranche):
        def release():
            services.tranche_release(actor=self.actors.city_admin, tranche=tranche)

        outcome = _outcome(release, (ValidationError, IntegrityError))
        return "released" if outcome == "done" else outcome

    def test_hundred_concurrent_releases_stay_within_the_approved_amount(self):
        connections.close_all()  # the threads get every connection the server has
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            outcomes = list(pool.map(self._release, self.tranches))
        ledger = Ledger.objects.get(pk=self.ledger.pk)
        released = Tranche.objects.filter(state=TrancheState.RELEASED)
        total = sum((t.amount_cny for t in released), Decimal(0))
        self.assertLessEqual(ledger.released_cny, ledger.approved_cny)
        self.assertEqual(ledger.released_cny, total)
        self.assertEqual(outcomes.count("released"), released.count())
        self.assertGreater(outcomes.count("refused"), 0)
        # Every tranche that fits under what 开工 releases (the pack's cumulative share of the
        # approved subsidy) was released: the headroom left is less than one tranche.
        ceiling = progress(self.application).ceiling_now_cny
        self.assertLessEqual(ledger.released_cny, ceiling)
        self.assertLess(ceiling - ledger.released_cny, self.tranches[0].amount_cny)

    def test_one_tranche_released_by_many_at_once_is_released_once(self):
        tranche = self.tranches[0]
        with ThreadPoolExecutor(max_workers=20) as pool:
            outcomes = list(pool.map(self._release, [tranche] * 20))
        self.assertEqual(outcomes.count("released"), 1)
        ledger = Ledger.objects.get(pk=self.ledger.pk)
        self.assertEqual(ledger.released_cny, tranche.amount_cny)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serialises every writer, so there is no race to test",
)
class ConcurrentRequestTests(TransactionTestCase):
    """100 requests at once, room for 25: exactly 25 are accepted (they took the ledger's
    row lock, as releases do; without it 74 got through)."""

    FIT = 25

    def setUp(self):
        tree = make_tree()
        self.actors = make_actors(tree)
        call = open_call(self.actors.city_admin, [tree.district])
        application = draft(self.actors.street, call, "并发申请项目")
        advance(self.actors, application, ApplicationState.IN_CONSTRUCTION)
        self.ledger = Ledger.objects.get(application=application)
        self.milestone = application.milestones.get()
        self.application = application
        # Room for FIT requests under what the milestone releases (release by progress).
        self.amount = (progress(application).headroom_cny / self.FIT).quantize(
            Decimal("0.01"), rounding=ROUND_DOWN
        )

    def _request(self, _n):
        def request():
            services.tranche_request(
                actor=self.actors.street, milestone=self.milestone, amount_cny=self.amount
            )

        outcome = _outcome(request, (ValidationError,))
        return "accepted" if outcome == "done" else outcome

    def test_hundred_concurrent_requests_accept_only_what_fits(self):
        connections.close_all()
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            outcomes = list(pool.map(self._request, range(THREADS)))
        self.assertEqual(outcomes.count("accepted"), self.FIT)
        requested = Tranche.objects.filter(application=self.ledger.application_id)
        total = sum((t.amount_cny for t in requested), Decimal(0))
        self.assertLessEqual(total, progress(self.application).ceiling_now_cny)


class LedgerConstraintTests(TransactionTestCase):
    """The database refuses a ledger that releases more than it approved (any backend)."""

    def test_constraint(self):
        tree = make_tree()
        actors = make_actors(tree)
        call = open_call(actors.city_admin, [tree.district])
        application = draft(actors.street, call, "约束项目")
        advance(actors, application, ApplicationState.FUND_APPROVED)
        ledger = Ledger.objects.get(application=application)
        with self.assertRaises(IntegrityError):
            Ledger.objects.filter(pk=ledger.pk).update(released_cny=ledger.approved_cny + 1)
