"""Hypothesis over every registry importer and format: whatever the file holds, the import
answers with problems placed by file, row and column, or imports it whole — it never raises
(which a web page would turn into a 500) and never writes part of a file.

Deterministic (``derandomize``) and bounded, to stay within the CI budget of the fuzzers;
``LINLI_FUZZ_EXAMPLES`` runs more examples on a developer's machine.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from linli.audit.chain import verify
from linli.audit.models import AuditRecord
from linli.registry.columns import SPECS
from linli.registry.imports import registry_import
from tests.registry.importing import ImportTestCase, uscc

# GDAL warns about the broken geometries it is fed; the import reports them.
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning:pyogrio")

FUZZ = settings(
    max_examples=int(os.environ.get("LINLI_FUZZ_EXAMPLES", 25)),
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

COMMUNITY, STREET = "990101001001", "990101001000"
GOOD = {
    "community": {
        "street_code": STREET,
        "code": "990101001009",
        "name": "甲九社区",
        "population": 3000,
        "aged_60_plus": 500,
        "centroid_lon": 113.6,
        "centroid_lat": 34.75,
    },
    "compound": {"community_code": COMMUNITY, "code": "990101001001001", "name": "甲一小区"},
    "operator": {"uscc": uscc(7), "name": "甲运营公司", "operator_type": "enterprise"},
    "facility": {
        "code": "F-1",
        "name": "甲一养老驿站",
        "community_code": COMMUNITY,
        "kind": "scattered",
        "lon": 113.6,
        "lat": 34.75,
        "gross_floor_area_m2": "320.5",
        "scenario": "elderly_care",
        "category": "basic_public",
        "beds": 10,
    },
    "candidate_site": {
        "code": "S-1",
        "name": "甲一闲置仓库",
        "community_code": COMMUNITY,
        "lon": 113.6,
        "lat": 34.75,
        "building_type": "warehouse",
        "floor_area_m2": 800,
        "space_source": "convert",
    },
}

# What the 4 000-file probe found crashing, and its relatives.
_NASTY = [
    "1e26",
    "9" * 40,
    "-1",
    "1e-30",
    "NaN",
    "Infinity",
    "1,000.005",
    "１２３",
    "99999999.995",
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "2024-02-30",
    "a\x00b",
    "\x00",
    "\x0b",
    "是",
    "否",
    "990101002001",  # outside the officer's scope
    STREET,
    " ",
    "x" * 2001,
    "😀" * 70,
]
_CELL = st.one_of(
    st.none(),
    st.sampled_from(_NASTY),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=30),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
)


@st.composite
def tables(draw, kind: str) -> list[list]:
    """A header row (some headers mangled) and 1–3 rows of good values, some replaced."""
    columns = SPECS[kind].columns
    header = [draw(st.sampled_from([c.zh, c.en, c.field])) for c in columns]
    if draw(st.booleans()):
        header[draw(st.integers(0, len(header) - 1))] = draw(st.sampled_from(_NASTY[:12]))
    rows = []
    for n in range(draw(st.integers(1, 3))):
        good = dict(GOOD[kind], code=f"{GOOD[kind].get('code', '')}{n or ''}")
        if kind == "operator":
            good["uscc"] = uscc(7 + n)
        row = [good.get(c.field) for c in columns]
        for index in draw(st.sets(st.integers(0, len(columns) - 1), max_size=4)):
            row[index] = draw(_CELL)
        rows.append(row)
    return [header, *rows]


def _xlsx(path: Path, rows: list[list]) -> None:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(
            [ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row]
        )
    workbook.save(path)


def _csv(path: Path, rows: list[list]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["" if v is None else v for v in row] for row in rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")


class FuzzTestCase(TestCase, ImportTestCase):
    """ImportTestCase's officer and counts; hypothesis's rollback of every example."""

    def check(self, path: Path, kind: str) -> None:
        before = self.counts()
        report = registry_import(actor=self.officer, kind=kind, path=path, source="wgs84")
        for problem in report.problems:
            self.assertEqual(problem.file, path.name)
            self.assertTrue(problem.row is None or problem.row >= 1)
            self.assertTrue(problem.message_zh and problem.message_en)
        if report.problems:
            self.assertEqual(self.counts(), before, report.problems)  # nothing, not a part
        else:
            self.assertGreaterEqual(
                AuditRecord.objects.count() - before["AuditRecord"],
                report.to_create + report.to_update,
            )
        self.assertTrue(verify(AuditRecord).intact)


def _fuzz_kind(kind: str):
    @FUZZ
    @given(rows=tables(kind), xlsx=st.booleans())
    def test(self, rows, xlsx):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / ("data.xlsx" if xlsx else "data.csv")
            (_xlsx if xlsx else _csv)(path, rows)
            self.check(path, kind)

    test.__name__ = f"test_{kind}_tables"
    return test


class TestTablesNeverCrash(FuzzTestCase):
    test_community_tables = _fuzz_kind("community")
    test_compound_tables = _fuzz_kind("compound")
    test_operator_tables = _fuzz_kind("operator")
    test_facility_tables = _fuzz_kind("facility")
    test_candidate_site_tables = _fuzz_kind("candidate_site")


_TRIANGLE = [[113.6, 34.7], [113.7, 34.7], [113.6, 34.8]]
_GEOMETRY = st.one_of(
    st.none(),
    st.builds(
        lambda x, y: {"type": "Point", "coordinates": [x, y]},
        st.floats(-200, 200),
        st.floats(-100, 100),
    ),
    st.just({"type": "Polygon", "coordinates": [[*_TRIANGLE, _TRIANGLE[0]]]}),
    st.just({"type": "LineString", "coordinates": [[113.6, 34.7], [113.7, 34.8]]}),
    st.just({"type": "MultiPoint", "coordinates": [[113.6, 34.7]]}),
    st.just({"type": "GeometryCollection", "geometries": [{"type": "Point", "coordinates": [1]}]}),
    st.just({"type": "Point", "coordinates": []}),
    st.just({"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}),  # not a ring
)


@st.composite
def feature_collections(draw, kind: str) -> bytes:
    features = []
    for _ in range(draw(st.integers(1, 3))):
        properties = {
            field: (v if not isinstance(v, float) or math.isfinite(v) else None)
            for field, v in GOOD[kind].items()
        }
        for field in draw(st.sets(st.sampled_from(list(properties)), max_size=3)):
            properties[field] = draw(_CELL.filter(lambda v: not isinstance(v, float)))
        features.append({"type": "Feature", "geometry": draw(_GEOMETRY), "properties": properties})
    text = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
    encoding = draw(st.sampled_from(["utf-8", "gb18030", "utf-16"]))
    return text.encode(encoding, errors="replace")


class TestVectorFilesNeverCrash(FuzzTestCase):
    @FUZZ
    @given(content=feature_collections("community"), kind=st.just("community"))
    def test_community_geojson(self, content, kind):
        self._run(content, kind)

    @FUZZ
    @given(content=feature_collections("facility"), kind=st.just("facility"))
    def test_facility_geojson(self, content, kind):
        self._run(content, kind)

    @FUZZ
    @given(content=feature_collections("candidate_site"), zipped=st.booleans())
    def test_site_geojson_plain_or_zipped(self, content, zipped):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "sites.zip"
            with zipfile.ZipFile(path, "w") as archive:
                archive.writestr("sites.geojson", content)
                if zipped:
                    archive.writestr("more.geojson", content)  # two layers: refused
            self.check(path, "candidate_site")

    def _run(self, content: bytes, kind: str) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "data.geojson"
            path.write_bytes(content)
            self.check(path, kind)


class TestMalformedWorkbooksNeverCrash(FuzzTestCase):
    """Valid workbooks with their sheet XML damaged the ways the probe found."""

    @FUZZ
    @given(
        damage=st.sampled_from(
            [
                ('<c r="A2"', '<c r="A0"'),
                ('<c r="A2"', '<c r="ZZZZ2"'),
                ('<row r="2"', '<row r="abc"'),
                ('<row r="2"', '<row r="-5"'),
                ('t="n"', 't="d"'),
                ('t="n"', 't="b"'),
                ('t="n"', 't="e"'),
                ('t="n"', 't="s"'),
                ("<v>", "<v>x"),
                ("</sheetData>", ""),
                ("<sheetData>", "<sheetData><row><c><v>1</v></c>"),
                ('<dimension ref="A1:G2"/>', '<dimension ref="A1:XFD1048576"/>'),
                ('<dimension ref="A1:G2"/>', '<dimension ref="junk"/>'),
            ]
        ),
        count=st.integers(1, 3),
    )
    def test_damaged_sheet_xml(self, damage, count):
        with tempfile.TemporaryDirectory() as folder:
            good = Path(folder) / "good.xlsx"
            rows = [[c.zh for c in SPECS["compound"].columns]]
            rows.append([GOOD["compound"].get(c.field, 1) for c in SPECS["compound"].columns])
            _xlsx(good, rows)
            path = Path(folder) / "damaged.xlsx"
            with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, "w") as target:
                for item in source.infolist():
                    data = source.read(item)
                    if item.filename == "xl/worksheets/sheet1.xml":
                        old, new = damage
                        data = data.decode().replace(old, new, count).encode()
                    target.writestr(item, data)
            self.check(path, "compound")
