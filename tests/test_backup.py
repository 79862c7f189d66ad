"""``linli backup`` → ``linli restore`` of the demo city loses nothing: every row of every table
and every file comes back as it was (SQLite and PostgreSQL, plain and encrypted)."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.db import connection
from django.test import TransactionTestCase

from linli.audit.chain import verify_all
from linli.cli import main
from linli.commands.backup import make_backup, restore_backup
from linli.core.sealed import new_key, parse_key
from linli.core.testing import make_tree
from linli.demo.loader import load_demo


def _tables() -> dict[str, list[str]]:
    """Every row of every table, in a stable order."""
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        rows = {}
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows[table] = sorted(repr(row) for row in cursor.fetchall())
    return rows


def _files() -> dict[str, str]:
    found = {}
    for root in (Path(settings.MEDIA_ROOT), Path(settings.DATA_DIR) / "demo"):
        for path in sorted(root.rglob("*")):
            if path.is_file():
                found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def _damage() -> None:
    """What a bad day does: rows lost and changed, a file lost, a stray file added."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM registry_facilityfunction")
        cursor.execute("UPDATE registry_jurisdiction SET name = '被改的名字'")
        cursor.execute("DELETE FROM django_session")
    network = Path(settings.DATA_DIR) / "demo" / "network.osm.pbf"
    network.unlink()
    stray = Path(settings.MEDIA_ROOT) / "funding" / "stray.pdf"
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"%PDF stray")


class TestBackupAndRestore(TransactionTestCase):
    def setUp(self):
        load_demo()
        attachment = Path(settings.MEDIA_ROOT) / "funding" / "可研批复.pdf"
        attachment.parent.mkdir(parents=True, exist_ok=True)
        attachment.write_bytes(b"%PDF-1.7 an uploaded document")
        self.addCleanup(attachment.unlink, missing_ok=True)
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.folder = Path(folder.name)

    def test_the_demo_city_comes_back_whole_from_an_encrypted_archive(self):
        tables, files = _tables(), _files()
        self.assertGreater(sum(len(rows) for rows in tables.values()), 1000)
        self.assertIn(str(Path(settings.DATA_DIR) / "demo" / "network.osm.pbf"), files)
        key = new_key()
        archive = self.folder / "linli.tar.gz"
        with mock.patch.dict(os.environ, {"LINLI_BACKUP_KEY": key}):
            manifest = make_backup(archive, key=parse_key(key))
            self.assertEqual(archive.stat().st_mode & 0o777, 0o600)
            self.assertNotIn(b"demo_city_admin", archive.read_bytes())  # encrypted
            _damage()
            self.assertNotEqual(_tables(), tables)
            restore_backup(archive)
        self.assertEqual(_tables(), tables)
        self.assertEqual(_files(), files)
        self.assertEqual(
            manifest["database"]["tables"]["registry_facility"], len(tables["registry_facility"])
        )
        self.assertTrue(all(report.intact for report in verify_all()))


class TestCommandLine(TransactionTestCase):
    def setUp(self):
        make_tree()
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.folder = Path(folder.name)

    def test_backup_and_restore(self):
        archive = self.folder / "plain.tar.gz"
        self.assertEqual(main(["backup", str(archive)]), 0)
        self.assertEqual(main(["restore", str(archive)]), 2)  # --yes is required
        tampered = self.folder / "tampered.tar.gz"
        data = bytearray(archive.read_bytes())
        data[len(data) // 2] ^= 0xFF
        tampered.write_bytes(bytes(data))
        before = _tables()
        self.assertEqual(main(["restore", str(tampered), "--yes"]), 2)
        self.assertEqual(_tables(), before)
        self.assertEqual(main(["restore", str(archive), "--yes"]), 0)
        self.assertEqual(_tables(), before)

    def test_an_encrypted_archive_needs_its_key(self):
        archive = self.folder / "sealed.tar.gz"
        make_backup(archive, key=parse_key(new_key()))
        with mock.patch.dict(os.environ, {"LINLI_BACKUP_KEY": new_key()}):
            self.assertEqual(main(["restore", str(archive), "--yes"]), 2)
