"""Measure every operating project against its promise and flag the shortfalls (for cron)::

15 2 * * *  linli manage monitoring_flags --as city-office
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from linli.accounts.models import User
from linli.monitoring.promise import flags_raise


class Command(BaseCommand):
    help = "Measure operating projects against their promises and flag shortfalls."

    def add_arguments(self, parser):
        parser.add_argument("--as", dest="username", required=True)

    def handle(self, *args, username, **options):
        try:
            actor = User.objects.get(username=username, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"--as: no active account named {username!r}.") from None
        raised = flags_raise(actor=actor)
        self.stdout.write(f"{len(raised)} new flags")
