"""The keyed hash chain that makes the logs tamper-evident.

Every row of a chained log (:class:`~linli.audit.models.ChainedModel`) gets, as it is
appended, the next ``seq`` and ``chain_hash = HMAC-SHA256(key, previous hash ‖ row)``, where
the row is its stored fields in a canonical text. Whoever edits, removes or adds a row without
the key (``AUDIT_KEY``, kept out of the database) breaks the chain there, and
:func:`verify` says where. Every ``AUDIT_CHECKPOINT_EVERY`` rows a signed
:class:`~linli.audit.models.AuditCheckpoint` records the head, so cutting rows off the end of
a log back past a checkpoint shows too; rows after the last checkpoint are vouched for by the
off-machine syslog copy (:mod:`linli.audit.syslog`).

Appends are serialised so that two transactions never chain onto the same head: on
PostgreSQL by one transaction-level advisory lock for all chained logs (one lock, so two
transactions writing both logs in different orders cannot deadlock on them), on SQLite by
the database's own write lock (``transaction_mode=IMMEDIATE``). ``seq`` is unique as well,
so a fork could not be stored even if the lock were bypassed.

Hand-written because no maintained Django package chains a table's rows this way (django-
auditlog and django-simple-history record changes but do not make them tamper-evident).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial

from django.apps import apps
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models, transaction

GENESIS = "0" * 64
CHAINED_LOGS = ("audit.auditrecord", "audit.securityevent")
# pg_advisory_xact_lock key shared by every chained log: "linli" in ASCII.
_PG_LOCK_KEY = 0x6C696E6C69
_UNHASHED = frozenset({"id", "chain_hash"})


def _key() -> bytes:
    return settings.AUDIT_KEY.encode()


# --- canonical text of a row --------------------------------------------------------------


def _canonical(value) -> str:
    """JSON with sorted keys whose numbers are normalised decimals, so that a value reads
    back the same from SQLite text and from PostgreSQL ``jsonb`` (which turns 1e16 into
    10000000000000000 and keeps 5.0 as 5.0)."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, (int, float, Decimal)):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        return "0" if number.is_zero() else str(number.normalize())
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dt.datetime):
        return json.dumps(value.astimezone(dt.UTC).isoformat())
    if isinstance(value, dict):
        items = sorted((str(k), v) for k, v in value.items())
        return "{" + ",".join(f"{_canonical(k)}:{_canonical(v)}" for k, v in items) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_canonical(v) for v in value) + "]"
    raise TypeError(f"cannot hash a {type(value).__name__} in a log row")


def _stored(obj: models.Model, field: models.Field):
    """The field's value as the database gives it back."""
    value = field.value_from_object(obj)
    if isinstance(field, models.JSONField) and value is not None:
        return json.loads(json.dumps(value, cls=field.encoder or DjangoJSONEncoder))
    if isinstance(field, models.GenericIPAddressField) and value:
        return field.get_prep_value(value)
    return value


def _hashed_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if f.attname not in _UNHASHED]


_EMPTY = (None, "", {}, [])


def row_hash(previous: str, obj: models.Model, key: bytes | None = None) -> str:
    fields = {f.attname: _stored(obj, f) for f in _hashed_fields(type(obj))}
    fields = {name: value for name, value in fields.items() if value not in _EMPTY}
    message = f"{obj._meta.label_lower}|{previous}|{_canonical(fields)}".encode()
    return hmac.new(key or _key(), message, hashlib.sha256).hexdigest()


def checkpoint_signature(log: str, seq: int, chain_hash: str, key: bytes | None = None) -> str:
    message = f"checkpoint|{log}|{seq}|{chain_hash}".encode()
    return hmac.new(key or _key(), message, hashlib.sha256).hexdigest()


# --- appending ------------------------------------------------------------------------------


def _lock(using: str) -> None:
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
    elif connection.vendor != "sqlite":  # SQLite: IMMEDIATE transactions hold the write lock
        raise NotImplementedError(f"no chain lock for {connection.vendor}")


def _head(model: type[models.Model], using: str) -> tuple[int, str]:
    last = model._base_manager.using(using).order_by("-seq").values_list("seq", "chain_hash")
    return last.first() or (0, GENESIS)


def seal(model: type[models.Model], objs: Sequence[models.Model], *, using: str) -> None:
    """Give ``objs`` the next places of the chain; call inside the appending transaction."""
    _lock(using)
    seq, previous = _head(model, using)
    key = _key()
    for obj in objs:
        seq += 1
        obj.seq = seq
        obj.chain_hash = previous = row_hash(previous, obj, key)


def after_append(model: type[models.Model], objs: Sequence[models.Model], *, using: str) -> None:
    """Checkpoint when due; hand the rows to the syslog copy once they are committed."""
    from linli.audit import syslog
    from linli.audit.models import AuditCheckpoint

    log = model._meta.label_lower
    every = settings.AUDIT_CHECKPOINT_EVERY
    for obj in objs:
        if every and obj.seq % every == 0:
            AuditCheckpoint.objects.using(using).create(
                log=log,
                seq=obj.seq,
                chain_hash=obj.chain_hash,
                signature=checkpoint_signature(log, obj.seq, obj.chain_hash),
            )
    transaction.on_commit(partial(syslog.export, list(objs)), using=using)


# --- verifying ------------------------------------------------------------------------------


@dataclass
class LogReport:
    log: str
    rows: int = 0
    checkpoints: int = 0
    last_checkpoint: int = 0
    head: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        lines = [
            f"{self.log}: {self.rows} rows, {self.checkpoints} signed checkpoints "
            f"(last at row {self.last_checkpoint}); "
            + ("chain intact" if self.intact else f"{len(self.problems)} problem(s)")
        ]
        if self.head > self.last_checkpoint:
            lines.append(
                f"  rows {self.last_checkpoint + 1}–{self.head} come after the last checkpoint: "
                "compare them with the syslog copy to rule out rows cut off the end"
            )
        lines += [f"  {problem}" for problem in self.problems]
        return "\n".join(lines)


def verify(model: type[models.Model], *, using: str = "default", chunk: int = 2000) -> LogReport:
    """Recompute the chain of one log and check its checkpoints; read-only."""
    from linli.audit.models import AuditCheckpoint

    log = model._meta.label_lower
    report = LogReport(log)
    key = _key()
    checkpoints = list(AuditCheckpoint.objects.using(using).filter(log=log).order_by("seq", "id"))
    wanted = {c.seq for c in checkpoints}
    hashes_at: dict[int, str] = {}
    expected, previous = 1, GENESIS
    rows = model._base_manager.using(using).order_by("seq", "pk").iterator(chunk_size=chunk)
    for row in rows:
        report.rows += 1
        if row.seq is None:
            report.problems.append(f"row id {row.pk} was never sealed into the chain (inserted)")
            continue
        if row.seq < expected:
            report.problems.append(
                f"row id {row.pk}: place {row.seq} is taken twice or out of order (inserted)"
            )
            continue
        if row.seq > expected:
            missing = f"{expected}" if row.seq == expected + 1 else f"{expected}–{row.seq - 1}"
            report.problems.append(f"rows {missing} are missing (deleted)")
            previous = None  # the link into this row went with the rows removed
        if previous is not None and not hmac.compare_digest(
            row_hash(previous, row, key), row.chain_hash
        ):
            report.problems.append(
                f"row {row.seq} (id {row.pk}) does not match its hash: changed, or inserted "
                "in place of the original"
            )
        if row.seq in wanted:
            hashes_at[row.seq] = row.chain_hash
        previous, expected = row.chain_hash, row.seq + 1
    report.head = expected - 1
    for checkpoint in checkpoints:
        _check_checkpoint(report, checkpoint, hashes_at, key)
    return report


def _check_checkpoint(report: LogReport, checkpoint, hashes_at: dict[int, str], key) -> None:
    signature = checkpoint_signature(report.log, checkpoint.seq, checkpoint.chain_hash, key)
    if not hmac.compare_digest(signature, checkpoint.signature):
        report.problems.append(f"checkpoint at row {checkpoint.seq} has a false signature")
        return
    report.checkpoints += 1
    report.last_checkpoint = max(report.last_checkpoint, checkpoint.seq)
    stored = hashes_at.get(checkpoint.seq)
    if stored is None:
        report.problems.append(
            f"row {checkpoint.seq}, signed at a checkpoint, is missing: rows were cut off the end"
        )
    elif stored != checkpoint.chain_hash:
        report.problems.append(
            f"row {checkpoint.seq} differs from its signed checkpoint: the chain was rewritten"
        )


def chained_models() -> Iterable[type[models.Model]]:
    return [apps.get_model(label) for label in CHAINED_LOGS]


def verify_all(*, using: str = "default") -> list[LogReport]:
    return [verify(model, using=using) for model in chained_models()]
