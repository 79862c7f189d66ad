"""The database's own guards of the log tables.

- SQLite: a trigger refuses UPDATE of log rows, so neither the ORM's base manager nor SQL
  through the application rewrites them. PostgreSQL has its own triggers (migrations 0002
  and 0005), which refuse DELETE as well.
- PostgreSQL: the application connects as a role that does not own the tables (it could
  otherwise drop the triggers) and may only read and append to the logs:
  :func:`app_role_grants`, printed or applied by ``linli manage audit_db_roles``.
"""

from __future__ import annotations

from django.db import connections

LOG_TABLES = ("audit_auditrecord", "audit_securityevent", "audit_auditcheckpoint")


def refuse_updates_on_sqlite(using: str = "default", **kwargs) -> None:
    """Created after every migrate because SQLite rebuilds a table to alter it, dropping its
    triggers. DELETE stays possible for test flushes; the hash chain shows it."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for table in LOG_TABLES:
            cursor.execute(
                f"CREATE TRIGGER IF NOT EXISTS {table}_append_only BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'linli: {table} rows are append-only'); END"
            )


def app_role_grants(app_role: str, using: str = "default") -> list[str]:
    """SQL for the owner (who runs migrations) to give the application's role what it needs:
    every row of the business tables, but only SELECT and INSERT on the logs. Not owning the
    tables, the role cannot ALTER them or drop their triggers either."""
    connection = connections[using]
    role = connection.ops.quote_name(app_role)
    database = connection.ops.quote_name(connection.settings_dict["NAME"])
    logs = ", ".join(LOG_TABLES)
    return [
        f"GRANT CONNECT ON DATABASE {database} TO {role}",
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {logs} FROM {role}",
        # Tables a later migration creates get the same grants (logs are revoked again by
        # running this after each migrate, as docs/operations.md says).
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {role}",
    ]
