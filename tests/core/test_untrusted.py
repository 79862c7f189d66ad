"""Files that cannot hurt the server: caps checked before rows are read, every refusal placed
by row and column, never an exception that would become a 500."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase
from django.urls import reverse

from linli.accounts.imports import read_rows
from linli.core.untrusted import Limits, Refused, check_xlsx, iter_csv_rows
from linli.registry.columns import SPECS
from linli.registry.imports.readers import read_table
from linli.registry.imports.report import Problems
from tests.core.bombs import doctype_xlsx, lying_xlsx_bomb, wide_row_xlsx, xlsx_bomb
from tests.registry.importing import ImportTestCase, write_xlsx

MB = 1024 * 1024
SMALL = Limits(unzipped_bytes=MB, rows=10, columns=5, cell_chars=20)

# Run in a fresh interpreter, whose peak resident size is reset just before each call
# (/proc/self/clear_refs): the growth of that peak over the size before is what the file cost.
_MEASURE = """
import json, os, sys, time, tracemalloc
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
import django
django.setup()
from pathlib import Path
from linli.accounts.imports import read_rows
from linli.registry.columns import SPECS
from linli.registry.imports.readers import read_table
from linli.registry.imports.report import Problems

def status(field):
    with open("/proc/self/status") as lines:
        line = next(line for line in lines if line.startswith(field))
    return int(line.split()[1]) * 1024

path = Path(sys.argv[1])
content = path.read_bytes()
results = {}
for name in ("registry", "accounts"):
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # the kernel forgets the peak so far: VmHWM is this call's peak
    before = status("VmRSS")
    tracemalloc.start()
    cpu, wall = time.process_time(), time.perf_counter()
    if name == "registry":
        problems = Problems(path.name)
        table = read_table(path, SPECS["community"], "wgs84", problems)
        message = [p.message_en for p in problems.items]
    else:
        try:
            read_rows(content)
            message = ["accepted"]
        except Exception as error:
            message = [type(error).__name__ + ": " + str(error)]
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    traced = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    peak = status("VmHWM")
    results[name] = dict(cpu=cpu, wall=wall, traced=traced, rss_growth=max(0, peak - before),
                         peak_rss=peak, message=message)
print(json.dumps(results))
"""


def _measure(content: bytes) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bomb.xlsx"
        path.write_bytes(content)
        done = subprocess.run(
            [sys.executable, "-c", _MEASURE, str(path)],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=Path(__file__).resolve().parents[2],
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
            check=True,
        )
    return json.loads(done.stdout.strip().splitlines()[-1])


class TestZipBombs(SimpleTestCase):
    def test_a_140_kb_bomb_is_refused_in_under_a_second_and_200_mb(self):
        bomb = xlsx_bomb()
        self.assertLess(len(bomb), 150 * 1024)
        for name, figures in _measure(bomb).items():
            with self.subTest(name):
                # CPU time, not wall time: on a shared CI machine the wall clock also
                # counts other processes' turns.
                self.assertLess(figures["cpu"], 1.0, figures)
                self.assertLess(figures["traced"], 200 * MB, figures)
                self.assertLess(figures["rss_growth"], 200 * MB, figures)
                self.assertIn("zip bomb", " ".join(figures["message"]))

    def test_the_same_bomb_declaring_a_small_size_is_cut_off_at_that_size(self):
        figures = _measure(lying_xlsx_bomb())
        for name in ("registry", "accounts"):
            self.assertLess(figures[name]["cpu"], 1.0, figures)
            self.assertLess(figures[name]["rss_growth"], 200 * MB, figures)
            self.assertIn("damaged", " ".join(figures[name]["message"]), figures)

    def test_a_row_wider_than_the_cap_without_dimension_is_refused_at_its_101st_cell(self):
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as file:
            file.write(wide_row_xlsx(columns=20_000))  # under 1 MB: no ratio check
            file.flush()
            with self.assertRaises(Refused) as refused:
                check_xlsx(Path(file.name), Limits.from_settings())
        self.assertEqual((refused.exception.row, refused.exception.column), (1, "CW"))

    def test_a_doctype_is_refused(self):
        with self.assertRaisesMessage(ValidationError, "DOCTYPE"):
            read_rows(doctype_xlsx())


class TestCaps(ImportTestCase):
    def table(self, path: Path, limits: Limits = SMALL) -> tuple[object, list]:
        problems = Problems(path.name)
        table = read_table(path, SPECS["community"], "wgs84", problems, limits)
        return table, [(p.row, p.column, p.message_en) for p in problems.items]

    def test_declared_dimension_over_the_cap_is_refused_before_any_row(self):
        path = self.xlsx([["a"] * 3 for _ in range(12)])  # openpyxl declares A1:C12
        _table, problems = self.table(path)
        self.assertEqual(len(problems), 1)
        self.assertIn("declares 12 rows, over the cap of 10", problems[0][2])

    def test_rows_columns_and_cells_over_the_caps_name_their_place(self):
        limits = Limits(MB, rows=1000, columns=5, cell_chars=20)
        wide, long = [["a"], ["b"] * 6], [["a"], ["b", "x" * 21]]
        for rows, place in ((wide, (2, "F")), (long, (2, "B"))):
            with self.subTest(place=place):
                _table, problems = self.table(self.csv(rows), limits)
                self.assertEqual([p[:2] for p in problems], [place], problems)
        _table, problems = self.table(self.xlsx(long), limits)
        self.assertEqual([p[:2] for p in problems], [(2, "B")], problems)
        _table, problems = self.table(self.xlsx(wide), limits)  # its <dimension> says A1:F2
        self.assertIn("'Sheet' declares 6 columns", problems[0][2])

    def test_a_csv_cell_beyond_the_csv_modules_own_limit(self):
        path = self.folder / "long.csv"
        path.write_text('a,b\n1,"' + "x" * 140_000 + '"\n')
        _table, problems = self.table(path, Limits.from_settings())
        self.assertEqual(problems[0][:2], (2, "B"))
        self.assertIn("longer than 32767", problems[0][2])
        path.write_text('a,b\n1,"' + "x" * 140_000 + "\n")  # an unclosed quote runs on
        _table, problems = self.table(path, Limits.from_settings())
        self.assertEqual(problems[0][0], 2)

    def test_nul_and_control_characters_are_refused_with_their_place(self):
        path = self.folder / "nul.csv"
        path.write_text("社区代码,社区名称\n990101001002,甲\x00二\n")
        _table, problems = self.table(path, Limits.from_settings())
        self.assertEqual(problems[0][:2], (2, "B"))
        self.assertIn("NUL", problems[0][2])

    def test_csv_rows_stream_and_stop_at_the_cap(self):
        path = self.folder / "many.csv"
        path.write_text("a\n" * 100_000)
        rows = iter_csv_rows(path, SMALL)
        for _ in range(10):
            next(rows)
        with self.assertRaises(Refused) as refused:
            next(rows)
        self.assertEqual(refused.exception.row, 11)

    def test_geojson_that_is_not_utf8_is_refused(self):
        path = self.folder / "gbk.geojson"
        feature = {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [113.6, 34.7]},
            "properties": {"社区名称": "甲二社区"},
        }
        collection = {"type": "FeatureCollection", "features": [feature]}
        path.write_bytes(json.dumps(collection, ensure_ascii=False).encode("gbk"))
        table, problems = self.table(path, Limits.from_settings())
        self.assertIsNone(table)
        self.assertEqual(len(problems), 1)

    def test_an_xlsx_within_the_caps_reads_as_before(self):
        path = write_xlsx(self.folder / "ok.xlsx", [["社区代码"], ["990101001002"]])
        table, problems = self.table(path)
        self.assertEqual(problems, [])
        self.assertEqual(table.rows, [(2, ["990101001002"])])


class TestBombThroughTheWebPage(ImportTestCase):
    """A street officer uploads the bomb: a page naming the problem, nothing written."""

    def test_upload_is_refused_quickly_with_a_message(self):
        self.client.force_login(self.officer)
        before = self.counts()
        tracemalloc.start()
        cpu = time.process_time()
        response = self.client.post(
            reverse("registry_import:start"),
            {
                "kind": "community",
                "source": "wgs84",
                "file": SimpleUploadedFile("炸弹.xlsx", xlsx_bomb()),
            },
        )
        cpu = time.process_time() - cpu
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "炸弹.xlsx")
        self.assertContains(response, "压缩炸弹")
        self.assertLess(cpu, 1.0)
        self.assertLess(peak, 200 * MB)
        self.assert_nothing_changed(before)

    def test_accounts_import_page_names_the_problem(self):
        from linli.accounts.roles import Role
        from linli.core.testing import make_user

        sysadmin = make_user(self.tree, Role.SYSTEM_ADMIN, self.tree.city, "sysadmin2")
        self.client.force_login(sysadmin)
        response = self.client.post(
            reverse("accounts:user_import"),
            {"file": SimpleUploadedFile("a.xlsx", io.BytesIO(xlsx_bomb()).getvalue())},
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "zip bomb")
