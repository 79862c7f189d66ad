"""Encrypted archives: AES-256-GCM over 1 MiB segments, streamed.

A backup can be larger than memory, and ``cryptography`` (the maintained library used
for the cipher) encrypts one message at a time; so the stream is cut into segments, each
sealed with a nonce of a random per-file prefix, the segment's number and a last-segment
flag — the STREAM construction (Hoang, Reyhanitabar, Rogaway and Vizár, 2015) that Tink's
streaming AEAD and age use. Reordering, dropping, appending or cutting segments fails
authentication, as does a wrong key.

File layout: ``MAGIC · prefix (7 bytes) · { length (4 bytes, big-endian) · ciphertext }*``.
"""

from __future__ import annotations

import base64
import binascii
import io
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"LINLI-SEALED-1\n"
SEGMENT = 1 << 20
_PREFIX = 7
_LENGTH = 4


class SealedError(Exception):
    """A key that is not a key, or an archive that does not open with it."""


def new_key() -> str:
    """A fresh key as text (URL-safe base64 of 32 random bytes), for LINLI_BACKUP_KEY."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def parse_key(text: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip().encode())
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise SealedError("the key must be 32 bytes in URL-safe base64 (see --new-key)")
    return key


def is_sealed(head: bytes) -> bool:
    return head.startswith(MAGIC)


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + counter.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


class SealingWriter(io.RawIOBase):
    """Encrypts what is written to it into ``raw``; ``close()`` seals the last segment (and
    leaves ``raw`` open)."""

    def __init__(self, raw, key: bytes) -> None:
        super().__init__()
        self.raw, self.cipher = raw, AESGCM(key)
        self.prefix = os.urandom(_PREFIX)
        self.header = MAGIC + self.prefix
        self.raw.write(self.header)
        self.pending = bytearray()
        self.counter = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.pending += data
        while len(self.pending) > SEGMENT:  # keep something back for the last segment
            self._seal(bytes(self.pending[:SEGMENT]), last=False)
            del self.pending[:SEGMENT]
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._seal(bytes(self.pending), last=True)
            self.pending.clear()
        super().close()

    def _seal(self, plaintext: bytes, *, last: bool) -> None:
        nonce = _nonce(self.prefix, self.counter, last)
        sealed = self.cipher.encrypt(nonce, plaintext, self.header)
        self.raw.write(len(sealed).to_bytes(_LENGTH, "big") + sealed)
        self.counter += 1


class OpeningReader(io.RawIOBase):
    """Decrypts a sealed stream as it is read; raises :class:`SealedError` on any change."""

    def __init__(self, raw, key: bytes) -> None:
        super().__init__()
        self.raw, self.cipher = raw, AESGCM(key)
        self.header = raw.read(len(MAGIC) + _PREFIX)
        if not is_sealed(self.header) or len(self.header) != len(MAGIC) + _PREFIX:
            raise SealedError("not an encrypted linli archive")
        self.prefix = self.header[len(MAGIC) :]
        self.counter = 0
        self.plain = b""
        self.finished = False
        self.next_length = self._length()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self.plain and not self.finished:
            self._open_next()
        count = min(len(buffer), len(self.plain))
        buffer[:count] = self.plain[:count]
        self.plain = self.plain[count:]
        return count

    def _length(self) -> int | None:
        data = self.raw.read(_LENGTH)
        if not data:
            return None
        if len(data) != _LENGTH:
            raise SealedError("the archive is cut short")
        return int.from_bytes(data, "big")

    def _open_next(self) -> None:
        if self.next_length is None:
            raise SealedError("the archive is cut short")
        if self.next_length > SEGMENT + 16:
            raise SealedError("the archive is damaged")
        sealed = self.raw.read(self.next_length)
        if len(sealed) != self.next_length:
            raise SealedError("the archive is cut short")
        self.next_length = self._length()
        last = self.next_length is None
        try:
            self.plain = self.cipher.decrypt(
                _nonce(self.prefix, self.counter, last), sealed, self.header
            )
        except InvalidTag:
            raise SealedError(
                "the archive does not open with this key, or it was changed or cut short"
            ) from None
        self.counter += 1
        self.finished = last
