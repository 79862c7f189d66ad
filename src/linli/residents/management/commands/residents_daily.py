"""``linli manage residents_daily``: reminders, recurring bookings coming into the window, and
complaints past their deadline escalated to the street. Run it hourly (cron or a systemd
timer, docs/operations.md); every step is idempotent."""

from django.core.management.base import BaseCommand

from linli.residents import bookings


class Command(BaseCommand):
    help = "Send booking reminders, book recurring series, escalate late complaints."

    def handle(self, *args, **options):
        reminded = bookings.send_reminders()
        booked = bookings.series_book_due()
        escalated = bookings.complaints_escalate_late()
        self.stdout.write(
            f"reminders={reminded} series_bookings={booked} escalated_complaints={escalated}"
        )
