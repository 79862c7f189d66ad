"""``linli check`` on every docs example gives the result documented in docs/policy-packs.md."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from linli.cli import main

DOCS = Path(__file__).resolve().parents[2] / "docs"
MARKER = "<!-- documented-check-results -->"


def documented_rows() -> list[dict[str, str]]:
    """The rows of the table that follows the marker in docs/policy-packs.md."""
    after_marker = (DOCS / "policy-packs.md").read_text("utf-8").split(MARKER, 1)[1]
    table = after_marker.strip().split("\n\n", 1)[0].splitlines()
    header, _, *rows = ([cell.strip() for cell in line.strip("|").split("|")] for line in table)
    return [dict(zip(header, row, strict=True)) for row in rows]


ROWS = documented_rows()


def test_every_example_file_is_documented():
    documented = {row["example"] for row in ROWS}

    assert documented == {path.name for path in (DOCS / "examples").glob("*.json")}


@pytest.mark.parametrize("row", ROWS, ids=lambda row: f"{row['example']}-{row['--policy']}")
def test_example_gives_its_documented_result(row, capsys):
    code = main(["check", str(DOCS / "examples" / row["example"]), "--policy", row["--policy"]])

    captured = capsys.readouterr()
    assert code == int(row["exit"])
    if code != 0:
        assert row["example"] in captured.err
        return
    answer = json.loads(captured.out)
    failed = sorted(f["rule"] for f in answer["findings"] if not f["passed"])
    assert answer["eligible"] is (row["eligible"] == "true")
    assert answer["subsidy"]["total_cny"] == row["total_cny"]
    assert failed == ([] if row["failed rules"] == "—" else row["failed rules"].split(", "))
