"""The encrypted stream of backups: it opens only with its key, whole and in order."""

from __future__ import annotations

import io
import os
from unittest import mock

from django.test import SimpleTestCase

from linli.core import sealed
from linli.core.sealed import OpeningReader, SealedError, SealingWriter, new_key, parse_key

KEY = parse_key(new_key())


def _seal(data: bytes, key: bytes = KEY) -> bytes:
    out = io.BytesIO()
    writer = SealingWriter(out, key)
    for start in range(0, len(data), 7):  # written in odd pieces
        writer.write(data[start : start + 7])
    writer.close()
    return out.getvalue()


def _open(data: bytes, key: bytes = KEY) -> bytes:
    return OpeningReader(io.BytesIO(data), key).read()


@mock.patch.object(sealed, "SEGMENT", 32)
class TestSealed(SimpleTestCase):
    def test_round_trip_of_many_segments_and_of_nothing(self):
        for data in (b"", b"x" * 32, os.urandom(1000)):
            self.assertEqual(_open(_seal(data)), data)

    def test_the_wrong_key_changed_bytes_and_cut_archives_are_refused(self):
        data = _seal(os.urandom(200))
        header = len(sealed.MAGIC) + 7
        frame = 4 + 32 + 16
        cases = {
            "wrong key": (data, parse_key(new_key())),
            "a changed byte": (data[:100] + bytes([data[100] ^ 1]) + data[101:], KEY),
            "the last segment cut off": (data[: len(data) - (len(data) - header) % frame], KEY),
            "cut mid-segment": (data[:-5], KEY),
            "two segments swapped": (
                data[:header]
                + data[header + frame : header + 2 * frame]
                + data[header : header + frame]
                + data[header + 2 * frame :],
                KEY,
            ),
        }
        for name, (damaged, key) in cases.items():
            with self.subTest(name), self.assertRaises(SealedError):
                _open(damaged, key)

    def test_keys_are_checked(self):
        for text in ("", "short", "!" * 44):
            with self.subTest(text), self.assertRaises(SealedError):
                parse_key(text)
