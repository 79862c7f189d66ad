"""Monthly use from an xlsx, one row per month and function (an operator's own spreadsheet).

The file is read under the caps of :mod:`linli.core.untrusted` before any row is held; every
row is checked before anything is written, and a file with any problem writes nothing and
names each problem by row, column and field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from linli.core.untrusted import Limits, Refused, check_xlsx, iter_xlsx_rows, read_bytes_capped
from linli.operations.services import USE_FIGURES, use_record_problems
from linli.policy.vocabulary import SCENARIOS
from linli.registry.models import Facility

SHEET = "月度运营数据"
# header → field; the order is the template's
COLUMNS = {
    "月份": "month",
    "服务场景": "scenario",
    "服务人次": "visits",
    "供餐份数": "meals",
    "在住床位": "beds_occupied",
    "在托婴幼儿": "infant_places_filled",
}
MAX_ROWS = 500


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"第{self.row}行 {self.column}：{self.message}"


def use_template() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = 14
    sheet.append(["2026-11", "社区助餐", 1800, 1650, 0, 0])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read_use_rows(upload) -> list[tuple[int, dict[str, Any]]]:
    """(row number, {header: value}) of every non-empty data row; ValidationError if the file
    cannot be read or breaks a cap."""
    limits = Limits.from_settings(rows=2 * MAX_ROWS + 1)
    try:
        content = read_bytes_capped(upload, limits)
        check_xlsx(content, limits)
        content.seek(0)
        workbook = load_workbook(content, read_only=True, data_only=True)
    except Refused as refused:
        raise ValidationError(_refusal(refused)) from None
    except Exception as error:  # openpyxl raises many kinds for a file that is not an xlsx
        raise ValidationError(f"不是有效的 xlsx 文件 / not a valid xlsx file: {error}") from error
    try:
        rows = iter_xlsx_rows(workbook.worksheets[0], limits)
        _number, header_cells = next(rows, (1, []))
        headers = [str(h or "").strip() for h in header_cells]
        missing = [h for h in COLUMNS if h not in headers]
        if missing:
            raise ValidationError(f"第1行缺少列 / row 1 lacks the columns: {'、'.join(missing)}")
        found = []
        for number, values in rows:
            row = {h: v for h, v in zip(headers, values, strict=False) if h in COLUMNS}
            if any(v not in (None, "") for v in row.values()):
                found.append((number, row))
            if len(found) > MAX_ROWS:
                raise ValidationError(f"一次最多导入 {MAX_ROWS} 行 / at most {MAX_ROWS} rows")
        return found
    except Refused as refused:
        raise ValidationError(_refusal(refused)) from None
    finally:
        workbook.close()


def _refusal(refused: Refused) -> str:
    where = "".join(
        part for part in (refused.row and f"第 {refused.row} 行", refused.column) if part
    )
    return f"{where + '：' if where else ''}{refused.zh} / {refused.en}"


def _month(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date().replace(day=1)
    if isinstance(value, date):
        return value.replace(day=1)
    text = str(value or "").strip().replace("年", "-").replace("月", "").replace("/", "-")
    try:
        year, month = (int(part) for part in text.split("-")[:2])
        return date(year, month, 1)
    except ValueError:
        return None


def _scenarios() -> dict[str, str]:
    """Chinese label, English label or code → code."""
    names = {}
    for code, (zh, en) in SCENARIOS.items():
        names.update({zh: code, en: code, code: code})
    return names


def _count(value: Any) -> int | None:
    if value in (None, ""):
        return 0
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value >= 0 else None
    text = str(value).strip()
    return int(text) if text.isdigit() else None


def check_use_rows(facility: Facility, rows) -> tuple[list[Problem], list[dict]]:
    """Every problem of every row, and the records of the rows when there are none."""
    names, problems, records, seen = _scenarios(), [], [], set()
    header_of = {field: header for header, field in COLUMNS.items()}
    with translation.override("zh-hans"):
        for number, row in rows:
            month, scenario = (
                _month(row.get("月份")),
                names.get(str(row.get("服务场景") or "").strip()),
            )
            record: dict[str, Any] = {"month": month, "scenario": scenario}
            if month is None:
                problems.append(Problem(number, "月份", "请写成 2026-11 这样的年月"))
            if scenario is None:
                problems.append(Problem(number, "服务场景", "不是九类服务场景之一，请从模板中选择"))
            for field in USE_FIGURES:
                value = _count(row.get(header_of[field]))
                if value is None:
                    problems.append(Problem(number, header_of[field], "请填写零或正整数"))
                record[field] = value or 0
            if month is None or scenario is None:
                continue
            if (month, scenario) in seen:
                problems.append(Problem(number, "月份", "同一月份和服务场景在文件中出现了两次"))
            seen.add((month, scenario))
            figures = {k: record[k] for k in USE_FIGURES}
            for field, message in use_record_problems(facility, month, scenario, figures).items():
                problems.append(Problem(number, header_of[field], str(message)))
            records.append(record)
    return problems, records
