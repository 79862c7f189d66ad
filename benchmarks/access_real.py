"""Accessibility benchmark (a): the real Porto Alegre extract (``tests/fixtures/porto-alegre``).

Origins are the 1 227 H3 hexagon centroids weighted by population; facilities are the
hexagons with schools (``child_afterschool``) and with healthcare (``health``). Run
``python benchmarks/access_real.py [--skip-pandana]``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from access_common import ROOT, run_all  # noqa: E402

DATA = ROOT / "tests" / "fixtures" / "porto-alegre"
CACHE = Path(__file__).resolve().parent / ".cache" / "porto-alegre"


def write_points(directory: Path) -> tuple[Path, Path]:
    """Origins and facilities CSVs (DESIGN §6 columns) from the hexagon grid."""
    directory.mkdir(parents=True, exist_ok=True)
    hexagons = pd.read_csv(DATA / "poa_hexgrid.csv")
    origins = directory / "origins.csv"
    hexagons[["id", "lon", "lat"]].assign(weight=hexagons["population"]).to_csv(
        origins, index=False
    )
    facilities = directory / "facilities.csv"
    schools = hexagons[hexagons["schools"] > 0].assign(scenario="child_afterschool")
    health = hexagons[hexagons["healthcare"] > 0].assign(scenario="health")
    pd.concat([schools, health])[["id", "lon", "lat", "scenario"]].to_csv(facilities, index=False)
    return origins, facilities


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-pandana", action="store_true", help="skip the pandana run")
    args = parser.parse_args()
    origins, facilities = write_points(CACHE)
    run_all(
        "Porto Alegre (real OpenStreetMap extract)",
        DATA / "poa_osm.pbf",
        origins,
        facilities,
        CACHE,
        pandana=not args.skip_pandana,
    )


if __name__ == "__main__":
    main()
