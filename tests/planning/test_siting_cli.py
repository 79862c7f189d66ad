"""``linli plan sites``: the DESIGN §6 contract and its input errors (exit 2)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pytest

from linli.cli import main

SUMMARY = re.compile(r"^covered_weight=(\S+) selected=(\d+) optimal=(true|false)$")

# Four demand points, three candidates; within 150 m A reaches d1 and d2, B d2 and d3, C d3
# and d4. One site: B (55). Budget 5: A + C (cost 5, all 70) beats B (cost 5, 55).
DEMAND = (
    "id,lon,lat,weight\n"
    "d1,116.40,39.90,10\nd2,116.41,39.90,30\nd3,116.42,39.90,25\nd4,116.43,39.90,5\n"
)
CANDIDATES = (
    "id,lon,lat,cost,area_m2\nA,116.40,39.90,4,300\nB,116.415,39.90,5,500\nC,116.43,39.90,1,200\n"
)
MATRIX = "0,160,300\n100,50,200\n200,50,100\n300,160,0\n"


def _write(tmp_path: Path, demand=DEMAND, candidates=CANDIDATES, matrix=MATRIX):
    paths = {}
    for name, text in (("D.csv", demand), ("C.csv", candidates), ("M.csv", matrix)):
        paths[name] = tmp_path / name
        paths[name].write_text(text, encoding="utf-8")
    return paths


def _run(tmp_path, paths, *extra):
    argv = [
        "plan",
        "sites",
        "--demand",
        str(paths["D.csv"]),
        "--candidates",
        str(paths["C.csv"]),
        "--cost-matrix",
        str(paths["M.csv"]),
        "--radius",
        "150",
        "--out",
        str(tmp_path / "S.csv"),
        *extra,
    ]
    return main(argv)


def _rows(tmp_path):
    with open(tmp_path / "S.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_count_selects_the_best_sites_and_prints_the_summary(tmp_path, capsys):
    assert _run(tmp_path, _write(tmp_path), "--count", "1") == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    match = SUMMARY.match(last)
    assert match, last
    assert float(match[1]) == 55.0 and match[2] == "1" and match[3] == "true"
    rows = _rows(tmp_path)
    assert list(rows[0]) == ["candidate_id", "selected", "covered_weight"]
    assert [(r["candidate_id"], r["selected"]) for r in rows] == [
        ("A", "false"),
        ("B", "true"),
        ("C", "false"),
    ]
    assert float(rows[1]["covered_weight"]) == 55.0


def test_budget_limits_the_choice_and_rows_add_up(tmp_path, capsys):
    assert _run(tmp_path, _write(tmp_path), "--count", "3", "--budget", "5") == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert SUMMARY.match(last)[1] == "70.0"
    rows = _rows(tmp_path)
    assert [r["selected"] for r in rows] == ["true", "false", "true"]
    # Each covered point is counted once, at its nearest selected site.
    assert [float(r["covered_weight"]) for r in rows] == [40.0, 0.0, 30.0]


def test_existing_candidates_are_open_and_free(tmp_path, capsys):
    candidates = "id,lon,lat,cost,existing\nA,0,0,4,true\nB,0,0,5,false\nC,0,0,1,false\n"
    paths = _write(tmp_path, candidates=candidates)
    assert _run(tmp_path, paths, "--count", "1") == 0
    match = SUMMARY.match(capsys.readouterr().out.strip().splitlines()[-1])
    assert match[1] == "70.0" and match[2] == "2"
    assert {r["candidate_id"] for r in _rows(tmp_path) if r["selected"] == "true"} >= {"A"}


def test_matrix_with_header_and_row_labels_is_read(tmp_path, capsys):
    matrix = "demand,A,B,C\n" + "".join(
        f"d{i + 1},{line}\n" for i, line in enumerate(MATRIX.strip().splitlines())
    )
    assert _run(tmp_path, _write(tmp_path, matrix=matrix), "--count", "1") == 0
    assert SUMMARY.match(capsys.readouterr().out.strip().splitlines()[-1])[1] == "55.0"


def test_inf_means_unreachable(tmp_path, capsys):
    matrix = "0,inf,300\n100,inf,200\n200,inf,100\n300,inf,0\n"
    assert _run(tmp_path, _write(tmp_path, matrix=matrix), "--count", "1") == 0
    assert SUMMARY.match(capsys.readouterr().out.strip().splitlines()[-1])[1] == "40.0"


@pytest.mark.parametrize(
    ("change", "extra", "message"),
    [
        ({"matrix": "0,150,300\n100,50,200\n200,50,100\n"}, (), r"3 rows.*4 points"),
        ({"matrix": "0,150\n100,50\n200,50\n300,150\n"}, (), r"line 1: 2 columns.*3 candidates"),
        ({"matrix": "0,160,300\n100,-50,200\n200,50,100\n300,160,0\n"}, (), r"line 2.*negative"),
        ({"matrix": "0,1,3\n1,x,2\n2,5,1\n3,1,0\n"}, (), r"line 2, column 2 \(B\)"),
        ({"matrix": "0,150,300\n100,,200\n200,50,100\n300,150,0\n"}, (), r"line 2, column 2"),
        ({"candidates": CANDIDATES.replace(",1,200", ",-1,200")}, (), r"line 4, column cost"),
        ({}, ("--budget", "0.5"), r"budget 0.5 buys nothing.*costs 1"),
        ({"candidates": "id,lon,lat\nA,0,0\nB,0,0\nC,0,0\n"}, ("--budget", "3"), r"'cost' column"),
        ({"demand": DEMAND.replace(",weight", ",w")}, (), r"D.csv: missing column\(s\) weight"),
        ({"demand": DEMAND.replace(",30\n", ",thirty\n")}, (), r"D.csv, line 3, column weight"),
        ({"demand": DEMAND.replace("d2,", "d1,")}, (), r"duplicate id 'd1'"),
    ],
)
def test_bad_input_exits_2_and_names_it(tmp_path, capsys, change, extra, message):
    paths = _write(tmp_path, **change)
    count = () if "--budget" in extra else ("--count", "1")
    assert _run(tmp_path, paths, *count, *extra) == 2
    assert re.search(message, capsys.readouterr().err)
    assert not (tmp_path / "S.csv").exists()


def test_missing_file_and_bad_options_exit_2(tmp_path, capsys):
    paths = _write(tmp_path)
    paths["M.csv"].unlink()
    assert _run(tmp_path, paths, "--count", "1") == 2
    assert "M.csv: cannot read" in capsys.readouterr().err
    paths = _write(tmp_path)
    assert _run(tmp_path, paths) == 2
    assert "--count, --budget" in capsys.readouterr().err
    assert _run(tmp_path, paths, "--count", "0") == 2


WALK = Path(__file__).parents[1] / "fixtures" / "walk"


@pytest.mark.parametrize(("radius", "covered"), [("300", "20.0"), ("400", "30.0")])
def test_network_distances_follow_the_streets(tmp_path, capsys, radius, covered):
    # shortcut.osm: d1 and d2 are 5 street steps (~556 m) apart (the direct motorway is not
    # walkable); site B, on North Street, is 3 steps from d1 and 2 from d2.
    paths = _write(
        tmp_path,
        demand="id,lon,lat,weight\nd1,0,0,10\nd2,0.003,0,20\n",
        candidates="id,lon,lat\nA,0,0\nB,0.002,0.001\n",
    )
    argv = ["plan", "sites", "--demand", str(paths["D.csv"])]
    argv += ["--candidates", str(paths["C.csv"]), "--network", str(WALK / "shortcut.osm")]
    argv += ["--radius", radius, "--count", "1", "--no-cache", "--out", str(tmp_path / "S.csv")]
    assert main(argv) == 0
    match = SUMMARY.match(capsys.readouterr().out.strip().splitlines()[-1])
    assert match[1] == covered and match[3] == "true"
    assert [r["selected"] for r in _rows(tmp_path)] == ["false", "true"]


def test_unreadable_network_exits_2(tmp_path, capsys):
    paths = _write(tmp_path)
    argv = ["plan", "sites", "--demand", str(paths["D.csv"])]
    argv += ["--candidates", str(paths["C.csv"]), "--network", str(tmp_path / "none.osm.pbf")]
    argv += ["--radius", "150", "--count", "1", "--no-cache", "--out", str(tmp_path / "S.csv")]
    assert main(argv) == 2
    assert "none.osm.pbf" in capsys.readouterr().err


def test_a_few_hundred_points_in_a_district(tmp_path, capsys):
    rng = np.random.default_rng(0)
    n, m = 400, 60
    demand_xy, site_xy = rng.uniform(0, 3000, (n, 2)), rng.uniform(0, 3000, (m, 2))
    distances = np.linalg.norm(demand_xy[:, None, :] - site_xy[None, :, :], axis=2)
    demand = "id,lon,lat,weight\n" + "".join(f"d{i},0,0,{rng.integers(1, 9)}\n" for i in range(n))
    candidates = "id,lon,lat,cost\n" + "".join(f"c{j},0,0,{rng.integers(1, 5)}\n" for j in range(m))
    matrix = "\n".join(",".join(f"{v:.1f}" for v in row) for row in distances)
    paths = _write(tmp_path, demand=demand, candidates=candidates, matrix=matrix + "\n")
    assert _run(tmp_path, paths, "--count", "5", "--budget", "12") == 0
    match = SUMMARY.match(capsys.readouterr().out.strip().splitlines()[-1])
    assert match[3] == "true"
    assert len(_rows(tmp_path)) == m
