"""The off-machine copy (RFC 5424 syslog) and the application's PostgreSQL role, which may
read and append to the logs but not change them."""

from __future__ import annotations

import json
import logging
import re
import socket
import uuid
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import TestCase

from linli.audit import syslog
from linli.audit.models import SecurityEvent
from linli.audit.services import security_event_record

HEADER = re.compile(
    r"^<(?P<pri>\d{1,3})>1 "
    r"(?P<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z) "
    r"(?P<host>[!-~]{1,255}) linli (?P<pid>\d+) (?P<msgid>[!-~]{1,32}) "
    r'\[linli@32473 seq="(?P<seq>\d+)" hash="(?P<hash>[0-9a-f]{64})"\] '
    "\ufeff(?P<msg>.*)$",
    re.DOTALL,
)
AUTHPRIV_INFO = 10 * 8 + 6  # facility authpriv (10), severity informational (6)


class _Attached:
    """The syslog logger pointed at ``url`` for the duration of a test."""

    def __init__(self, url: str) -> None:
        self.handler = syslog.handler_from_url(url)
        self.logger = logging.getLogger(syslog.LOGGER)

    def __enter__(self):
        self.saved = self.logger.level, self.logger.propagate
        self.logger.addHandler(self.handler)
        self.logger.setLevel(logging.INFO)
        self.logger.propagate = False  # as the settings configure it
        return self

    def __exit__(self, *exc):
        self.logger.removeHandler(self.handler)
        self.logger.level, self.logger.propagate = self.saved
        self.handler.close()


class TestSyslogCopy(TestCase):
    def test_each_committed_row_goes_out_as_rfc_5424_over_udp(self):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as collector:
            collector.bind(("127.0.0.1", 0))
            collector.settimeout(5)
            with _Attached(f"udp://127.0.0.1:{collector.getsockname()[1]}"):
                with self.captureOnCommitCallbacks(execute=True):
                    event = security_event_record(
                        kind="login_failed", username="张三", detail={"why": 'a "quote" ]'}
                    )
                datagram = collector.recv(65535).decode()
        match = HEADER.match(datagram)
        self.assertIsNotNone(match, datagram)
        self.assertEqual(int(match["pri"]), AUTHPRIV_INFO)
        self.assertEqual(match["msgid"], "securityevent")
        self.assertEqual((int(match["seq"]), match["hash"]), (event.seq, event.chain_hash))
        body = json.loads(match["msg"])
        self.assertEqual((body["username"], body["kind"]), ("张三", "login_failed"))
        self.assertEqual(body["detail"], {"why": 'a "quote" ]'})

    def test_nothing_is_sent_for_a_rolled_back_write(self):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as collector:
            collector.bind(("127.0.0.1", 0))
            collector.settimeout(0.2)
            with _Attached(f"udp://127.0.0.1:{collector.getsockname()[1]}"):
                with self.captureOnCommitCallbacks(execute=False) as callbacks:
                    security_event_record(kind="login", username="rolled-back")
                # The test transaction never commits: the callbacks never run.
            self.assertEqual(len(callbacks), 1)
            with self.assertRaises(TimeoutError):
                collector.recv(65535)

    def test_tcp_frames_each_message_by_octet_counting(self):
        with socket.socket() as server:
            server.bind(("127.0.0.1", 0))
            server.listen(1)
            with _Attached(f"tcp://127.0.0.1:{server.getsockname()[1]}"):
                peer, _address = server.accept()
                with peer:
                    with self.captureOnCommitCallbacks(execute=True):
                        security_event_record(kind="login", username="a" * 150)
                        security_event_record(kind="logout", username="b")
                    peer.settimeout(5)
                    received = b""
                    while received.count(b"<86>1 ") < 2:
                        received += peer.recv(65535)
        frames = []
        while received:
            length, _space, rest = received.partition(b" ")
            frames.append(rest[: int(length)])
            received = rest[int(length) :]
        self.assertEqual(len(frames), 2)
        self.assertTrue(all(HEADER.match(frame.decode()) for frame in frames))

    def test_settings_url_is_checked(self):
        with self.assertRaisesMessage(ValueError, "udp://, tcp:// or unix://"):
            syslog.handler_from_url("http://collector")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="database roles are PostgreSQL's")
class TestApplicationRole(TestCase):
    """Roles and grants are transactional in PostgreSQL: all of it rolls back with the test."""

    def setUp(self):
        self.role = f"linli_app_{uuid.uuid4().hex[:8]}"
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE ROLE {self.role} NOLOGIN")
        call_command("audit_db_roles", self.role, "--apply", stdout=StringIO())
        security_event_record(kind="login", username="before")

    def _as_app(self, statement: str) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL ROLE {self.role}")
            cursor.execute(statement)

    def test_the_role_appends_to_the_logs_through_the_application(self):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL ROLE {self.role}")
            event = security_event_record(kind="login", username="as the app")
        self.assertEqual(SecurityEvent.objects.get(pk=event.pk).seq, event.seq)

    def test_the_role_changes_business_tables(self):
        self._as_app("UPDATE registry_jurisdiction SET name = name")

    def test_the_role_cannot_change_remove_or_unguard_the_logs(self):
        for statement in (
            "UPDATE audit_securityevent SET username = 'x'",
            "DELETE FROM audit_securityevent",
            "TRUNCATE audit_auditrecord",
            "DELETE FROM audit_auditcheckpoint",
            "ALTER TABLE audit_securityevent DISABLE TRIGGER audit_securityevent_append_only",
            "DROP TRIGGER audit_auditrecord_append_only ON audit_auditrecord",
            "DROP TABLE audit_auditrecord",
        ):
            with self.subTest(statement), self.assertRaises(DatabaseError):
                self._as_app(statement)

    def test_the_statements_can_be_printed_for_review(self):
        out = StringIO()
        call_command("audit_db_roles", "linli_app", stdout=out)
        self.assertIn(
            "REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_auditrecord",
            out.getvalue(),
        )
