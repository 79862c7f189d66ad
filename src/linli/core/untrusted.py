"""Reading files that users upload, so that no file can hurt the server.

Hard caps on the unzipped size, rows, columns and characters of a cell (``IMPORT_MAX_*``
settings) are checked before any row is handed to a parser that holds it in memory:

- a zip (xlsx, zipped Shapefile) is refused at the door on its declared sizes and their
  ratio to the compressed ones — Python's zipfile never inflates past a declared size, so a
  lying header only truncates the member;
- an xlsx's worksheets and shared strings are scanned with expat in constant memory before
  openpyxl opens the workbook, which would otherwise build a whole row, the whole string
  table and, for a sheet without a ``<dimension>``, every row element, before we could count;
- CSV is decoded and split as a stream, row by row.

Hand-written because openpyxl offers no limits (its read-only mode materialises each row and
the shared strings); the scan only counts, it never interprets cells — openpyxl still does.
Every refusal is a :class:`Refused` with a Chinese and an English message and, where one
exists, the row and column.
"""

from __future__ import annotations

import codecs
import csv
import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.parsers import expat

_CHUNK = 64 * 1024
# Apache POI's ZipSecureFile refuses entries inflating more than 100×; legitimate xlsx
# sheets compress 5–20×. Small members (styles, a one-line sheet) may compress more.
_MAX_RATIO = 100
_RATIO_FROM_BYTES = 1024 * 1024
_MAX_PARTS = 10_000
# What reading a damaged, encrypted or oddly compressed member raises.
ZIP_READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    ValueError,
    RuntimeError,
    NotImplementedError,
)
_MAX_SMALL_PART = 8 * 1024 * 1024  # workbook.xml, styles, relationships: never large
_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")
# NUL (PostgreSQL cannot store it) and the C0 controls XML and so xlsx cannot hold; tab,
# line feed and carriage return are text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class Limits:
    unzipped_bytes: int
    rows: int
    columns: int
    cell_chars: int

    @classmethod
    def from_settings(cls, **overrides: int) -> Limits:
        from django.conf import settings

        values = dict(
            unzipped_bytes=settings.IMPORT_MAX_UNZIPPED_BYTES,
            rows=settings.IMPORT_MAX_ROWS,
            columns=settings.IMPORT_MAX_COLUMNS,
            cell_chars=settings.IMPORT_MAX_CELL_CHARS,
        )
        return cls(**{**values, **overrides})

    @property
    def megabytes(self) -> str:
        return f"{self.unzipped_bytes / 1024 / 1024:g}"


class Refused(Exception):
    """A file refused before or while reading it; ``row`` and ``column`` place it."""

    def __init__(
        self, zh: str, en: str, *, row: int | None = None, column: str = "", not_zip=False
    ) -> None:
        super().__init__(en)
        self.zh, self.en, self.row, self.column = zh, en, row, column
        self.not_zip = not_zip  # not even a zip: the reader names what it expected


def column_letter(index: int) -> str:
    letters = ""
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _column_index(letters: str) -> int:
    index = 0
    for char in letters.upper():
        index = index * 26 + ord(char) - 64
    return index


def refuse_text(text: str, limits: Limits, *, row: int | None, column: str) -> None:
    """A cell's text: no NUL (PostgreSQL cannot store it), no more than the cap."""
    if _CONTROL.search(text):
        raise Refused(
            "含有空字符（NUL）或其他控制字符，请删除后再导入",
            "contains a NUL or another control character; remove it and import again",
            row=row,
            column=column,
        )
    if len(text) > limits.cell_chars:
        raise Refused(
            f"单元格超过 {limits.cell_chars} 个字符",
            f"the cell is longer than {limits.cell_chars} characters",
            row=row,
            column=column,
        )


# --- zip --------------------------------------------------------------------------------


def check_zip(archive: zipfile.ZipFile, limits: Limits) -> list[zipfile.ZipInfo]:
    """The members of a zip whose declared sizes are within the caps."""
    members = archive.infolist()
    if len(members) > _MAX_PARTS:
        raise Refused("压缩包中的文件过多", "the zip holds too many files")
    total = sum(member.file_size for member in members)
    if total > limits.unzipped_bytes:
        raise Refused(
            f"解压后超过 {limits.megabytes} MB，不予读取",
            f"unzipped it would exceed {limits.megabytes} MB; not read",
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > _RATIO_FROM_BYTES and ratio > _MAX_RATIO:
            raise Refused(
                f"文件的一部分解压后膨胀 {ratio:.0f} 倍，疑为压缩炸弹，不予读取",
                f"part of the file inflates {ratio:.0f}-fold, like a zip bomb; not read",
            )
    return members


def open_zip(path: Path, limits: Limits) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise Refused("不是有效的压缩文件", "not a readable zip file", not_zip=True) from None
    try:
        check_zip(archive, limits)
    except Refused:
        archive.close()
        raise
    return archive


# --- xlsx: a constant-memory scan before openpyxl -----------------------------------------


def _refuse_doctype(*args) -> None:
    # Office files never declare one; entity definitions only serve expansion attacks.
    raise Refused("文件含有 DOCTYPE 声明，不予读取", "declares a DOCTYPE; not read")


class _Scan:
    """Counts what an expat parser sees; raises :class:`Refused` past a cap."""

    def __init__(self, limits: Limits, sheet: str = "") -> None:
        self.limits, self.sheet = limits, sheet
        self.row = 0
        self.column = 0
        self.text: int | None = None  # characters of the open <v>/<t>, or None
        self.strings = 0

    def run(self, stream) -> None:
        parser = expat.ParserCreate()
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.characters
        parser.StartDoctypeDeclHandler = _refuse_doctype
        try:
            while chunk := stream.read(_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except expat.ExpatError as error:
            raise Refused(
                f"工作表“{self.sheet}”的内容已损坏（{expat.errors.messages[error.code]}）",
                f"the sheet {self.sheet!r} is damaged ({expat.errors.messages[error.code]})",
                row=self.row or None,
            ) from None
        except (*ZIP_READ_ERRORS, OSError) as error:
            raise Refused(
                "压缩内容已损坏", f"the compressed content is damaged ({error})"
            ) from None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = name.rpartition(":")[2]
        if tag == "dimension":
            self.dimension(attrs.get("ref", ""))
        elif tag == "row":
            self.row = self._number(attrs.get("r"), self.row + 1)
            self.column = 0
            if self.row > self.limits.rows:
                raise Refused(
                    f"超过 {self.limits.rows} 行，不予读取",
                    f"more than {self.limits.rows} rows; not read",
                    row=self.row,
                )
        elif tag == "c":
            match = _CELL_REF.match(attrs.get("r", ""))
            self.column = _column_index(match[1]) if match else self.column + 1
            if self.column > self.limits.columns:
                raise Refused(
                    f"超过 {self.limits.columns} 列，不予读取",
                    f"more than {self.limits.columns} columns; not read",
                    row=self.row,
                    column=column_letter(self.column),
                )
        elif tag in ("v", "t"):
            self.text = self.text or 0
        elif tag == "si":
            self.strings += 1
            self.text = 0

    def end(self, name: str) -> None:
        tag = name.rpartition(":")[2]
        if tag in ("c", "si", "v"):
            self.text = None

    def characters(self, data: str) -> None:
        if self.text is None:
            return
        self.text += len(data)
        if self.text > self.limits.cell_chars:
            where = column_letter(self.column) if self.column else ""
            raise Refused(
                f"单元格超过 {self.limits.cell_chars} 个字符",
                f"a cell is longer than {self.limits.cell_chars} characters",
                row=self.row or None,
                column=where,
            )

    def dimension(self, ref: str) -> None:
        last = ref.split(":")[-1]
        match = _CELL_REF.match(last)
        if not match:
            return
        rows, columns = int(match[2]), _column_index(match[1])
        if rows > self.limits.rows:
            raise Refused(
                f"工作表“{self.sheet}”声明 {rows} 行，超过上限 {self.limits.rows} 行，不予读取",
                f"the sheet {self.sheet!r} declares {rows} rows, over the cap of "
                f"{self.limits.rows}; not read",
            )
        if columns > self.limits.columns:
            raise Refused(
                f"工作表“{self.sheet}”声明 {columns} 列，超过上限 {self.limits.columns} 列",
                f"the sheet {self.sheet!r} declares {columns} columns, over the cap of "
                f"{self.limits.columns}",
            )

    def _number(self, text: str | None, default: int) -> int:
        try:
            return int(text) if text else default
        except ValueError:
            raise Refused(
                f"行号“{text}”无效", f"{text!r} is not a row number", row=self.row + 1
            ) from None


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part → its name as Excel shows it (from workbook.xml and its rels)."""
    names: dict[str, str] = {}  # relationship id → name
    targets: dict[str, str] = {}  # relationship id → part

    def workbook(name, attrs):
        if name.rpartition(":")[2] == "sheet":
            rid = next((v for k, v in attrs.items() if k.endswith(":id")), "")
            names[rid] = attrs.get("name", "")

    def rels(name, attrs):
        if name.rpartition(":")[2] == "Relationship":
            target = attrs.get("Target", "")
            part = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
            targets[attrs.get("Id", "")] = posixpath.normpath(part)

    for part, handler in (("xl/workbook.xml", workbook), ("xl/_rels/workbook.xml.rels", rels)):
        try:
            info = archive.getinfo(part)
        except KeyError:
            continue
        if info.file_size > _MAX_SMALL_PART:
            raise _too_large()
        parser = expat.ParserCreate()
        parser.StartElementHandler = handler
        parser.StartDoctypeDeclHandler = _refuse_doctype
        try:
            parser.Parse(archive.read(part), True)
        except expat.ExpatError:
            raise Refused("工作簿结构已损坏", "the workbook's structure is damaged") from None
    return {targets[rid]: name for rid, name in names.items() if rid in targets}


def _too_large() -> Refused:
    return Refused("工作簿的结构部分大得异常，不予读取", "a part of the workbook is too large")


def check_xlsx(path: Path, limits: Limits) -> None:
    """Refuse an xlsx over any cap without ever holding a row: zip sizes first, then each
    worksheet's declared dimension and actual rows, columns and cell lengths, then the
    shared strings."""
    with open_zip(path, limits) as archive:
        names = _sheet_names(archive)
        for member in archive.infolist():
            part = member.filename
            is_sheet = part.startswith("xl/worksheets/") and part.endswith(".xml")
            if is_sheet or part == "xl/sharedStrings.xml":
                scan = _Scan(limits, names.get(part, posixpath.basename(part)))
                try:
                    with archive.open(member) as stream:
                        scan.run(stream)
                except ZIP_READ_ERRORS as error:
                    raise Refused(
                        "压缩内容已损坏或加密", f"the compressed content cannot be read ({error})"
                    ) from None
                if scan.strings > limits.rows * limits.columns:
                    raise Refused("共享字符串过多", "the workbook holds too many strings")
            elif part.endswith((".xml", ".rels")) and member.file_size > _MAX_SMALL_PART:
                raise _too_large()


def iter_xlsx_rows(sheet, limits: Limits) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cells) of an openpyxl read-only sheet already passed by
    :func:`check_xlsx`; openpyxl's errors on a malformed row name the row."""
    rows = sheet.iter_rows(values_only=True)
    number = 0
    while True:
        try:
            cells = next(rows)
        except StopIteration:
            return
        except Exception as error:  # openpyxl raises many kinds on a malformed cell
            raise Refused(
                f"第 {number + 1} 行无法读取（{type(error).__name__}）",
                f"row {number + 1} cannot be read ({type(error).__name__}: {error})"[:300],
                row=number + 1,
            ) from None
        number += 1
        cells = list(cells)
        while cells and cells[-1] is None:
            cells.pop()
        for index, value in enumerate(cells, start=1):
            if isinstance(value, str):
                refuse_text(value, limits, row=number, column=column_letter(index))
        yield number, cells


# --- CSV --------------------------------------------------------------------------------


def _detect_encoding(path: Path) -> str | None:
    """UTF-8 (with or without BOM) when the whole file decodes strictly, else GB18030 (a
    superset of GBK, which decodes almost any bytes). Decoded incrementally, never whole."""
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as stream:
                while chunk := stream.read(_CHUNK):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    return None


class _Lines:
    """The text lines a csv reader consumes, kept for the record being read, so that a
    record csv refuses can still be placed by column."""

    def __init__(self, text) -> None:
        self.text, self.pending = text, []

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self.text)
        self.pending.append(line)
        return line

    def done(self) -> None:
        self.pending = []

    def column_reached(self, delimiter: str) -> int:
        """The field a reader was in at the end of the pending lines (quotes respected)."""
        column, quoted = 1, False
        for char in "".join(self.pending):
            if char == '"':
                quoted = not quoted
            elif char == delimiter and not quoted:
                column += 1
        return column


def iter_csv_rows(path: Path, limits: Limits) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of a CSV (comma or tab separated), streamed under the caps."""
    if path.stat().st_size > limits.unzipped_bytes:
        raise Refused(
            f"文件超过 {limits.megabytes} MB", f"the file is larger than {limits.megabytes} MB"
        )
    encoding = _detect_encoding(path)
    if encoding is None:
        raise Refused(
            "无法识别文件编码；请保存为 UTF-8 或 GBK 编码的 CSV",
            "cannot decode the file; save the CSV as UTF-8 or GBK",
        )
    with path.open(encoding=encoding, newline="") as text:
        first = text.readline(limits.cell_chars * limits.columns)
        delimiter = "\t" if first.count("\t") > first.count(",") else ","
        text.seek(0)
        lines = _Lines(text)
        reader = csv.reader(lines, delimiter=delimiter)
        number = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error:  # a field over csv's own 131 072 characters (or a quote unclosed)
                raise Refused(
                    f"单元格超过 {limits.cell_chars} 个字符（或引号不成对）",
                    f"a cell is longer than {limits.cell_chars} characters (or a quote is "
                    "not closed)",
                    row=number + 1,
                    column=column_letter(lines.column_reached(delimiter)),
                ) from None
            lines.done()
            number += 1
            if number > limits.rows:
                raise Refused(
                    f"超过 {limits.rows} 行，不予读取",
                    f"more than {limits.rows} rows; not read",
                    row=number,
                )
            if len(cells) > limits.columns:
                raise Refused(
                    f"超过 {limits.columns} 列，不予读取",
                    f"more than {limits.columns} columns; not read",
                    row=number,
                    column=column_letter(limits.columns + 1),
                )
            for index, value in enumerate(cells, start=1):
                refuse_text(value, limits, row=number, column=column_letter(index))
            yield number, cells


def read_bytes_capped(upload, limits: Limits) -> io.BytesIO:
    """An uploaded file's bytes when within the unzipped cap (a file is at most what it
    unzips to), for readers that take a file object."""
    data = upload.read(limits.unzipped_bytes + 1)
    if len(data) > limits.unzipped_bytes:
        raise Refused(
            f"文件超过 {limits.megabytes} MB", f"the file is larger than {limits.megabytes} MB"
        )
    return io.BytesIO(data)
