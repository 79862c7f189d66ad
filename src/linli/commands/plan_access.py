"""``linli plan access``: nearest facility per origin and scenario on the walking network.

Contract (DESIGN.md §6): ``--network`` an ``.osm.pbf`` or ``.osm`` file; ``--origins``
``id,lon,lat[,weight]``; ``--facilities`` ``id,lon,lat,scenario``; ``--out`` gets
``origin_id,scenario,distance_m,facility_id``, one row per origin and scenario of the
facilities, distance and facility empty when none is within ``--max-distance``.

The planning modules (numba, scipy) are imported only when the command runs, so that other
``linli`` commands start fast.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from linli.commands import CommandError

if TYPE_CHECKING:
    from linli.planning.network import NetworkReport

# DESIGN.md §6 fixes the search radius; issue 5 the snapping limit.
MAX_DISTANCE_M = 2000.0
MAX_SNAP_M = 500.0


def register(plan_subparsers: argparse._SubParsersAction) -> None:
    parser = plan_subparsers.add_parser(
        "access",
        help="walking distance from every origin to its nearest facility of each scenario",
        description="Walking distance from every origin to its nearest facility of each "
        "scenario, on the OpenStreetMap walking network. Output columns: "
        "origin_id,scenario,distance_m,facility_id; distance and facility are empty when no "
        "facility is within --max-distance.",
    )
    parser.add_argument("--network", required=True, type=Path, help=".osm.pbf or .osm file")
    parser.add_argument("--origins", required=True, type=Path, help="CSV: id,lon,lat[,weight]")
    parser.add_argument("--facilities", required=True, type=Path, help="CSV: id,lon,lat,scenario")
    parser.add_argument("--out", required=True, type=Path, help="output CSV")
    parser.add_argument(
        "--max-distance",
        type=float,
        default=MAX_DISTANCE_M,
        metavar="M",
        help="search radius in metres (default %(default)g)",
    )
    parser.add_argument(
        "--max-snap",
        type=float,
        default=MAX_SNAP_M,
        metavar="M",
        help="points farther than this from the walking network are left out and reported "
        "(default %(default)g m)",
    )
    parser.add_argument(
        "--policy",
        help="policy pack whose life-circle distances the coverage summary uses "
        "(default: the platform's default pack)",
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=Path(os.environ.get("LINLI_DATA_DIR", "linli-data")) / "cache" / "walk-graphs",
        help="where walking graphs are cached (default %(default)s)",
    )
    parser.add_argument("--no-cache", action="store_true", help="always read the OSM file")
    parser.set_defaults(handler=plan_access)


def plan_access(args: argparse.Namespace) -> int:
    import numpy as np

    from linli.planning import access
    from linli.planning.network import NetworkError, read_walk_graph
    from linli.policy.vocabulary import SCENARIOS

    for option in ("max_distance", "max_snap"):
        value = getattr(args, option)
        if math.isnan(value) or value <= 0:
            raise CommandError(f"--{option.replace('_', '-')} must be a positive number of metres")
    life_circles = _life_circles(args.policy)
    try:
        origins = access.read_origins(args.origins)
        facilities = access.read_facilities(args.facilities)
    except access.PointsError as error:
        raise CommandError(str(error)) from error
    if not args.out.parent.is_dir():
        raise CommandError(f"{args.out}: the directory {args.out.parent} does not exist")
    try:
        graph = read_walk_graph(args.network, cache_dir=None if args.no_cache else args.cache_dir)
    except NetworkError as error:
        raise CommandError(str(error)) from error

    index = access.snap_index(graph)
    origin_snap = access.snap_points(index, origins["lon"], origins["lat"], args.max_snap)
    facility_snap = access.snap_points(index, facilities["lon"], facilities["lat"], args.max_snap)
    _warn_too_far(args.origins, origins["id"][origin_snap.too_far], args.max_snap)
    _warn_too_far(args.facilities, facilities["id"][facility_snap.too_far], args.max_snap)

    present = set(facilities["scenario"])
    on_network = ~facility_snap.too_far
    nearest = access.nearest_facilities(
        graph,
        origin_snap.node,
        facility_snap.node[on_network],
        facilities["scenario"].to_numpy()[on_network],
        max_distance_m=args.max_distance,
        scenarios=[code for code in SCENARIOS if code in present],
    )
    # An origin off the network is flagged, not served by whatever street happens to be nearest.
    nearest = access.NearestFacilities(
        nearest.scenarios,
        np.where(origin_snap.too_far, np.inf, nearest.distance_m),
        np.where(origin_snap.too_far, -1, nearest.facility),
    )
    access.write_nearest_csv(
        args.out, nearest, origins["id"], facilities["id"].to_numpy()[on_network]
    )

    print(_describe(graph.report))
    summary = access.coverage(nearest, origins["weight"].to_numpy(), life_circles)
    if not summary.empty:
        table = summary.pivot(index="scenario", columns="life_circle_m", values="share")
        table = table.reindex(list(nearest.scenarios))
        table.columns = [f"≤{radius:g} m" for radius in table.columns]
        print("share of origin weight within walking distance:")
        print(table.map(lambda share: f"{share:.1%}").to_string())
    print(f"wrote {args.out} ({len(origins) * len(nearest.scenarios)} rows)")
    return 0


def _life_circles(policy: str | None) -> tuple[float, ...]:
    """The life circles of ``--policy``, else of the default pack, else GB 50180-2018's."""
    from linli.planning import access
    from linli.policy import DEFAULT_POLICY, PolicyPackError, load_pack

    try:
        return access.life_circles_m(load_pack(policy or DEFAULT_POLICY))
    except PolicyPackError as error:
        if policy is not None:
            raise CommandError(str(error)) from error
        print(
            f"linli: warning: default policy pack unusable ({error}); life circles "
            f"{', '.join(f'{r:g}' for r in access.DEFAULT_LIFE_CIRCLES_M)} m",
            file=sys.stderr,
        )
        return access.DEFAULT_LIFE_CIRCLES_M


def _warn_too_far(path: Path, far_ids: Iterable[object], max_snap: float) -> None:
    far = [str(i) for i in far_ids]
    if far:
        shown = ", ".join(far[:10]) + (" …" if len(far) > 10 else "")
        print(
            f"linli: warning: {path}: {len(far)} point(s) farther than {max_snap:g} m from the "
            f"walking network are left out: {shown}",
            file=sys.stderr,
        )


def _describe(report: NetworkReport) -> str:
    dropped = ", ".join(
        f"{reason} {count}" for reason, count in sorted(report.dropped_ways.items())
    )
    return (
        f"walking network: {report.nodes} nodes, {report.edges} directed edges from "
        f"{report.walkable_ways} of {report.highway_ways} highway ways "
        f"(dropped: {dropped or 'none'}); {report.dropped_nodes} nodes outside the largest "
        f"of {report.components} components left out"
    )
