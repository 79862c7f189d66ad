"""Attachments: allow-listed types, a size cap, the content checked against the type (magic
bytes), stored under generated names in ``MEDIA_ROOT/funding``, served only by an authorised
view (see :func:`linli.funding.views.attachment_download`)."""

from __future__ import annotations

import hashlib
import secrets
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_BYTES = 20 * 1024 * 1024

# extension → (content type, check of the first bytes / the whole file)
_OOXML = b"PK\x03\x04"


def _ooxml(part: str):
    def check(head: bytes, path: Path) -> bool:
        if not head.startswith(_OOXML):
            return False
        try:
            with zipfile.ZipFile(path) as archive:
                return any(name.startswith(part) for name in archive.namelist())
        except zipfile.BadZipFile:
            return False

    return check


ALLOWED = {
    "pdf": ("application/pdf", lambda head, path: head.startswith(b"%PDF-")),
    "jpg": ("image/jpeg", lambda head, path: head.startswith(b"\xff\xd8\xff")),
    "jpeg": ("image/jpeg", lambda head, path: head.startswith(b"\xff\xd8\xff")),
    "png": ("image/png", lambda head, path: head.startswith(b"\x89PNG\r\n\x1a\n")),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _ooxml("word/"),
    ),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ooxml("xl/"),
    ),
}


def storage_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "funding"


def stored_path(stored_name: str) -> Path:
    return storage_dir() / stored_name


def store_upload(upload) -> dict:
    """Check and keep an uploaded file; returns the Attachment fields it fills.

    Raises ``ValidationError`` (and keeps nothing) for a type not on the list, a file over the
    cap, or content that is not what its extension says.
    """
    name = Path(upload.name).name
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED:
        raise ValidationError(
            _("%(name)s: only PDF, JPG, PNG, DOCX and XLSX files are accepted.") % {"name": name}
        )
    if upload.size > MAX_BYTES:
        raise ValidationError(
            _("%(name)s: the file is larger than %(mb)s MB.")
            % {"name": name, "mb": MAX_BYTES // (1024 * 1024)}
        )
    content_type, check = ALLOWED[extension]
    directory = storage_dir()
    directory.mkdir(parents=True, exist_ok=True)
    stored_name = f"{secrets.token_hex(16)}.{extension}"
    path = directory / stored_name
    digest = hashlib.sha256()
    with path.open("xb") as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            out.write(chunk)
    with path.open("rb") as stored:
        head = stored.read(16)
    if not check(head, path):
        path.unlink()
        raise ValidationError(
            _("%(name)s: the content is not a valid %(type)s file.")
            % {"name": name, "type": extension.upper()}
        )
    return dict(
        original_name=name[:200],
        stored_name=stored_name,
        content_type=content_type,
        size=path.stat().st_size,
        sha256=digest.hexdigest(),
    )


def copy_stored(stored_name: str) -> str:
    """A copy of a kept file under a new name (a project carried into a later call keeps its
    documents; each attachment row owns its own file)."""
    extension = stored_name.rsplit(".", 1)[-1]
    new_name = f"{secrets.token_hex(16)}.{extension}"
    source = stored_path(stored_name)
    if source.is_file():
        with source.open("rb") as src, stored_path(new_name).open("xb") as out:
            for chunk in iter(lambda: src.read(1 << 16), b""):
                out.write(chunk)
    return new_name
