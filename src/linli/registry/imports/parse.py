"""Turn a table into typed records, collecting every problem of headers, cells and coordinates."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from typing import Any

import shapely

from linli.core.exports import looks_like_formula
from linli.geo.offsets import in_china, to_wgs84_from
from linli.registry.columns import CellError, Column, Spec, header_key, is_blank
from linli.registry.imports.readers import Table
from linli.registry.imports.report import Problems

_COORDINATE_DIGITS = 7  # about 1 cm: finer digits from an offset conversion are noise


@dataclass
class Record:
    """One row of the file: typed values of the columns it has, and which of them were blank."""

    row: int
    values: dict[str, Any] = field(default_factory=dict)
    blank: set[str] = field(default_factory=set)
    headers: dict[str, str] = field(default_factory=dict)  # field → header as written
    invalid: bool = False  # a cell could not be read: rules across columns would mislead


def parse_table(table: Table, spec: Spec, source: str, problems: Problems) -> list[Record]:
    columns = _map_headers(table, spec, problems)
    records = [_parse_row(number, cells, columns, problems) for number, cells in table.rows]
    if spec.coordinates:
        _convert(records, spec, source, problems)
        if table.geometries is not None:
            _from_geometry(records, table.geometries, spec, problems)
        _check_coordinates(records, spec, source, problems)
    return records


def _map_headers(table: Table, spec: Spec, problems: Problems) -> list[tuple[int, Column, str]]:
    known = spec.by_header()
    vector = table.geometries is not None
    header_row = table.header_row or None
    mapped: dict[str, tuple[int, Column, str]] = {}
    for index, header in enumerate(table.headers):
        if not header:
            continue
        column = known.get(header_key(header)) or (vector and _truncated(header, spec))
        if not column:
            if not vector:  # GIS layers carry housekeeping fields (fid, Shape_Area…): skip them
                _unknown_header(header, spec, header_row, problems)
        elif column.field in mapped:
            problems.add(
                header_row,
                header,
                f"与“{mapped[column.field][2]}”重复",
                f"duplicates the column {mapped[column.field][2]!r}",
            )
        else:
            mapped[column.field] = (index, column, header)
    optional = set(spec.coordinates or ()) if vector else set()
    for column in spec.columns:
        if column.required and column.field not in mapped and column.field not in optional:
            problems.add(
                header_row,
                column.zh,
                f"缺少必填列“{column.zh}”",
                f"the required column {column.zh!r} ({column.en}) is missing",
            )
    return list(mapped.values())


def _truncated(header: str, spec: Spec) -> Column | None:
    """A Shapefile cuts field names to 10 characters (``community_code`` → ``community_``)."""
    if len(header) != 10:
        return None
    matches = [c for c in spec.columns if c.field.startswith(header)]
    return matches[0] if len(matches) == 1 else None


def _unknown_header(header: str, spec: Spec, row: int | None, problems: Problems) -> None:
    guess = difflib.get_close_matches(header, [c.zh for c in spec.columns], n=1, cutoff=0.5)
    hint_zh = f"，是否应为“{guess[0]}”？" if guess else "；允许的列名见模板的说明页"
    hint_en = f"; did you mean {guess[0]!r}?" if guess else "; see the template's 说明 sheet"
    problems.add(
        row, header, f"未知的列名“{header}”{hint_zh}", f"unknown column {header!r}{hint_en}"
    )


def _parse_row(number: int, cells: list, columns, problems: Problems) -> Record:
    record = Record(number)
    for index, column, header in columns:
        record.headers[column.field] = header
        raw = cells[index]
        if is_blank(raw):
            record.blank.add(column.field)
            record.values[column.field] = column.default
            continue
        try:
            value = record.values[column.field] = column.type.parse(raw)
        except CellError as error:
            record.invalid = True
            problems.add(number, header, error.zh, error.en)
            continue
        if isinstance(value, str) and looks_like_formula(value):
            problems.warn(
                number,
                header,
                f"“{value[:40]}”以公式符号开头：按文本保存，导出时也保持为文本",
                f"{value[:40]!r} begins like a spreadsheet formula: it is kept as text, "
                "and exports keep it text",
            )
    return record


def _pairs(records: list[Record], spec: Spec) -> list[Record]:
    """Records that hold a full (lon, lat) pair."""
    lon, lat = spec.coordinates
    return [r for r in records if r.values.get(lon) is not None and r.values.get(lat) is not None]


def _convert(records: list[Record], spec: Spec, source: str, problems: Problems) -> None:
    """Remove the GCJ-02/BD-09 offset from coordinates typed in cells (geometries are done)."""
    lon, lat = spec.coordinates
    for record in records:
        if (record.values.get(lon) is None) != (record.values.get(lat) is None):
            missing = lon if record.values.get(lon) is None else lat
            if missing in record.blank or missing not in record.headers:
                problems.add(
                    record.row,
                    record.headers.get(missing, spec.column(missing).zh),
                    "经度和纬度须同时填写",
                    "longitude and latitude must be given together",
                )
    pairs = _pairs(records, spec)
    if source in ("wgs84", "cgcs2000") or not pairs:
        return
    xs, ys = to_wgs84_from(source, [r.values[lon] for r in pairs], [r.values[lat] for r in pairs])
    for record, x, y in zip(pairs, xs, ys, strict=True):
        record.values[lon] = round(float(x), _COORDINATE_DIGITS)
        record.values[lat] = round(float(y), _COORDINATE_DIGITS)


def _from_geometry(records: list[Record], geometries: list, spec: Spec, problems) -> None:
    """Points give the coordinates; polygons their centroid and, for a community, its boundary.

    Coordinates typed in the attributes win, so an exported community keeps its stored
    centroid rather than the polygon's computed one.
    """
    lon, lat = spec.coordinates
    for record, geometry in zip(records, geometries, strict=True):
        if geometry is None or shapely.is_empty(geometry):
            if record.values.get(lon) is None:  # a required point is then reported missing
                record.blank.add(lon)
                record.headers.setdefault(lon, "geometry")
            continue
        kind = geometry.geom_type
        if kind not in ("Point", "Polygon", "MultiPolygon"):
            problems.add(
                record.row,
                "geometry",
                f"几何类型应为点或面，而非 {kind}",
                f"the geometry should be a point or polygon, not a {kind}",
            )
            continue
        if kind != "Point" and spec.kind == "community":
            record.values["boundary"] = json.loads(json.dumps(shapely.geometry.mapping(geometry)))
        if record.values.get(lon) is None and record.values.get(lat) is None:
            point = geometry if kind == "Point" else geometry.centroid
            record.values[lon] = round(point.x, _COORDINATE_DIGITS)
            record.values[lat] = round(point.y, _COORDINATE_DIGITS)
            record.blank -= {lon, lat}


def _check_coordinates(records: list[Record], spec: Spec, source: str, problems) -> None:
    """Offset coordinates only exist in China: elsewhere the source was surely misnamed
    (or longitude and latitude swapped)."""
    if source not in ("gcj02", "bd09"):
        return
    lon, lat = spec.coordinates
    pairs = _pairs(records, spec)
    if not pairs:
        return
    inside = in_china([r.values[lon] for r in pairs], [r.values[lat] for r in pairs])
    for record in (r for r, ok in zip(pairs, inside, strict=True) if not ok):
        problems.add(
            record.row,
            record.headers.get(lon, "geometry"),
            f"坐标（{record.values[lon]}, {record.values[lat]}）不在中国境内，"
            "高德/腾讯/百度坐标只存在于境内；请检查经纬度是否颠倒或坐标来源",
            f"({record.values[lon]}, {record.values[lat]}) lies outside China, where "
            f"{source} coordinates do not exist; check the longitude/latitude order or the source",
        )


def required_problems(record: Record, columns: list[Column], problems: Problems) -> None:
    """A required column left blank (after coordinates were taken from any geometry)."""
    for column in columns:
        if column.required and column.field in record.blank:
            problems.add(
                record.row,
                record.headers.get(column.field, column.zh),
                "必填项为空",
                f"{column.en} is required",
            )
