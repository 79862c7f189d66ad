"""The downloadable xlsx template of a kind: Chinese headers, dropdowns and a 说明 sheet."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from linli.registry.columns import SPECS, Column, Text

_TEMPLATE_ROWS = 5000  # rows that get dropdowns and text format
_REQUIRED_FILL = PatternFill("solid", fgColor="FFF2CC")
_NOTES = {
    "all": (
        "每行一个对象；按编码（社区/小区代码、统一社会信用代码、设施编码、点位编码）新增或更新。"
        "黄色列为必填。未出现的列保持原值，空单元格取默认值。文件有任何错误时不导入任何数据。",
        "One object per row, added or updated by its code (community/compound code, USCC, "
        "facility code, site code). Yellow columns are required. Columns left out keep their "
        "stored values; a blank cell means the default. A file with any error imports nothing.",
    ),
    "coordinates": (
        "坐标为经纬度（度）。导入时选择坐标来源：WGS 84/GPS、CGCS2000/天地图、高德/腾讯（GCJ-02）"
        "或百度（BD-09），后两者自动转换为 WGS 84。",
        "Coordinates are longitude/latitude in degrees. On import choose their source: "
        "WGS 84/GPS, CGCS2000/天地图, 高德/腾讯 (GCJ-02) or 百度 (BD-09); the last two are "
        "converted to WGS 84.",
    ),
    "facility": (
        "每行为设施的一项功能（服务场景）；同一设施的多项功能写成多行，设施编码相同，"
        "设施各列在后续行可重复或留空。没有功能的设施写一行并留空功能各列。",
        "Each row is one function (scenario) of a facility; a facility with several functions "
        "takes several rows with the same facility code, its own columns repeated or left blank "
        "after its first row. A facility without functions is one row with the function columns "
        "blank.",
    ),
}


def registry_template(kind: str) -> bytes:
    spec = SPECS[kind]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = spec.sheet
    sheet.append([column.zh for column in spec.columns])
    sheet.freeze_panes = "A2"
    for index, column in enumerate(spec.columns, start=1):
        _format_column(sheet, index, column)
    _instructions(workbook.create_sheet("说明"), kind)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _format_column(sheet, index: int, column: Column) -> None:
    letter = get_column_letter(index)
    header = sheet.cell(row=1, column=index)
    header.font = Font(bold=True)
    if column.required:
        header.fill = _REQUIRED_FILL
    sheet.column_dimensions[letter].width = max(12, len(column.zh) * 2 + 2)
    cells = f"{letter}2:{letter}{_TEMPLATE_ROWS}"
    if isinstance(column.type, Text):  # codes typed as text keep leading zeros and all digits
        sheet.column_dimensions[letter].number_format = "@"
    options = column.type.options()
    if options:
        # An inline list holds up to 255 characters, which every vocabulary here fits.
        validation = DataValidation(
            type="list", formula1=f'"{",".join(options)}"', allow_blank=not column.required
        )
        validation.error = "请从下拉列表中选择 / choose a value from the list"
        validation.showErrorMessage = True
        sheet.add_data_validation(validation)
        validation.add(cells)


def _instructions(sheet, kind: str) -> None:
    spec = SPECS[kind]
    notes = [_NOTES["all"]]
    if spec.coordinates:
        notes.append(_NOTES["coordinates"])
    if kind == "facility":
        notes.append(_NOTES["facility"])
    for zh, en in notes:
        sheet.append([zh])
        sheet.append([en])
    sheet.append([])
    sheet.append(["列名", "Column", "必填 Required", "类型 Type", "允许值 Allowed values"])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for column in spec.columns:
        labels = column.type.options()
        allowed = "、".join(labels) if labels else ""
        sheet.append(
            [
                column.zh,
                column.en,
                "是 yes" if column.required else "否 no",
                f"{column.type.zh} / {column.type.en}",
                allowed,
            ]
        )
    for letter, width in zip("ABCDE", (28, 28, 14, 40, 60), strict=True):
        sheet.column_dimensions[letter].width = width
