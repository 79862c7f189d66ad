"""A synthetic city shaped like real OpenStreetMap: short ways, many junctions and dead ends.

Real OSM splits a street into a new way at every junction and every tag change, and residential
blocks are full of short footways and service roads. This city has:

- a jittered street grid (``SIDE`` x ``SIDE`` intersections, 120 m blocks, a node every 30 m),
  each street way running from one junction to the next (every junction a way boundary);
- a short dead-end footway or service stub (one or two nodes, 15 m apart) into the block at
  most mid-block street nodes, which makes those nodes junctions too;
- a footpath across some blocks, joining the middles of two opposite sides;
- a river crossed only by bridges, a diagonal motorway, some ``foot=no``, ``access=private``
  (some with ``foot=yes``) and ``highway=construction`` ways;
- origins and facilities drawn uniformly over it (as in ``access_synthetic.py``).

Node ids are given in writing order (streets, then stubs, then paths), so a stub's nodes are
numbered far from the street it hangs on, as after years of edits. Written once with pyosmium
into ``benchmarks/.cache/short-ways/``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import osmium
from access_synthetic import _to_lonlat, street_tags, write_points

SIDE = 300  # intersections per side
BLOCK_M = 120.0
SEGMENTS = 4  # street nodes every 30 m
RIVER_ROW = SIDE // 2  # the river runs between this row of intersections and the next
BRIDGE_EVERY = 12  # blocks between bridges
STUB_SHARE = 0.75  # mid-block street nodes with a stub into the block
PATH_SHARE = 0.3  # blocks crossed by a footpath
SEED = 20261205
STREET_KINDS = ["residential"] * 6 + ["tertiary", "secondary", "primary", "footway", "service"]


class _Writer:
    """Nodes into a pyosmium writer (ids in writing order); ways held back and written after
    all nodes, sorted as real extracts are (a type change starts a new PBF block)."""

    def __init__(self, writer: osmium.SimpleWriter) -> None:
        self.writer = writer
        self.next_node = 1
        self.ways: list[tuple[list[int], dict[str, str]]] = []
        self.x: list[float] = []
        self.y: list[float] = []

    def node(self, x: float, y: float) -> int:
        node_id = self.next_node
        self.next_node += 1
        lon, lat = _to_lonlat(np.array([x]), np.array([y]))
        self.writer.add_node(
            osmium.osm.mutable.Node(id=node_id, location=(float(lon[0]), float(lat[0])))
        )
        self.x.append(x)
        self.y.append(y)
        return node_id

    def way(self, refs: list[int], tags: dict[str, str]) -> None:
        self.ways.append((refs, tags))

    def flush_ways(self) -> None:
        for way_id, (refs, tags) in enumerate(self.ways, start=1):
            self.writer.add_way(osmium.osm.mutable.Way(id=way_id, nodes=refs, tags=tags))


def write_city(directory: Path) -> tuple[Path, Path, Path]:
    """Write the city (network, origins, facilities) once; reuse it afterwards."""
    network = directory / "city.osm.pbf"
    origins = directory / "origins.csv"
    facilities = directory / "facilities.csv"
    if network.exists() and origins.exists() and facilities.exists():
        return network, origins, facilities
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    side = (SIDE - 1) * SEGMENTS + 1  # street nodes per line
    step = BLOCK_M / SEGMENTS
    half = (side - 1) * step / 2
    tmp = network.with_suffix(".tmp.pbf")
    tmp.unlink(missing_ok=True)
    with osmium.SimpleWriter(str(tmp)) as raw_writer:
        w = _Writer(raw_writer)
        # Street nodes on the lattice points that lie on a street.
        lattice: dict[tuple[int, int], int] = {}
        for row in range(side):
            for col in range(side):
                if row % SEGMENTS == 0 or col % SEGMENTS == 0:
                    jitter = rng.uniform(-3.0, 3.0, 2)
                    lattice[row, col] = w.node(
                        col * step - half + jitter[0], row * step - half + jitter[1]
                    )
        river = RIVER_ROW * SEGMENTS
        for line in range(0, side, SEGMENTS):
            for start in range(0, side - 1, SEGMENTS):
                along = range(start, start + SEGMENTS + 1)
                w.way([lattice[line, c] for c in along], street_tags(rng, STREET_KINDS))
                crosses_river = start == river and (line // SEGMENTS) % BRIDGE_EVERY
                if not crosses_river:
                    w.way([lattice[r, line] for r in along], street_tags(rng, STREET_KINDS))
        # Dead-end stubs into the blocks from mid-block street nodes.
        for (row, col), node_id in lattice.items():
            if (row % SEGMENTS == 0) == (col % SEGMENTS == 0) or rng.random() >= STUB_SHARE:
                continue  # an intersection, or no stub here
            x, y = w.x[node_id - 1], w.y[node_id - 1]
            sign = 1.0 if rng.random() < 0.5 else -1.0
            horizontal_street = row % SEGMENTS == 0
            refs = [node_id]
            for k in range(1 if rng.random() < 0.8 else 2):
                offset = sign * 15.0 * (k + 1)
                refs.append(w.node(x, y + offset) if horizontal_street else w.node(x + offset, y))
            w.way(refs, {"highway": "footway" if rng.random() < 0.6 else "service"})
        # Footpaths across blocks, west side middle to east side middle.
        middle = SEGMENTS // 2
        for row in range(0, side - 1, SEGMENTS):
            for col in range(0, side - 1, SEGMENTS):
                if rng.random() >= PATH_SHARE:
                    continue
                west = lattice[row + middle, col]
                east = lattice[row + middle, col + SEGMENTS]
                y = w.y[west - 1]
                inner = [
                    w.node(w.x[west - 1] + BLOCK_M * k / 4, y + rng.uniform(-2.0, 2.0))
                    for k in (1, 2, 3)
                ]
                w.way([west, *inner, east], {"highway": "footway"})
        # A diagonal motorway through the intersections: a shortcut nobody may walk.
        diagonal = [lattice[k * SEGMENTS, k * SEGMENTS] for k in range(SIDE)]
        for start in range(0, SIDE - 1):
            w.way(diagonal[start : start + 2], {"highway": "motorway"})
        w.flush_ways()
    tmp.rename(network)

    write_points(origins, facilities, rng, (-half, half), (-half, half))
    return network, origins, facilities
