"""Accessibility benchmark (b): a synthetic city of about 1 M walking-graph nodes.

The city is a jittered street grid (380 x 380 intersections, 120 m blocks, a node every 30 m)
with a river crossed only by bridges, a diagonal motorway and some ``foot=no``,
``access=private`` and ``construction`` ways, written as ``.osm.pbf`` with pyosmium's writer
into ``benchmarks/.cache/``; 200 000 origins and 10 000 facilities over the 9 scenarios are
drawn uniformly over it. Run ``python benchmarks/access_synthetic.py [--skip-pandana]``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import osmium
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from access_common import SCENARIOS, run_all  # noqa: E402

CACHE = Path(__file__).resolve().parent / ".cache" / "synthetic"
CENTRE_LON, CENTRE_LAT = 104.06, 30.66  # Chengdu
SIDE = 380  # intersections per side
BLOCK_M = 120.0
SEGMENTS = 4  # way segments per block: a node every 30 m
BLOCKS_PER_WAY = 5
RIVER_ROW = SIDE // 2  # the river runs between this row and the next
BRIDGE_EVERY = 12  # blocks between bridges
N_ORIGINS = 200_000
N_FACILITIES = 10_000
SEED = 20261122


def _to_lonlat(x_m: np.ndarray, y_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lat = CENTRE_LAT + y_m / 111_320.0
    lon = CENTRE_LON + x_m / (111_320.0 * np.cos(np.radians(CENTRE_LAT)))
    return lon, lat


def write_city(directory: Path) -> tuple[Path, Path, Path]:
    """Write the synthetic city (network, origins, facilities) once; reuse it afterwards."""
    network = directory / "city.osm.pbf"
    origins = directory / "origins.csv"
    facilities = directory / "facilities.csv"
    if network.exists() and origins.exists() and facilities.exists():
        return network, origins, facilities
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    side_nodes = (SIDE - 1) * SEGMENTS + 1
    # Node ids on a fine lattice: row/column index on the 30 m lattice; only lattice points
    # on a street (a multiple of SEGMENTS in either direction) exist.
    fine = np.arange(side_nodes)
    step = BLOCK_M / SEGMENTS
    jitter = rng.uniform(-3.0, 3.0, size=(side_nodes, side_nodes, 2))

    def node_id(row: int, col: int) -> int:
        return row * side_nodes + col + 1

    rows, cols = np.meshgrid(fine, fine, indexing="ij")
    on_street = (rows % SEGMENTS == 0) | (cols % SEGMENTS == 0)
    ids = (rows * side_nodes + cols + 1)[on_street]
    x = cols[on_street] * step + jitter[..., 0][on_street]
    y = rows[on_street] * step + jitter[..., 1][on_street]
    lon, lat = _to_lonlat(x - x.mean(), y - y.mean())

    kinds = ["residential"] * 6 + ["tertiary", "secondary", "primary", "footway", "service"]
    way_id = 1
    tmp = network.with_suffix(".tmp.pbf")
    tmp.unlink(missing_ok=True)
    with osmium.SimpleWriter(str(tmp)) as writer:
        for i in range(ids.size):
            writer.add_node(
                osmium.osm.mutable.Node(id=int(ids[i]), location=(float(lon[i]), float(lat[i])))
            )
        span = BLOCKS_PER_WAY * SEGMENTS
        for direction in ("row", "col"):
            for line in range(0, side_nodes, SEGMENTS):
                for start in range(0, side_nodes - 1, span):
                    stop = min(start + span, side_nodes - 1)
                    along = range(start, stop + 1)
                    if direction == "row":
                        refs = [node_id(line, c) for c in along]
                    else:
                        # The river cuts every north-south street except at the bridges.
                        river = RIVER_ROW * SEGMENTS
                        block = line // SEGMENTS
                        if start < river + SEGMENTS and stop > river and block % BRIDGE_EVERY:
                            pieces = [range(start, river + 1), range(river + SEGMENTS, stop + 1)]
                            pieces = [p for p in pieces if len(p) > 1]
                        else:
                            pieces = [along]
                        for piece in pieces:
                            refs = [node_id(r, line) for r in piece]
                            writer.add_way(_way(way_id, refs, rng, kinds))
                            way_id += 1
                        continue
                    writer.add_way(_way(way_id, refs, rng, kinds))
                    way_id += 1
        # A diagonal motorway through the intersections: a shortcut nobody may walk.
        diagonal = [node_id(k * SEGMENTS, k * SEGMENTS) for k in range(SIDE)]
        for start in range(0, SIDE - 1, 10):
            writer.add_way(
                osmium.osm.mutable.Way(
                    id=way_id, nodes=diagonal[start : start + 11], tags={"highway": "motorway"}
                )
            )
            way_id += 1
    tmp.rename(network)

    xmin, xmax = x.min() - x.mean(), x.max() - x.mean()
    ymin, ymax = y.min() - y.mean(), y.max() - y.mean()
    write_points(origins, facilities, rng, (xmin, xmax), (ymin, ymax))
    return network, origins, facilities


def write_points(
    origins: Path, facilities: Path, rng: np.random.Generator, x_m: tuple, y_m: tuple
) -> None:
    """Origins (``id,lon,lat,weight``) and facilities (``id,lon,lat,scenario``, the 9
    scenarios) drawn uniformly over a box of local metres around the centre."""
    for path, count, extra in (
        (origins, N_ORIGINS, "weight"),
        (facilities, N_FACILITIES, "scenario"),
    ):
        px = rng.uniform(*x_m, count)
        py = rng.uniform(*y_m, count)
        plon, plat = _to_lonlat(px, py)
        frame = pd.DataFrame(
            {"id": np.arange(1, count + 1), "lon": plon.round(7), "lat": plat.round(7)}
        )
        if extra == "weight":
            frame["weight"] = rng.integers(1, 50, count)
        else:
            frame["id"] = [f"F{i}" for i in frame["id"]]
            frame["scenario"] = rng.choice(SCENARIOS, count)
        frame.to_csv(path, index=False)


def street_tags(rng: np.random.Generator, kinds: list[str]) -> dict[str, str]:
    """A street's tags: its kind, and now and then closed to pedestrians or being built."""
    tags = {"highway": kinds[rng.integers(len(kinds))]}
    draw = rng.random()
    if draw < 0.01:
        tags["foot"] = "no"
    elif draw < 0.03:
        tags["access"] = "private"
        if draw < 0.02:
            tags["foot"] = "yes"
    elif draw < 0.04:
        tags["highway"] = "construction"
    return tags


def _way(way_id: int, refs: list[int], rng: np.random.Generator, kinds: list[str]) -> object:
    return osmium.osm.mutable.Way(id=way_id, nodes=refs, tags=street_tags(rng, kinds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-pandana", action="store_true", help="skip the slow pandana run")
    args = parser.parse_args()
    network, origins, facilities = write_city(CACHE)
    run_all("synthetic city", network, origins, facilities, CACHE, pandana=not args.skip_pandana)


if __name__ == "__main__":
    main()
