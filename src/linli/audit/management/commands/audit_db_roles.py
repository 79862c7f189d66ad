"""``linli manage audit_db_roles APP_ROLE``: the grants that keep the application's own
PostgreSQL role from changing the logs (printed; ``--apply`` runs them as the owner)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connections, transaction

from linli.audit.database import app_role_grants


class Command(BaseCommand):
    help = (
        "Print (or, with --apply, run as the tables' owner) the PostgreSQL grants for the "
        "application's role: all business tables, but only SELECT and INSERT on the logs."
    )

    def add_arguments(self, parser):
        parser.add_argument("app_role", help="the role LINLI_DATABASE_URL connects as")
        parser.add_argument("--apply", action="store_true", help="run the statements now")
        parser.add_argument("--database", default="default", help="database alias")

    def handle(self, *args, app_role, apply, database, **options):
        connection = connections[database]
        if connection.vendor != "postgresql":
            raise CommandError("database roles apply to PostgreSQL only")
        statements = app_role_grants(app_role, using=database)
        if not apply:
            self.stdout.write(";\n".join(statements) + ";")
            return
        with transaction.atomic(using=database), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        self.stdout.write(self.style.SUCCESS(f"granted {app_role}: logs read and append only"))
