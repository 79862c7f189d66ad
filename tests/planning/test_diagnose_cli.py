"""`linli plan diagnose` in file mode, on the demo city's tables."""

import json

import pandas as pd
import pytest

from linli.cli import main
from linli.demo.city import generate_city
from tests.planning.city_files import write_city_files


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("diagnose")
    write_city_files(generate_city(), folder)
    return folder


def args(folder, out, **override):
    options = {
        "network": "city.osm.pbf",
        "communities": "communities.csv",
        "demand": "demand.csv",
        "facilities": "facilities.csv",
        **override,
    }
    flat = [f"--{k}={folder / v}" for k, v in options.items()]
    return ["plan", "diagnose", *flat, f"--out={folder / out}"]


def test_csv_and_geojson_reports(files, capsys):
    assert main(args(files, "report.csv")) == 0
    table = pd.read_csv(files / "report.csv", encoding="utf-8-sig", dtype={"code": str})
    assert len(table) == 40 and table["priority_rank"].tolist() == list(range(1, 41))
    assert "communities=40" in capsys.readouterr().out
    assert main(args(files, "report.geojson")) == 0
    features = json.loads((files / "report.geojson").read_text())["features"]
    assert len(features) == 40 and features[0]["geometry"]["type"] == "Point"


def test_missing_column_is_named(files, capsys):
    pd.read_csv(files / "demand.csv").drop(columns=["population"]).to_csv(
        files / "bad-demand.csv", index=False
    )
    assert main(args(files, "x.csv", demand="bad-demand.csv")) == 2
    assert "missing column(s) population" in capsys.readouterr().err


def test_unknown_scenario_and_bad_number(files, capsys):
    table = pd.read_csv(files / "facilities.csv")
    table.loc[3, "scenario"] = "karaoke"
    table.to_csv(files / "bad-scenario.csv", index=False)
    assert main(args(files, "x.csv", facilities="bad-scenario.csv")) == 2
    assert "unknown scenario(s) karaoke" in capsys.readouterr().err
    table = pd.read_csv(files / "communities.csv").astype({"households": object})
    table.loc[4, "households"] = "many"
    table.to_csv(files / "bad-number.csv", index=False)
    assert main(args(files, "x.csv", communities="bad-number.csv")) == 2
    assert "row 6, column households: not a number" in capsys.readouterr().err


def test_unsupported_output_is_refused(files, capsys):
    assert main(args(files, "report.pdf")) == 2
    assert "--out" in capsys.readouterr().err
