from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from linli.funding.notifications import remind_land_use_grace, send_digest


class Command(BaseCommand):
    help = (
        "Notify the offices of land-use grace periods ending soon, then e-mail each user the "
        "funding notifications of the last day (run daily)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=24, help="look back this many hours")

    def handle(self, *args, hours: int, **options):
        reminded = remind_land_use_grace(timezone.localdate())
        sent = send_digest(timezone.now() - timedelta(hours=hours))
        self.stdout.write(f"land-use reminders: {reminded}\ndigests sent: {sent}")
