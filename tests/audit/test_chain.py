"""The logs' keyed hash chain: ``audit_verify`` finds a row changed, deleted or inserted by
someone who went around the application, on SQLite and on PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.test import TestCase, TransactionTestCase, override_settings

from linli.audit.chain import GENESIS, verify, verify_all
from linli.audit.models import AuditCheckpoint, AuditRecord, SecurityEvent
from linli.audit.services import security_event_record
from linli.core import context
from linli.core.testing import make_tree


def _sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _go_around_the_guards(table: str) -> None:
    """What an intruder with the database owner's rights does first (rolled back with the
    test): lift the trigger that refuses changes to log rows."""
    if connection.vendor == "postgresql":
        _sql("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign-key checks may block ALTER
        _sql(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
    else:
        _sql(f"DROP TRIGGER {table}_append_only")


def _problems(model=AuditRecord) -> list[str]:
    return verify(model).problems


class TestChain(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_tree()  # a dozen audit records through the services
        for n in range(5):
            security_event_record(kind="login_failed", username=f"someone-{n}")

    def test_every_row_is_sealed_in_order(self):
        for model in (AuditRecord, SecurityEvent):
            seqs = list(model.objects.order_by("id").values_list("seq", flat=True))
            self.assertEqual(seqs, list(range(1, len(seqs) + 1)))
        self.assertTrue(all(report.intact for report in verify_all()))

    def test_values_read_back_the_same_from_either_database(self):
        # jsonb normalises numbers; inet normalises addresses; both must still verify.
        detail = {"big": 1e16, "whole": 5.0, "small": 1e-7, "zero": -0.0, "text": "甲\u2028'\""}
        with context.bound(context.RequestContext("req-x", "2001:0db8:0000::0001")):
            security_event_record(kind="login", username="ip6", detail=detail)
        with context.bound(context.RequestContext("req-y", "::ffff:10.0.0.1")):
            security_event_record(kind="login", username="ip4-in-6", detail={"n": [1, 2.5]})
        self.assertEqual(_problems(SecurityEvent), [])

    def test_a_changed_row_is_found(self):
        _go_around_the_guards("audit_auditrecord")
        row = AuditRecord.objects.order_by("seq")[3]
        AuditRecord._base_manager.filter(pk=row.pk).update(object_repr="改过的")
        self.assertEqual(len(_problems()), 1)
        self.assertIn(f"row {row.seq} ", _problems()[0])

    def test_a_change_in_a_json_value_is_found(self):
        _go_around_the_guards("audit_auditrecord")
        row = AuditRecord.objects.filter(after__isnull=False).order_by("seq").last()
        after = {**row.after, "name": "别的名字"}
        AuditRecord._base_manager.filter(pk=row.pk).update(after=after)
        self.assertIn(f"row {row.seq} ", " ".join(_problems()))

    def test_a_deleted_row_is_found(self):
        _go_around_the_guards("audit_auditrecord")
        row = AuditRecord.objects.order_by("seq")[4]
        _sql("DELETE FROM audit_auditrecord WHERE id = %s", [row.pk])
        self.assertEqual(_problems(), [f"rows {row.seq} are missing (deleted)"])

    def test_a_deleted_and_renumbered_row_is_found(self):
        """Closing the gap by moving the later rows down breaks their hashes instead."""
        _go_around_the_guards("audit_auditrecord")
        row = AuditRecord.objects.order_by("seq")[4]
        _sql("DELETE FROM audit_auditrecord WHERE id = %s", [row.pk])
        later = AuditRecord.objects.filter(seq__gt=row.seq).order_by("seq")
        for moved in later:
            AuditRecord._base_manager.filter(pk=moved.pk).update(seq=moved.seq - 1)
        self.assertTrue(_problems())

    def test_an_inserted_row_is_found(self):
        head = AuditRecord.objects.order_by("-seq").first()
        forged = AuditRecord(
            request_id="forged",
            action="create",
            object_type="funding.tranche",
            object_id="1",
            object_repr="假记录",
            seq=head.seq + 1,
            chain_hash="f" * 64,  # without the key, no one can compute the right one
        )
        AuditRecord._base_manager.bulk_create([forged])  # no trigger stops an INSERT
        self.assertEqual(len(_problems()), 1)
        self.assertIn(f"row {head.seq + 1} ", _problems()[0])

    def test_a_row_inserted_without_a_place_is_found(self):
        AuditRecord._base_manager.bulk_create(
            [AuditRecord(request_id="x", action="create", object_type="t", object_id="1")]
        )
        self.assertIn("never sealed", " ".join(_problems()))

    def test_a_row_sealed_with_another_key_is_found(self):
        with override_settings(AUDIT_KEY="the intruder's own key"):
            security_event_record(kind="login", username="intruder")
        self.assertEqual(len(_problems(SecurityEvent)), 1)

    def test_the_command_reports_and_fails(self):
        out = StringIO()
        call_command("audit_verify", stdout=out)
        self.assertIn("every chain intact", out.getvalue())
        _go_around_the_guards("audit_securityevent")
        SecurityEvent._base_manager.filter(username="someone-2").update(username="nobody")
        out = StringIO()
        with self.assertRaisesMessage(CommandError, "audit.securityevent"):
            call_command("audit_verify", stdout=out)
        self.assertIn("does not match its hash", out.getvalue())

    def test_the_application_cannot_update_log_rows_on_either_database(self):
        from django.db import DatabaseError, transaction

        with self.assertRaises(DatabaseError), transaction.atomic():
            AuditRecord._base_manager.update(object_repr="x")


@override_settings(AUDIT_CHECKPOINT_EVERY=5)
class TestCheckpoints(TestCase):
    def setUp(self):
        for n in range(12):
            security_event_record(kind="login_failed", username=f"u{n}")

    def test_checkpoints_are_signed_every_n_rows(self):
        self.assertEqual(
            list(AuditCheckpoint.objects.filter(log="audit.securityevent").values_list("seq")),
            [(5,), (10,)],
        )
        report = verify(SecurityEvent)
        self.assertEqual((report.rows, report.checkpoints, report.last_checkpoint), (12, 2, 10))
        self.assertIn("rows 11–12 come after the last checkpoint", str(report))

    def test_rows_cut_off_the_end_past_a_checkpoint_are_found(self):
        _go_around_the_guards("audit_securityevent")
        _sql("DELETE FROM audit_securityevent WHERE seq >= 10")
        self.assertIn("rows were cut off the end", " ".join(_problems(SecurityEvent)))

    def test_rows_cut_after_the_last_checkpoint_need_the_syslog_copy(self):
        """The limit of any chain kept beside its data, stated as a test."""
        _go_around_the_guards("audit_securityevent")
        _sql("DELETE FROM audit_securityevent WHERE seq > 10")
        self.assertEqual(_problems(SecurityEvent), [])

    def test_a_forged_checkpoint_is_found(self):
        AuditCheckpoint.objects.create(
            log="audit.securityevent", seq=12, chain_hash=GENESIS, signature="0" * 64
        )
        self.assertIn("false signature", " ".join(_problems(SecurityEvent)))


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises every writer (IMMEDIATE transactions): there is no race",
)
class TestConcurrentAppends(TransactionTestCase):
    """Forty writers at once still make one chain: the advisory lock serialises the append."""

    def _write(self, n: int) -> str:
        try:
            security_event_record(kind="login_failed", username=f"racer-{n}")
            return "written"
        finally:
            connections.close_all()

    def test_forty_concurrent_appends_chain_in_one_line(self):
        connections.close_all()
        with ThreadPoolExecutor(max_workers=40) as pool:
            outcomes = list(pool.map(self._write, range(40)))
        self.assertEqual(outcomes, ["written"] * 40)
        self.assertEqual(
            sorted(SecurityEvent.objects.values_list("seq", flat=True)), list(range(1, 41))
        )
        self.assertEqual(_problems(SecurityEvent), [])
