"""Seal the logs into a keyed hash chain, and add the signed checkpoints.

Rows written before this migration are sealed here, in the order they were written; the
chain vouches for them from now on, not for what happened to them before.
"""

import django.utils.timezone
from django.db import migrations, models

LOGS = ("auditrecord", "securityevent")
CHECKPOINT_TRIGGER = (
    "CREATE TRIGGER audit_auditcheckpoint_append_only BEFORE UPDATE OR DELETE ON "
    "audit_auditcheckpoint FOR EACH ROW EXECUTE FUNCTION linli_refuse_log_change()"
)


def seal_existing_rows(apps, schema_editor):
    from django.conf import settings

    from linli.audit.chain import GENESIS, checkpoint_signature, row_hash

    postgresql = schema_editor.connection.vendor == "postgresql"
    Checkpoint = apps.get_model("audit", "AuditCheckpoint")
    for name in LOGS:
        model = apps.get_model("audit", name)
        table = model._meta.db_table
        if postgresql:  # the owner running the migration may; the application's role may not
            schema_editor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
        previous, batch = GENESIS, []
        for seq, row in enumerate(model.objects.order_by("id").iterator(chunk_size=2000), 1):
            row.seq = seq
            row.chain_hash = previous = row_hash(previous, row)
            batch.append(row)
            every = settings.AUDIT_CHECKPOINT_EVERY
            if every and seq % every == 0:
                log = model._meta.label_lower
                Checkpoint.objects.create(
                    log=log,
                    seq=seq,
                    chain_hash=row.chain_hash,
                    signature=checkpoint_signature(log, seq, row.chain_hash),
                )
            if len(batch) == 2000:
                model.objects.bulk_update(batch, ["seq", "chain_hash"])
                batch = []
        model.objects.bulk_update(batch, ["seq", "chain_hash"])
        if postgresql:
            schema_editor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")
    if postgresql:
        schema_editor.execute(CHECKPOINT_TRIGGER)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_credential_security_events")]

    operations = [
        *(
            operation
            for name in LOGS
            for operation in (
                migrations.AlterField(
                    model_name=name,
                    name="time",
                    field=models.DateTimeField(
                        db_index=True,
                        default=django.utils.timezone.now,
                        editable=False,
                        verbose_name="time",
                    ),
                ),
                migrations.AddField(
                    model_name=name,
                    name="seq",
                    field=models.BigIntegerField(
                        editable=False, null=True, unique=True, verbose_name="sequence"
                    ),
                ),
                migrations.AddField(
                    model_name=name,
                    name="chain_hash",
                    field=models.CharField(
                        default="", editable=False, max_length=64, verbose_name="chain hash"
                    ),
                    preserve_default=False,
                ),
            )
        ),
        migrations.CreateModel(
            name="AuditCheckpoint",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "time",
                    models.DateTimeField(
                        default=django.utils.timezone.now, editable=False, verbose_name="time"
                    ),
                ),
                ("log", models.CharField(max_length=64, verbose_name="log")),
                ("seq", models.BigIntegerField(verbose_name="sequence")),
                ("chain_hash", models.CharField(max_length=64, verbose_name="chain hash")),
                ("signature", models.CharField(max_length=64, verbose_name="signature")),
            ],
            options={
                "verbose_name": "audit checkpoint",
                "verbose_name_plural": "audit checkpoints",
                "constraints": [
                    models.UniqueConstraint(fields=("log", "seq"), name="audit_checkpoint_log_seq")
                ],
            },
        ),
        migrations.RunPython(seal_existing_rows, migrations.RunPython.noop),
    ]
