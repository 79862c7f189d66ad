"""Hostile files for the import tests, made here (nothing downloaded): xlsx zip bombs of
about 140 KB, with honest or lying sizes, and a workbook with a DOCTYPE."""

from __future__ import annotations

import io
import struct
import zipfile

_PKG = "http://schemas.openxmlformats.org/package/2006"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_SML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_CONTENT_TYPES = (
    f'<Types xmlns="{_PKG}/content-types">'
    f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_SML}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_SML}.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    f'<Relationships xmlns="{_PKG}/relationships"><Relationship Id="rId1" '
    f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    f'xmlns:r="{_REL}"><sheets><sheet name="社区" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    f'<Relationships xmlns="{_PKG}/relationships"><Relationship Id="rId1" '
    f'Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_SHEET_TAIL = "</sheetData></worksheet>"
# A row of 1 000 numbers with no row or cell references: identical rows, which deflate
# shrinks about 500-fold.
_ROW = "<row>" + "<c><v>1</v></c>" * 1000 + "</row>"


def _workbook(sheet_xml_chunks, *, prolog: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write((prolog + _SHEET_HEAD).encode())
            for chunk in sheet_xml_chunks:
                sheet.write(chunk)
            sheet.write(_SHEET_TAIL.encode())
    return buffer.getvalue()


def xlsx_bomb(rows: int = 4_600) -> bytes:
    """About 140 KB that inflate to about 70 MB of sheet XML (4.6 million cells)."""
    block = (_ROW * 100).encode()
    return _workbook(block for _ in range(rows // 100))


def lying_xlsx_bomb(rows: int = 4_600, declared: int = 64 * 1024) -> bytes:
    """The same bomb whose zip headers claim the sheet is ``declared`` bytes unzipped."""
    data = bytearray(xlsx_bomb(rows))
    name = b"xl/worksheets/sheet1.xml"
    for signature, size_offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            name_offset = 30 if signature == b"PK\x03\x04" else 46
            length_offset = 26 if signature == b"PK\x03\x04" else 28
            (name_length,) = struct.unpack_from("<H", data, start + length_offset)
            if data[start + name_offset : start + name_offset + name_length] == name:
                struct.pack_into("<I", data, start + size_offset, declared)
            start += 4
    return bytes(data)


def wide_row_xlsx(columns: int) -> bytes:
    """One row with a cell in each of ``columns`` columns and no <dimension>: openpyxl would
    build the whole row before anyone could count it."""
    cell = '<c t="inlineStr"><is><t>x</t></is></c>'
    return _workbook([("<row>" + cell * columns + "</row>").encode()])


def doctype_xlsx() -> bytes:
    """A sheet that declares entities (the billion-laughs shape, kept small)."""
    prolog = '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    return _workbook([b"<row><c t='inlineStr'><is><t>&b;</t></is></c></row>"], prolog=prolog)
