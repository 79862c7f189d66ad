"""Export registry objects to xlsx, CSV (UTF-8 with BOM) or GeoJSON with the import columns,
so an export re-imports to the same data."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from linli.core.exports import XLSX_TYPE, csv_text, xlsx_cell
from linli.registry.columns import Spec, spec_for_model

FORMATS = ("xlsx", "csv", "geojson")


def export_response(model: type[models.Model], queryset: models.QuerySet, fmt: str) -> HttpResponse:
    """The objects of ``queryset`` (already restricted and filtered) as a download."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
    spec = spec_for_model(model)
    content, content_type = _WRITERS[fmt](spec, spec.rows(queryset))
    response = HttpResponse(content, content_type=content_type)
    filename = f"{spec.kind}-{timezone.localdate():%Y%m%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _xlsx(spec: Spec, rows: Iterator[dict[str, Any]]) -> tuple[bytes, str]:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(spec.sheet)
    for index, column in enumerate(spec.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(column.zh) * 2 + 2)
    sheet.append([column.zh for column in spec.columns])
    for row in rows:
        sheet.append([xlsx_cell(sheet, c.type.cell(row[c.field])) for c in spec.columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), XLSX_TYPE


def _csv(spec: Spec, rows: Iterator[dict[str, Any]]) -> tuple[bytes, str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([column.zh for column in spec.columns])
    for row in rows:
        writer.writerow([_csv_cell(column, row[column.field]) for column in spec.columns])
    # The BOM is how Excel recognises UTF-8 rather than reading the file as GBK.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8"), "text/csv; charset=utf-8"


def _geojson(spec: Spec, rows: Iterator[dict[str, Any]]) -> tuple[bytes, str]:
    """Points, or a community's boundary polygon; properties keyed by field name with codes
    as values. Coordinates stay properties only where a polygon does not carry them exactly."""
    lon, lat = spec.coordinates or (None, None)
    features = []
    for row in rows:
        boundary = row.get("boundary")
        point = [row[lon], row[lat]] if lon and row[lon] is not None else None
        geometry = boundary or (point and {"type": "Point", "coordinates": point})
        properties = {
            column.field: column.type.json(row[column.field])
            for column in spec.columns
            if boundary or column.field not in (lon, lat)
        }
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    content = json.dumps(
        {"type": "FeatureCollection", "features": features},
        ensure_ascii=False,
        cls=DjangoJSONEncoder,
    )
    return content.encode("utf-8"), "application/geo+json"


def _csv_cell(column, value) -> str:
    text = column.type.text(value)
    return text if column.type.number else csv_text(text)


_WRITERS = {"xlsx": _xlsx, "csv": _csv, "geojson": _geojson}
