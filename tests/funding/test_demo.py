from django.test import TestCase

from linli.demo.loader import load_demo
from linli.funding.choices import ApplicationState, TrancheState
from linli.funding.demo import load_funding_demo
from linli.funding.models import Application, Tranche


class FundingDemoTests(TestCase):
    def test_every_state_is_seeded_through_the_services(self):
        load_demo()
        load_funding_demo()
        states = set(Application.objects.values_list("state", flat=True))
        self.assertEqual(states, set(ApplicationState.values))
        self.assertEqual(
            set(Tranche.objects.values_list("state", flat=True)),
            {
                TrancheState.REQUESTED,
                TrancheState.VERIFIED,
                TrancheState.APPROVED,
                TrancheState.RELEASED,
            },
        )
        self.assertEqual(load_funding_demo(), [])  # once only
