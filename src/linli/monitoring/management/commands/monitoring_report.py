"""Generate the periodic reports (调度表) on a schedule, e.g. from cron on the first day::

    5 1 1 * *  linli manage monitoring_report --period monthly --as city-office
    5 1 1 1,4,7,10 *  linli manage monitoring_report --period quarterly --as city-office

By default the last complete period before today is reported, for the account's own node and
each district below it; the account is the one that signs the audit record.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from linli.accounts.models import User
from linli.core.permissions import restrict
from linli.monitoring.models import Period
from linli.monitoring.reports import previous_period, report_generate
from linli.registry.models import Jurisdiction, Level


class Command(BaseCommand):
    help = "Generate and keep the periodic reports (调度表) for an account's scope."

    def add_arguments(self, parser):
        parser.add_argument("--period", choices=Period.values, required=True)
        parser.add_argument(
            "--as", dest="username", required=True, help="the account the reports are made by"
        )
        parser.add_argument(
            "--on", type=date.fromisoformat, help="a day of the period (default: the last one)"
        )
        parser.add_argument(
            "--jurisdiction", help="administrative code of one node (default: own and districts)"
        )

    def handle(self, *args, period, username, on, jurisdiction, **options):
        try:
            actor = User.objects.get(username=username, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"--as: no active account named {username!r}.") from None
        day = on or previous_period(period, timezone.localdate())[0]
        if jurisdiction:
            nodes = list(Jurisdiction.objects.filter(code=jurisdiction))
            if not nodes:
                raise CommandError(f"--jurisdiction: no node has the code {jurisdiction!r}.")
        else:
            own = actor.jurisdiction
            below = restrict(
                Jurisdiction.objects.filter(level=Level.DISTRICT, path__startswith=own.path), actor
            ).exclude(pk=own.pk)
            nodes = [own, *below]
        for node in nodes:
            try:
                report = report_generate(actor=actor, jurisdiction=node, period=period, on=day)
            except (PermissionDenied, ValidationError) as error:
                raise CommandError(f"{node.name}: {error}") from None
            self.stdout.write(
                f"{node.name} {report.period_start}–{report.period_end}: "
                f"{report.projects} projects (report {report.pk})"
            )
