"""The off-machine copy of the logs: every committed row sent to syslog as RFC 5424.

A collector on another machine keeps what an intruder on this one cannot reach, and with the
chain hash in each message it shows rows that were cut off the end of a log after the last
signed checkpoint. ``LINLI_AUDIT_SYSLOG`` names the collector (``udp://host:514``,
``tcp://host:601`` or ``unix:///dev/log``); unset, nothing is sent.

Python's :class:`logging.handlers.SysLogHandler` does the transport but writes the old BSD
header; :class:`RFC5424Formatter` writes the RFC 5424 one (version, timestamp, host, app,
process, message id, structured data, UTF-8 message), and :class:`RFC5424SysLogHandler`
frames TCP messages by octet counting (RFC 6587) so that a long one is not split.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import logging.handlers
import os
import socket
from collections.abc import Sequence
from urllib.parse import urlsplit

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

LOGGER = "linli.audit.syslog"
APP_NAME = "linli"
# Structured-data id: RFC 5424 wants name@<private enterprise number>; 32473 is the number
# RFC 5612 reserves for documentation, to be replaced by the operator's own if it has one.
SD_ID = "linli@32473"
_logger = logging.getLogger(LOGGER)


def _sd_value(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]")


def _printable(value: str, limit: int) -> str:
    """RFC 5424 header fields are printable US-ASCII without spaces, or '-' when empty."""
    text = "".join(c for c in value if 33 <= ord(c) <= 126)[:limit]
    return text or "-"


class RFC5424Formatter(logging.Formatter):
    """``1 TIMESTAMP HOST APP PROCID MSGID [SD] BOM MSG`` (the handler adds ``<PRI>``)."""

    def __init__(self, *args, hostname: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.hostname = _printable(hostname or socket.gethostname(), 255)

    def format(self, record: logging.LogRecord) -> str:
        time = dt.datetime.fromtimestamp(record.created, dt.UTC)
        timestamp = time.isoformat(timespec="microseconds").replace("+00:00", "Z")
        msgid = _printable(getattr(record, "msgid", ""), 32)
        params = getattr(record, "structured_data", None) or {}
        sd = (
            "[" + SD_ID + "".join(f' {k}="{_sd_value(str(v))}"' for k, v in params.items()) + "]"
            if params
            else "-"
        )
        header = f"1 {timestamp} {self.hostname} {APP_NAME} {os.getpid()} {msgid} {sd}"
        return f"{header} \ufeff{record.getMessage()}"


class RFC5424SysLogHandler(logging.handlers.SysLogHandler):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.append_nul = False  # RFC 5424 messages end where the datagram or frame ends

    def emit(self, record: logging.LogRecord) -> None:
        if self.socktype != socket.SOCK_STREAM or self.unixsocket:
            return super().emit(record)
        try:  # octet counting: "LENGTH SP MESSAGE"
            message = self.format(record)
            priority = self.encodePriority(self.facility, self.mapPriority(record.levelname))
            frame = f"<{priority}>{message}".encode()
            self.socket.sendall(f"{len(frame)} ".encode() + frame)
        except Exception:
            self.handleError(record)


def handler_from_url(url: str) -> RFC5424SysLogHandler:
    """``udp://host:514``, ``tcp://host:601`` or ``unix:///dev/log``."""
    parts = urlsplit(url)
    facility = logging.handlers.SysLogHandler.LOG_AUTHPRIV
    if parts.scheme == "unix":
        handler = RFC5424SysLogHandler(address=parts.path, facility=facility)
    elif parts.scheme in ("udp", "tcp"):
        socktype = socket.SOCK_DGRAM if parts.scheme == "udp" else socket.SOCK_STREAM
        address = (parts.hostname or "localhost", parts.port or 514)
        handler = RFC5424SysLogHandler(address=address, facility=facility, socktype=socktype)
    else:
        raise ValueError(f"LINLI_AUDIT_SYSLOG: expected udp://, tcp:// or unix://, got {url!r}")
    handler.setFormatter(RFC5424Formatter())
    return handler


def export(rows: Sequence[models.Model]) -> None:
    """Send committed log rows to syslog (called on commit by :mod:`linli.audit.chain`)."""
    if not _logger.isEnabledFor(logging.INFO):
        return
    for row in rows:
        fields = {f.attname: f.value_from_object(row) for f in row._meta.concrete_fields}
        _logger.info(
            json.dumps(fields, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True),
            extra={
                "msgid": row._meta.model_name,
                "structured_data": {"seq": row.seq, "hash": row.chain_hash},
            },
        )
