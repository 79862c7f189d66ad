"""The demo city's walking network as OpenStreetMap data, and writing it as ``.osm.pbf``.

The network is drawn in local metres from the district plan and converted to WGS 84 once.
It carries the features that make straight-line distance lie, so the planning engine's real OSM
import path has something to get right:

- gated compounds whose internal ``service``/``footway`` paths reach the street only at gates;
- a river crossed by two road bridges and one footbridge in about 4 km;
- a motorway with links to the arterials, which also bridges the river but must not be walked;
- a factory road with ``access=private``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import osmium

from linli.demo import names
from linli.demo.layout import (
    BRIDGE_X_LINES,
    FOOTBRIDGE_X_LINE,
    N_ROWS_SOUTH,
    PRIMARY_X_LINES,
    Block,
    Plan,
    Rect,
    split_block,
)

if TYPE_CHECKING:
    from linli.demo.city import DemoCity

Tags = tuple[tuple[str, str], ...]

COMPOUND_RING_INSET_M = 20.0  # internal service road, inside the compound fence
MOTORWAY_OFFSET_M = 200.0  # east of the district's eastern arterial
OUTER_EXTENT_M = 300.0  # river and motorway run this far past the district
# y-line indices (south lines 0–3, north lines 4–8) that are primary; the others are secondary.
PRIMARY_Y_LINES = (0, 2, 6, 8)
MOTORWAY_LINK_Y_LINES = (1, 7)


@dataclass(frozen=True, slots=True)
class OsmNode:
    id: int
    lon: float
    lat: float
    tags: Tags = ()


@dataclass(frozen=True, slots=True)
class OsmWay:
    id: int
    node_ids: tuple[int, ...]
    tags: Tags


@dataclass(frozen=True, slots=True)
class StreetNetwork:
    """Nodes (ids ascending) and ways of the demo city, in WGS 84."""

    nodes: tuple[OsmNode, ...]
    ways: tuple[OsmWay, ...]


Point = tuple[float, float]


@dataclass(slots=True)
class _AxisLine:
    """A straight street along an axis: ``axis == "x"`` runs north–south at ``x = fixed``."""

    axis: str
    fixed: float
    lo: float
    hi: float
    tags: dict[str, str]
    stops: set[float] = field(default_factory=set)

    def contains(self, axis: str, fixed: float, s: float) -> bool:
        return axis == self.axis and abs(fixed - self.fixed) < 1e-6 and self.lo <= s <= self.hi

    def points(self) -> list[Point]:
        stops = sorted(self.stops | {self.lo, self.hi})
        return [(self.fixed, s) if self.axis == "x" else (s, self.fixed) for s in stops]


class _Builder:
    def __init__(self) -> None:
        self.lines: list[_AxisLine] = []
        self.ways: list[tuple[list[Point], dict[str, str]]] = []
        self.node_tags: dict[Point, dict[str, str]] = {}  # keyed by _key(point)

    def line(self, axis: str, fixed: float, lo: float, hi: float, **tags: str) -> None:
        self.lines.append(_AxisLine(axis, fixed, lo, hi, tags))

    def on_line(self, point: Point, axis: str) -> Point:
        """Add ``point`` as a node of the ``axis`` street it lies on, and return it."""
        fixed, s = point if axis == "x" else (point[1], point[0])
        for line in self.lines:
            if line.contains(axis, fixed, s):
                line.stops.add(s)
                return point
        raise ValueError(f"no {axis}-street through {point}")

    def way(self, points: list[Point], **tags: str) -> None:
        self.ways.append((points, tags))

    def connect_crossings(self) -> None:
        """Put a shared node wherever a north–south street meets an east–west one."""
        xs = [line for line in self.lines if line.axis == "x"]
        ys = [line for line in self.lines if line.axis == "y"]
        for x_line in xs:
            for y_line in ys:
                if (
                    x_line.lo <= y_line.fixed <= x_line.hi
                    and y_line.lo <= x_line.fixed <= y_line.hi
                ):
                    x_line.stops.add(y_line.fixed)
                    y_line.stops.add(x_line.fixed)

    def build(
        self, to_lonlat: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
    ) -> StreetNetwork:
        all_ways = [(line.points(), line.tags) for line in self.lines] + self.ways
        ids: dict[Point, int] = {}
        for points, _way_tags in all_ways:
            for point in points:
                ids.setdefault(_key(point), len(ids) + 1)
        xy = np.array(list(ids), dtype=float)
        lon, lat = to_lonlat(xy[:, 0], xy[:, 1])
        nodes = tuple(
            OsmNode(node_id, float(x), float(y), _tags(self.node_tags.get(point, {})))
            for (point, node_id), x, y in zip(ids.items(), lon, lat, strict=True)
        )
        ways = tuple(
            OsmWay(way_id, tuple(ids[_key(p)] for p in points), _tags(tags))
            for way_id, (points, tags) in enumerate(all_ways, start=1)
        )
        return StreetNetwork(nodes, ways)


def _key(point: Point) -> Point:
    """Node identity: the same place reached by different arithmetic is the same node."""
    return (round(point[0], 2), round(point[1], 2))


def _tags(tags: dict[str, str]) -> Tags:
    return tuple(sorted(tags.items()))


def _arterial(index: int, primary: tuple[int, ...]) -> dict[str, str]:
    highway = "primary" if index in primary else "secondary"
    return {"highway": highway, "sidewalk": "both", "lanes": "6" if highway == "primary" else "4"}


def _add_arterials(builder: _Builder, plan: Plan) -> None:
    xs, ys = plan.x_lines, plan.y_lines
    south_top, north_bottom, top = ys[N_ROWS_SOUTH], ys[N_ROWS_SOUTH + 1], ys[-1]
    for i, x in enumerate(xs):
        tags = _arterial(i, PRIMARY_X_LINES) | {"name": names.NS_ROAD_NAMES[i]}
        builder.line("x", x, 0.0, south_top, **tags)
        builder.line("x", x, north_bottom, top, **tags)
        if i in BRIDGE_X_LINES:
            builder.line("x", x, south_top, north_bottom, **tags, bridge="yes", layer="1")
    bank_names = {N_ROWS_SOUTH: "滨河南路", N_ROWS_SOUTH + 1: "滨河北路"}
    street_names = iter(names.EW_ROAD_NAMES)
    for j, y in enumerate(ys):
        name = bank_names.get(j) or next(street_names)
        builder.line("y", y, 0.0, xs[-1], **_arterial(j, PRIMARY_Y_LINES), name=name)


def _add_barriers(builder: _Builder, plan: Plan) -> None:
    """River, footbridge, motorway and motorway links."""
    xs, ys = plan.x_lines, plan.y_lines
    east, top = xs[-1], ys[-1]
    south_bank, north_bank = ys[N_ROWS_SOUTH], ys[N_ROWS_SOUTH + 1]
    river = [(x, plan.river_y) for x in np.linspace(-OUTER_EXTENT_M, east + OUTER_EXTENT_M, 6)]
    builder.way(river, waterway="river", name=names.RIVER_NAME)
    x_foot = xs[FOOTBRIDGE_X_LINE]
    builder.way(
        [(x_foot, south_bank), (x_foot, north_bank)], highway="footway", bridge="yes", layer="1"
    )

    x_motorway = east + MOTORWAY_OFFSET_M
    motorway = {"highway": "motorway", "name": names.MOTORWAY_NAME, "ref": "S87"}
    builder.line("x", x_motorway, -OUTER_EXTENT_M, south_bank - 30.0, **motorway)
    builder.line(
        "x", x_motorway, south_bank - 30.0, north_bank + 30.0, **motorway, bridge="yes", layer="1"
    )
    builder.line("x", x_motorway, north_bank + 30.0, top + OUTER_EXTENT_M, **motorway)
    for j in MOTORWAY_LINK_Y_LINES:
        ramp_y = ys[j] + (120.0 if j < N_ROWS_SOUTH else -120.0)
        builder.way(
            [builder.on_line((east, ys[j]), "x"), builder.on_line((x_motorway, ramp_y), "x")],
            highway="motorway_link",
        )


def _ring_points(rect: Rect) -> list[Point]:
    """A closed ring with corner and side-midpoint nodes, anticlockwise from the south-west."""
    cx, cy = rect.centre
    return [
        (rect.x0, rect.y0),
        (cx, rect.y0),
        (rect.x1, rect.y0),
        (rect.x1, cy),
        (rect.x1, rect.y1),
        (cx, rect.y1),
        (rect.x0, rect.y1),
        (rect.x0, cy),
        (rect.x0, rect.y0),
    ]


def _gate_path(half: Rect, parcel: Rect, inner: Rect, side: str) -> tuple[list[Point], str]:
    """Points from the inner ring through the gate in the fence to the street centre line on
    one side (``W``, ``E``, ``S`` or ``N``) of a compound, and the street's axis."""
    cx, cy = half.centre
    if side == "W":
        return [(inner.x0, cy), (parcel.x0, cy), (half.x0, cy)], "x"
    if side == "E":
        return [(inner.x1, cy), (parcel.x1, cy), (half.x1, cy)], "x"
    if side == "S":
        return [(cx, inner.y0), (cx, parcel.y0), (cx, half.y0)], "y"
    return [(cx, inner.y1), (cx, parcel.y1), (cx, half.y1)], "y"


def _add_compound(
    builder: _Builder, rng: random.Random, half: Rect, setback: float, name: str
) -> None:
    parcel = half.inset(setback)
    inner = parcel.inset(COMPOUND_RING_INSET_M)
    cx, cy = inner.centre
    builder.way(_ring_points(parcel), barrier="fence", landuse="residential", name=name)
    builder.way(_ring_points(inner), highway="service", service="driveway")
    builder.way([(cx, inner.y0), (cx, cy), (cx, inner.y1)], highway="footway")
    builder.way([(inner.x0, cy), (cx, cy), (inner.x1, cy)], highway="footway")
    # Most compounds open one gate, some two: the detour to a gate is what straight lines miss.
    for side in rng.sample("WESN", 1 if rng.random() < 0.6 else 2):
        points, axis = _gate_path(half, parcel, inner, side)
        builder.on_line(points[2], axis)
        builder.node_tags[_key(points[1])] = {"barrier": "gate"}
        builder.way(points, highway="service")


def _add_industrial(builder: _Builder, block: Block) -> None:
    cx = (block.x0 + block.x1) / 2.0
    cy = (block.y0 + block.y1) / 2.0
    entrance = builder.on_line((cx, block.y0), "y")
    gate = (cx, block.y0 + 20.0)
    builder.node_tags[_key(gate)] = {"barrier": "gate"}
    builder.way([entrance, gate, (cx, cy)], highway="service", access="private")


def _add_park(builder: _Builder, block: Block) -> None:
    rect = Rect(block.x0, block.y0, block.x1, block.y1)
    _cx, cy = rect.centre
    builder.way(_ring_points(rect.inset(10.0)), leisure="park")
    path = rect.inset(40.0)
    builder.way(_ring_points(path), highway="footway")
    builder.way([builder.on_line((rect.x0, cy), "x"), (path.x0, cy)], highway="footway")
    builder.way([(path.x1, cy), builder.on_line((rect.x1, cy), "x")], highway="footway")


def build_network(
    rng: random.Random,
    plan: Plan,
    compound_names: list[str],
    setback: float,
    to_lonlat: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
) -> StreetNetwork:
    """Draw the network in local metres and convert it with ``to_lonlat``.

    ``compound_names`` are taken in plan order (street, community, residential block, half);
    compound fences stand ``setback`` metres from the street centre lines.
    """
    builder = _Builder()
    _add_arterials(builder, plan)
    all_blocks = [block for street in plan.streets for blocks in street for block in blocks]
    for block in all_blocks:
        if block.residential:
            axis, mid, _halves = split_block(block)
            lo, hi = (block.y0, block.y1) if axis == "x" else (block.x0, block.x1)
            builder.line(axis, mid, lo, hi, highway="residential")
    _add_barriers(builder, plan)
    builder.connect_crossings()
    halves = [half for block in all_blocks if block.residential for half in split_block(block)[2]]
    for half, name in zip(halves, compound_names, strict=True):
        _add_compound(builder, rng, half, setback, name)
    for block in all_blocks:
        if block.use == "industrial":
            _add_industrial(builder, block)
        elif block.use == "park":
            _add_park(builder, block)
    return builder.build(to_lonlat)


def write_osm(city: DemoCity, path: str | Path) -> Path:
    """Write the city's walking network as OpenStreetMap (``.osm.pbf``, or ``.osm`` XML by the
    file's suffix), replacing any existing file. The same city gives the same bytes."""
    path = Path(path)
    header = osmium.io.Header()
    header.set("generator", "linli demo")
    network = city.network
    with osmium.SimpleWriter(str(path), header=header, overwrite=True) as writer:
        for node in network.nodes:
            writer.add_node(
                osmium.osm.mutable.Node(
                    id=node.id, version=1, location=(node.lon, node.lat), tags=dict(node.tags)
                )
            )
        for way in network.ways:
            writer.add_way(
                osmium.osm.mutable.Way(
                    id=way.id, version=1, nodes=list(way.node_ids), tags=dict(way.tags)
                )
            )
    return path
