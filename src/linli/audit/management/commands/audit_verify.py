"""``linli manage audit_verify``: recompute the logs' hash chains and check the checkpoints."""

from django.core.management.base import BaseCommand, CommandError

from linli.audit.chain import verify_all


class Command(BaseCommand):
    help = (
        "Verify the audit trail and the security log: every row changed, removed or inserted "
        "since it was written is reported. Exit status 1 when anything is found."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default", help="database alias")

    def handle(self, *args, database, **options):
        reports = verify_all(using=database)
        for report in reports:
            self.stdout.write(str(report))
        broken = [report.log for report in reports if not report.intact]
        if broken:
            raise CommandError(f"tampering found in {', '.join(broken)}")
        self.stdout.write(self.style.SUCCESS("audit logs verified: every chain intact"))
