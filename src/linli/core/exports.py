"""Spreadsheet export of what a list page shows (with its filters applied), and the guard
every export applies to text: a cell that begins like a formula stays text.

Formula injection: a facility named ``=HYPERLINK("http://…","点此")`` would otherwise be a
live formula in the city's workbook. In xlsx such a cell is written as a string with Excel's
quote prefix (the text is unchanged and stays text even when edited); in CSV, which has no
types, it gets a leading apostrophe (OWASP's advice), which the importers take off again.
Characters XML cannot hold are replaced, so a stray control character never breaks an export.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from io import BytesIO

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Plain arithmetic of digits ("-5", "+86 (10) 6512-3456") cannot call anything.
_ARITHMETIC = re.compile(r"[+\-]?[\d\s().\-/]*")


def looks_like_formula(text: str) -> bool:
    """Text a spreadsheet would run as a formula that calls something: flagged on import."""
    return text.startswith(FORMULA_TRIGGERS) and not _ARITHMETIC.fullmatch(text)


def csv_text(text: str) -> str:
    """A CSV cell that no spreadsheet runs as a formula."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def unquote_csv_text(text: str) -> str:
    """The importers' inverse of :func:`csv_text`."""
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text


def xlsx_cell(sheet, value):
    """A write-only cell: strings are always text, never formulas, never invalid XML."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    cell = WriteOnlyCell(sheet, value=value)
    if value.startswith(FORMULA_TRIGGERS):
        cell.data_type = "s"  # openpyxl made "=…" a formula
        cell.quotePrefix = True
    return cell


def _cell(value):
    if isinstance(value, bool):  # Excel would show TRUE or FALSE, whatever the language
        return gettext("yes") if value else gettext("no")
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        return timezone.localtime(value).replace(tzinfo=None)  # Excel has no time zones
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Decimal):
        return float(value)  # a number the sheet can add up, not text
    return value if isinstance(value, (int, float, str)) or value is None else str(value)


def xlsx_response(
    filename: str, sheet: str, headers: Sequence[str], rows: Iterable[Sequence]
) -> HttpResponse:
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet[:31])
    for index, header in enumerate(headers, start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = max(12, len(str(header)) * 2)
    worksheet.append([xlsx_cell(worksheet, str(h)) for h in headers])
    for row in rows:
        worksheet.append([xlsx_cell(worksheet, _cell(value)) for value in row])
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
