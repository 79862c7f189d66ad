"""Read an uploaded file into a plain table: xlsx, CSV (UTF-8 or GB18030) or a vector file.

Readers never raise on bad input; they add a :class:`Problem` and return ``None``. Caps on
the unzipped size, rows, columns and cell length are checked before rows are read
(:mod:`linli.core.untrusted`).
"""

from __future__ import annotations

import tempfile
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

from linli.core.untrusted import (
    ZIP_READ_ERRORS,
    Limits,
    Refused,
    check_xlsx,
    iter_csv_rows,
    iter_xlsx_rows,
    open_zip,
    refuse_text,
)
from linli.geo.io import VectorFileError, read_vector
from linli.registry.columns import Spec, header_key, is_blank
from linli.registry.imports.report import Problems

TABULAR = (".xlsx", ".xlsm", ".csv")
VECTOR = (".geojson", ".json", ".gpkg", ".shp", ".zip")
SUFFIXES = TABULAR + VECTOR
# Sheets a template adds beside the data; never read as data.
_NOT_DATA = frozenset({"说明", "instructions"})
_HEADER_SEARCH_ROWS = 10  # a title line or two above the headers is common in office files


@dataclass
class Table:
    headers: list[str]
    header_row: int
    rows: list[tuple[int, list[Any]]]  # (row number, cells aligned with the headers)
    geometries: list[Any] | None = None  # WGS 84 shapely geometries, row for row (vector files)


def read_table(
    path: Path, spec: Spec, source: str, problems: Problems, limits: Limits | None = None
) -> Table | None:
    limits = limits or Limits.from_settings()
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            return _read_xlsx(path, spec, problems, limits)
        if suffix == ".csv":
            return _tabulate(list(iter_csv_rows(path, limits)), spec)
        if suffix in VECTOR:
            return _read_vector(path, source, problems, limits)
    except Refused as refused:
        problems.add(refused.row, refused.column, refused.zh, refused.en)
        return None
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


def _read_xlsx(path: Path, spec: Spec, problems: Problems, limits: Limits) -> Table | None:
    try:
        check_xlsx(path, limits)
    except Refused as refused:
        raise (_not_a_workbook() if refused.not_zip else refused) from None
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise _not_a_workbook() from None
    try:
        sheets = [ws for ws in workbook.worksheets if header_key(ws.title) not in _NOT_DATA]
        sheet = next((ws for ws in sheets if ws.title == spec.sheet), sheets[0] if sheets else None)
        if sheet is None:
            problems.add(None, "", "工作簿中没有数据工作表", "the workbook has no data sheet")
            return None
        problems.sheet = sheet.title
        sheet.reset_dimensions()  # some writers store a wrong size; read what is there
        rows = list(iter_xlsx_rows(sheet, limits))
    finally:
        workbook.close()
    return _tabulate(rows, spec)


def _not_a_workbook() -> Refused:
    return Refused(
        "无法作为 Excel 工作簿（.xlsx）读取；旧版 .xls 请另存为 .xlsx",
        "cannot be read as an Excel workbook (.xlsx); save an old .xls file as .xlsx",
    )


def _read_vector(path: Path, source: str, problems: Problems, limits: Limits) -> Table | None:
    try:
        with _unzipped(path, limits) as vector_path:
            _check_vector(vector_path, limits)
            data = read_vector(vector_path, source=source, crs=_assumed_crs(vector_path))
    except UnicodeDecodeError:
        raise Refused(
            "文件不是 UTF-8 编码（GeoJSON 须为 UTF-8）",
            "the file is not UTF-8 (GeoJSON must be UTF-8)",
        ) from None
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
    for number, cells in rows:
        for name, value in zip(frame.columns, cells, strict=True):
            if isinstance(value, str):
                refuse_text(value, limits, row=number, column=str(name))
    return Table([str(c) for c in frame.columns], 0, rows, list(data.geometries))


def _check_vector(path: Path, limits: Limits) -> None:
    """Size, features and fields within the caps before the features are read."""
    if path.stat().st_size > limits.unzipped_bytes:
        raise Refused(
            f"文件超过 {limits.megabytes} MB", f"the file is larger than {limits.megabytes} MB"
        )
    try:
        info = pyogrio.read_info(path)
    except pyogrio.errors.DataSourceError:
        return  # read_vector reports the unreadable file
    if info.get("features", 0) > limits.rows:
        raise Refused(
            f"超过 {limits.rows} 个要素，不予读取", f"more than {limits.rows} features; not read"
        )
    if len(info.get("fields", ())) > limits.columns:
        raise Refused(
            f"超过 {limits.columns} 个属性字段，不予读取",
            f"more than {limits.columns} attribute fields; not read",
        )


def _assumed_crs(path: Path) -> str | None:
    """A Shapefile without .prj declares no CRS: its coordinates are taken as longitude and
    latitude (then range-checked, so projected metres are caught)."""
    try:
        return None if pyogrio.read_info(path).get("crs") else "EPSG:4326"
    except pyogrio.errors.DataSourceError:
        return None  # read_vector reports the unreadable file


@contextmanager
def _unzipped(path: Path, limits: Limits) -> Iterator[Path]:
    """A Shapefile travels as a zip of its .shp/.shx/.dbf/.prj/.cpg; other files pass through."""
    if path.suffix.lower() != ".zip":
        yield path
        return
    with tempfile.TemporaryDirectory() as tmp:
        with open_zip(path, limits) as archive:  # sizes checked before anything is inflated
            for member in (m for m in archive.infolist() if not m.is_dir()):
                # Flattened: a member's own path is never used.
                try:
                    data = archive.read(member)
                except ZIP_READ_ERRORS as e:
                    raise Refused(
                        f"压缩包中的“{member.filename}”已损坏",
                        f"{member.filename!r} in the zip is damaged ({e})",
                    ) from None
                (Path(tmp) / Path(member.filename).name).write_bytes(data)
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
