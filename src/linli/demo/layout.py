"""The demo district's plan in local metres: superblock grid, river, streets and communities.

Everything here is in a local frame (x east, y north, metres, origin at the district's south-west
corner); :mod:`linli.demo.city` converts it to WGS 84 once. The plan is a grid of superblocks
(300–500 m, bounded by arterials) cut by an east–west river that only a few bridges cross.
Each street (街道) is a rectangle of superblocks on one bank; its communities are runs of
adjacent superblocks, so their boundaries follow the arterials as real community boundaries do.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

N_COLUMNS = 10
N_ROWS_SOUTH = 3
N_ROWS_NORTH = 4
RIVER_GAP_M = 80.0  # between the two bank streets; the river runs in the middle
BLOCK_MIN_M = 300.0
BLOCK_MAX_M = 500.0
# x-line indices: these arterials are primary roads, and the first two of them bridge the river.
PRIMARY_X_LINES = (0, 3, 6, N_COLUMNS)
BRIDGE_X_LINES = (3, 6)
FOOTBRIDGE_X_LINE = 8


@dataclass(frozen=True, slots=True)
class StreetRegion:
    """A street's rectangle of superblocks: columns ``[col0, col1)``, rows ``[row0, row1)``."""

    col0: int
    col1: int
    row0: int
    row1: int
    n_communities: int
    n_non_residential: int


# Rows 0–2 lie south of the river, rows 3–6 north of it; no street spans the river.
STREET_REGIONS = (
    StreetRegion(0, 5, 0, 3, n_communities=7, n_non_residential=2),
    StreetRegion(5, 10, 0, 3, n_communities=8, n_non_residential=2),
    StreetRegion(0, 4, 3, 7, n_communities=9, n_non_residential=2),
    StreetRegion(4, 7, 3, 7, n_communities=8, n_non_residential=1),
    StreetRegion(7, 10, 3, 7, n_communities=8, n_non_residential=2),
)


@dataclass(frozen=True, slots=True)
class Block:
    """One superblock between four arterial centre lines."""

    col: int
    row: int
    x0: float
    y0: float
    x1: float
    y1: float
    use: str  # "residential", "industrial" (idle factories, warehouses) or "park"

    @property
    def residential(self) -> bool:
        return self.use == "residential"


@dataclass(frozen=True, slots=True)
class Plan:
    """The district plan: grid line positions and each street's communities as block lists."""

    x_lines: tuple[float, ...]
    y_lines: tuple[float, ...]  # N_ROWS_SOUTH + 1 south lines, then N_ROWS_NORTH + 1 north lines
    river_y: float
    streets: tuple[tuple[tuple[Block, ...], ...], ...]  # street → community → blocks

    @property
    def width(self) -> float:
        return self.x_lines[-1]

    @property
    def height(self) -> float:
        return self.y_lines[-1]


def _sizes(rng: random.Random, count: int, low: float, high: float) -> list[float]:
    return [float(round(rng.uniform(low, high), -1)) for _ in range(count)]


def _cumulative(start: float, sizes: list[float]) -> list[float]:
    lines = [start]
    for size in sizes:
        lines.append(lines[-1] + size)
    return lines


def _serpentine(region: StreetRegion) -> list[tuple[int, int]]:
    """Region cells in boustrophedon order, so consecutive cells always share an edge."""
    cells = []
    for i, row in enumerate(range(region.row0, region.row1)):
        cols = range(region.col0, region.col1)
        cells.extend((col, row) for col in (cols if i % 2 == 0 else reversed(cols)))
    return cells


def _group_sizes(rng: random.Random, n_cells: int, n_groups: int) -> list[int]:
    sizes = [1] * n_groups
    for _ in range(n_cells - n_groups):
        sizes[rng.choice([i for i, size in enumerate(sizes) if size < 3])] += 1
    return sizes


def make_plan(rng: random.Random) -> Plan:
    """Draw the superblock grid and split each street region into communities."""
    x_lines = _cumulative(0.0, _sizes(rng, N_COLUMNS, BLOCK_MIN_M, BLOCK_MAX_M))
    south = _cumulative(0.0, _sizes(rng, N_ROWS_SOUTH, BLOCK_MIN_M, BLOCK_MAX_M))
    north = _cumulative(
        south[-1] + RIVER_GAP_M, _sizes(rng, N_ROWS_NORTH, BLOCK_MIN_M, BLOCK_MAX_M)
    )
    y_lines = south + north
    row_bounds = [(south[i], south[i + 1]) for i in range(N_ROWS_SOUTH)] + [
        (north[i], north[i + 1]) for i in range(N_ROWS_NORTH)
    ]

    streets = []
    for region in STREET_REGIONS:
        cells = _serpentine(region)
        sizes = _group_sizes(rng, len(cells), region.n_communities)
        groups, start = [], 0
        for size in sizes:
            groups.append(cells[start : start + size])
            start += size
        # Non-residential blocks (factories, warehouses, a park) only in multi-block
        # communities, so that every community keeps at least one residential block.
        candidates = [cell for group in groups if len(group) > 1 for cell in group[1:]]
        non_residential = {
            cell: rng.choice(("industrial", "industrial", "park"))
            for cell in rng.sample(candidates, region.n_non_residential)
        }
        streets.append(
            tuple(
                tuple(
                    Block(
                        col,
                        row,
                        x_lines[col],
                        row_bounds[row][0],
                        x_lines[col + 1],
                        row_bounds[row][1],
                        use=non_residential.get((col, row), "residential"),
                    )
                    for col, row in group
                )
                for group in groups
            )
        )
    return Plan(
        x_lines=tuple(x_lines),
        y_lines=tuple(y_lines),
        river_y=south[-1] + RIVER_GAP_M / 2.0,
        streets=tuple(streets),
    )


@dataclass(frozen=True, slots=True)
class Rect:
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def centre(self) -> tuple[float, float]:
        return ((self.x0 + self.x1) / 2.0, (self.y0 + self.y1) / 2.0)

    def inset(self, margin: float) -> Rect:
        return Rect(self.x0 + margin, self.y0 + margin, self.x1 - margin, self.y1 - margin)


def split_block(block: Block) -> tuple[str, float, tuple[Rect, Rect]]:
    """Cut a superblock across its longer side by a residential street.

    Returns the street's axis (``"x"``: a north–south street at fixed x; ``"y"``: east–west),
    its fixed coordinate, and the two halves.
    """
    if block.x1 - block.x0 >= block.y1 - block.y0:
        mid = round((block.x0 + block.x1) / 2.0, 1)
        halves = (Rect(block.x0, block.y0, mid, block.y1), Rect(mid, block.y0, block.x1, block.y1))
        return "x", mid, halves
    mid = round((block.y0 + block.y1) / 2.0, 1)
    halves = (Rect(block.x0, block.y0, block.x1, mid), Rect(block.x0, mid, block.x1, block.y1))
    return "y", mid, halves
