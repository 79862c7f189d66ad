"""Read an uploaded file into a plain table: xlsx, CSV (UTF-8 or GB18030) or a vector file.

Readers never raise on bad input; they add a :class:`Problem` and return ``None``.
"""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyogrio
import pyogrio.errors
from openpyxl import load_workbook

from linli.geo.io import VectorFileError, read_vector
from linli.registry.columns import Spec, header_key, is_blank
from linli.registry.imports.report import Problems

TABULAR = (".xlsx", ".xlsm", ".csv")
VECTOR = (".geojson", ".json", ".gpkg", ".shp", ".zip")
SUFFIXES = TABULAR + VECTOR
# Sheets a template adds beside the data; never read as data.
_NOT_DATA = frozenset({"说明", "instructions"})
_HEADER_SEARCH_ROWS = 10  # a title line or two above the headers is common in office files
_MAX_UNZIPPED_BYTES = 512 * 1024 * 1024


@dataclass
class Table:
    headers: list[str]
    header_row: int
    rows: list[tuple[int, list[Any]]]  # (row number, cells aligned with the headers)
    geometries: list[Any] | None = None  # WGS 84 shapely geometries, row for row (vector files)


def read_table(path: Path, spec: Spec, source: str, problems: Problems) -> Table | None:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, spec, problems)
    if suffix == ".csv":
        return _read_csv(path, spec, problems)
    if suffix in VECTOR:
        return _read_vector(path, source, problems)
    problems.add(
        None,
        "",
        f"不支持的文件类型“{suffix}”；请使用 xlsx、CSV、GeoJSON、GeoPackage 或压缩的 Shapefile",
        f"unsupported file type {suffix!r}; use xlsx, CSV, GeoJSON, GeoPackage or a zipped "
        "Shapefile",
    )
    return None


def _tabulate(rows: list[tuple[int, list[Any]]], spec: Spec) -> Table:
    """Find the header row (the first with a known header), then keep the non-blank rows."""
    known = spec.by_header()
    header_index = next(
        (
            i
            for i, (_n, cells) in enumerate(rows[:_HEADER_SEARCH_ROWS])
            if any(header_key(cell) in known for cell in cells if not is_blank(cell))
        ),
        0,
    )
    if not rows:
        return Table([], 1, [])
    header_row, header_cells = rows[header_index]
    headers = ["" if is_blank(cell) else str(cell).strip() for cell in header_cells]
    width = len(headers)
    data = [
        (number, (list(cells) + [None] * width)[:width])
        for number, cells in rows[header_index + 1 :]
        if not all(is_blank(cell) for cell in cells)
    ]
    return Table(headers, header_row, data)


def _read_xlsx(path: Path, spec: Spec, problems: Problems) -> Table | None:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        problems.add(
            None,
            "",
            "无法作为 Excel 工作簿（.xlsx）读取；旧版 .xls 请另存为 .xlsx",
            "cannot be read as an Excel workbook (.xlsx); save an old .xls file as .xlsx",
        )
        return None
    try:
        sheets = [ws for ws in workbook.worksheets if header_key(ws.title) not in _NOT_DATA]
        sheet = next((ws for ws in sheets if ws.title == spec.sheet), sheets[0] if sheets else None)
        if sheet is None:
            problems.add(None, "", "工作簿中没有数据工作表", "the workbook has no data sheet")
            return None
        problems.sheet = sheet.title
        sheet.reset_dimensions()  # some writers store a wrong size; read what is there
        rows = [
            (number, list(cells))
            for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        workbook.close()
    return _tabulate(rows, spec)


def _decode(data: bytes) -> str | None:
    """UTF-8 (with or without BOM) when it decodes strictly, else GB18030 (a superset of GBK)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _read_csv(path: Path, spec: Spec, problems: Problems) -> Table | None:
    text = _decode(path.read_bytes())
    if text is None:
        problems.add(
            None,
            "",
            "无法识别文件编码；请保存为 UTF-8 或 GBK 编码的 CSV",
            "cannot decode the file; save the CSV as UTF-8 or GBK",
        )
        return None
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = [(number, cells) for number, cells in enumerate(reader, start=1)]
    return _tabulate(rows, spec)


def _read_vector(path: Path, source: str, problems: Problems) -> Table | None:
    try:
        with _unzipped(path) as vector_path:
            data = read_vector(vector_path, source=source, crs=_assumed_crs(vector_path))
    except VectorFileError as error:
        row = error.feature + 1 if error.feature is not None else None
        problems.add(
            row,
            error.field or "",
            f"无法读取矢量文件：{error.reason}",
            f"cannot read the vector file: {error.reason}",
        )
        return None
    frame = data.attributes
    rows = [
        (number, [_plain(value) for value in values])
        for number, values in enumerate(frame.itertuples(index=False, name=None), start=1)
    ]
    return Table([str(c) for c in frame.columns], 0, rows, list(data.geometries))


def _assumed_crs(path: Path) -> str | None:
    """A Shapefile without .prj declares no CRS: its coordinates are taken as longitude and
    latitude (then range-checked, so projected metres are caught)."""
    try:
        return None if pyogrio.read_info(path).get("crs") else "EPSG:4326"
    except pyogrio.errors.DataSourceError:
        return None  # read_vector reports the unreadable file


@contextmanager
def _unzipped(path: Path) -> Iterator[Path]:
    """A Shapefile travels as a zip of its .shp/.shx/.dbf/.prj/.cpg; other files pass through."""
    if path.suffix.lower() != ".zip":
        yield path
        return
    with tempfile.TemporaryDirectory() as tmp:
        try:
            with zipfile.ZipFile(path) as archive:
                members = [m for m in archive.infolist() if not m.is_dir()]
                if sum(m.file_size for m in members) > _MAX_UNZIPPED_BYTES:
                    raise VectorFileError(path, "the zip is too large")
                for member in members:  # flattened: a member's own path is never used
                    (Path(tmp) / Path(member.filename).name).write_bytes(archive.read(member))
        except zipfile.BadZipFile:
            raise VectorFileError(path, "not a readable zip file") from None
        found = [
            p for p in Path(tmp).iterdir() if p.suffix.lower() in (".shp", ".gpkg", ".geojson")
        ]
        if len(found) != 1:
            raise VectorFileError(path, "the zip should hold exactly one .shp, .gpkg or .geojson")
        yield found[0]


def _plain(value: Any) -> Any:
    """numpy/pandas scalars as Python values; NaN and NaT (missing values) as None."""
    if pd.isna(value):
        return None
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()
    return value
