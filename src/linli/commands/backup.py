"""``linli backup`` and ``linli restore``: the database and the uploaded files in one archive.

- Consistent: PostgreSQL is dumped by ``pg_dump`` inside an exported snapshot, and the
  archive's row counts are taken in that same snapshot; SQLite is copied by its online
  backup API, which gives a consistent copy while the server keeps running. Files (uploaded
  attachments, the demo's walking network) are written once and never changed in place, so
  copying them after the database loses none that it refers to.
- Checked: a manifest lists every table's rows and every file's SHA-256; restore refuses an
  archive whose files do not match it and checks the restored tables against it.
- Optionally encrypted (``--encrypt``) with the key in ``LINLI_BACKUP_KEY``
  (:mod:`linli.core.sealed`, AES-256-GCM); ``linli backup --new-key`` makes one.

The archive is a gzip'd tar written with mode 0600: it holds residents' personal data.
Secrets (``LINLI_SECRET_KEY``, ``LINLI_AUDIT_KEY``, ``LINLI_BACKUP_KEY``) are not in it and
must be kept with the installation; the audit chain only verifies under its own key.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from linli import __version__
from linli.commands import CommandError
from linli.commands.platform import _django_setup

FORMAT = 1
MANIFEST = "manifest.json"
KEY_VARIABLE = "LINLI_BACKUP_KEY"


def register(subparsers: argparse._SubParsersAction) -> None:
    backup = subparsers.add_parser(
        "backup", help="write the database and the uploaded files to one archive"
    )
    backup.add_argument("archive", nargs="?", type=Path, help="the archive to write (.tar.gz)")
    backup.add_argument(
        "--encrypt", action="store_true", help=f"encrypt with the key in {KEY_VARIABLE}"
    )
    backup.add_argument(
        "--new-key", action="store_true", help=f"print a new key for {KEY_VARIABLE} and exit"
    )
    backup.set_defaults(handler=run_backup)

    restore = subparsers.add_parser(
        "restore", help="replace the database and the uploaded files with an archive's"
    )
    restore.add_argument("archive", type=Path, help="an archive written by linli backup")
    restore.add_argument(
        "--yes", action="store_true", help="confirm: everything now there is replaced"
    )
    restore.set_defaults(handler=run_restore)


# --- backup ---------------------------------------------------------------------------------


def run_backup(args: argparse.Namespace) -> int:
    from linli.core.sealed import new_key

    if args.new_key:
        print(new_key())
        return 0
    if args.archive is None:
        raise CommandError("name the archive to write (or --new-key)")
    key = _key() if args.encrypt else None
    _django_setup()
    manifest = make_backup(args.archive, key=key)
    tables = manifest["database"]["tables"]
    print(
        f"backup written to {args.archive}: {sum(tables.values())} rows in {len(tables)} tables, "
        f"{len(manifest['files'])} files" + (" (encrypted)" if key else "")
    )
    return 0


def make_backup(archive: Path, *, key: bytes | None = None) -> dict:
    """Write the archive (atomically: a partial file never carries the final name)."""
    from django.db import connection

    archive = Path(archive).resolve()
    archive.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=archive.parent, prefix=".linli-backup-") as work:
        database = Path(work) / f"database.{connection.vendor}"
        tables = _dump(database)
        files = _files()
        manifest = {
            "format": FORMAT,
            "linli": __version__,
            "created": datetime.now(UTC).isoformat(),
            "database": {
                "vendor": connection.vendor,
                "file": database.name,
                "sha256": _sha256(database),
                "tables": tables,
            },
            "files": {name: _sha256(path) for name, path in files.items()},
        }
        partial = Path(work) / "archive.part"
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with open(descriptor, "wb") as raw:
            _write_tar(raw, key, manifest, database, files)
        os.replace(partial, archive)
    return manifest


def _write_tar(raw, key, manifest: dict, database: Path, files: dict[str, Path]) -> None:
    from linli.core.sealed import SealingWriter

    sink = SealingWriter(raw, key) if key else raw
    with tarfile.open(fileobj=sink, mode="w|gz") as tar:
        data = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
        tar.add(database, arcname=database.name)
        for name, path in files.items():
            tar.add(path, arcname=name, recursive=False)
    if key:
        sink.close()


def _dump(target: Path) -> dict[str, int]:
    from django.db import connection

    if connection.vendor == "sqlite":
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            connection.connection.backup(copy)  # the online backup API: a consistent copy
            return _sqlite_counts(copy)
        finally:
            copy.close()
    if connection.vendor == "postgresql":
        return _dump_postgresql(target)
    raise CommandError(f"backups support SQLite and PostgreSQL, not {connection.vendor}")


def _dump_postgresql(target: Path) -> dict[str, int]:
    """pg_dump and the row counts read the same exported snapshot."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
        _pg_tool("pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={target}")
        return _counts(cursor, connection.introspection.table_names(cursor))


def _counts(cursor, tables: list[str]) -> dict[str, int]:
    from django.db import connection

    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        counts[table] = cursor.fetchone()[0]
    return counts


def _sqlite_counts(database: sqlite3.Connection) -> dict[str, int]:
    names = database.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    return _counts(database.cursor(), [name for (name,) in names])


def _pg_tool(program: str, *arguments: str) -> None:
    from django.db import connection

    settings = connection.settings_dict
    environment = {
        **os.environ,
        "PGHOST": str(settings.get("HOST") or ""),
        "PGPORT": str(settings.get("PORT") or ""),
        "PGUSER": str(settings.get("USER") or ""),
        "PGPASSWORD": str(settings.get("PASSWORD") or ""),
        "PGDATABASE": str(settings["NAME"]),
    }
    if shutil.which(program) is None:
        raise CommandError(f"{program} not found: install the PostgreSQL client tools")
    done = subprocess.run(
        [program, "--no-password", *arguments],
        env={k: v for k, v in environment.items() if v},
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise CommandError(f"{program} failed: {done.stderr.strip()}")


def _roots() -> dict[str, Path]:
    """The folders of files that belong with the database, by their name in the archive."""
    from django.conf import settings

    return {"media": Path(settings.MEDIA_ROOT), "demo": Path(settings.DATA_DIR) / "demo"}


def _files() -> dict[str, Path]:
    files = {}
    for name, root in _roots().items():
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    files[f"{name}/{path.relative_to(root).as_posix()}"] = path
    return files


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _key() -> bytes:
    from linli.core.sealed import SealedError, parse_key

    text = os.environ.get(KEY_VARIABLE, "")
    if not text:
        raise CommandError(f"{KEY_VARIABLE} is not set (make a key with linli backup --new-key)")
    try:
        return parse_key(text)
    except SealedError as error:
        raise CommandError(f"{KEY_VARIABLE}: {error}") from None


# --- restore --------------------------------------------------------------------------------


def run_restore(args: argparse.Namespace) -> int:
    if not args.yes:
        raise CommandError(
            "restore replaces the whole database and the uploaded files with the archive's; "
            "stop the server, then run again with --yes"
        )
    _django_setup()
    manifest = restore_backup(args.archive)
    tables = manifest["database"]["tables"]
    print(
        f"restored {args.archive} of {manifest['created']}: {sum(tables.values())} rows in "
        f"{len(tables)} tables and {len(manifest['files'])} files, all checked"
    )
    if manifest["database"]["vendor"] == "postgresql":
        print("grant the application's role again: linli manage audit_db_roles ROLE --apply")
    return 0


def restore_backup(archive: Path) -> dict:
    from django.conf import settings
    from django.db import connection

    archive = Path(archive)
    if not archive.is_file():
        raise CommandError(f"{archive}: no such file")
    Path(settings.DATA_DIR).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=settings.DATA_DIR, prefix=".linli-restore-") as work:
        folder = Path(work) / "archive"
        _extract(archive, folder)
        manifest = _checked_manifest(folder)
        if manifest["database"]["vendor"] != connection.vendor:
            raise CommandError(
                f"the archive holds a {manifest['database']['vendor']} database; "
                f"this installation uses {connection.vendor}"
            )
        _restore_database(folder / manifest["database"]["file"])
        _restore_files(folder, Path(work) / "replaced")
    _check_counts(manifest)
    return manifest


def _extract(archive: Path, folder: Path) -> None:
    from linli.core.sealed import MAGIC, OpeningReader, SealedError, is_sealed

    with archive.open("rb") as raw:
        sealed = is_sealed(raw.read(len(MAGIC)))
        raw.seek(0)
        try:
            source = OpeningReader(raw, _key()) if sealed else raw
            with tarfile.open(fileobj=source, mode="r|gz") as tar:
                tar.extractall(folder, filter="data")  # no paths outside, no links out
        except SealedError as error:
            raise CommandError(f"{archive}: {error}") from None
        except (tarfile.TarError, OSError, EOFError) as error:
            raise CommandError(f"{archive}: not a readable linli backup ({error})") from None


def _checked_manifest(folder: Path) -> dict:
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError):
        raise CommandError("the archive has no readable manifest") from None
    if manifest.get("format") != FORMAT:
        raise CommandError(f"archive format {manifest.get('format')!r} is not {FORMAT}")
    expected = {**manifest["files"], manifest["database"]["file"]: manifest["database"]["sha256"]}
    found = {
        path.relative_to(folder).as_posix(): path
        for path in folder.rglob("*")
        if path.is_file() and path.name != MANIFEST
    }
    if set(found) != set(expected):
        raise CommandError("the archive's files differ from its manifest")
    for name, path in found.items():
        if _sha256(path) != expected[name]:
            raise CommandError(f"{name} differs from the manifest's checksum")
    return manifest


def _restore_database(dump: Path) -> None:
    from django.db import connection

    if connection.vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(dump)
        try:
            source.backup(connection.connection)  # page by page into the live database
        finally:
            source.close()
        return
    connection.close()
    _pg_tool(
        "pg_restore",
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={connection.settings_dict['NAME']}",
        str(dump),
    )


def _restore_files(folder: Path, replaced: Path) -> None:
    """Each folder of files is swapped whole, so nothing of the old one stays behind."""
    replaced.mkdir()
    for name, root in _roots().items():
        if root.exists():
            shutil.move(root, replaced / name)
        restored = folder / name
        if restored.exists():
            root.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(restored, root)


def _check_counts(manifest: dict) -> None:
    from django.db import connection

    expected = manifest["database"]["tables"]
    with connection.cursor() as cursor:
        found = _counts(cursor, list(expected))
    wrong = [table for table in expected if found[table] != expected[table]]
    if wrong:
        raise CommandError(f"restored tables differ from the archive: {', '.join(wrong)}")
