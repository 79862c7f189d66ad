"""On PostgreSQL, refuse UPDATE and DELETE of log rows in the database itself.

SQLite (the embedded demo) relies on the model guards only. TRUNCATE is left to the
database owner (test flushes use it); the application never issues it.
"""

from django.db import migrations

TABLES = ("audit_auditrecord", "audit_securityevent")

FUNCTION = """
CREATE OR REPLACE FUNCTION linli_refuse_log_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'linli: % rows are append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)  # the body holds a literal %
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION linli_refuse_log_change()"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS linli_refuse_log_change()")


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
