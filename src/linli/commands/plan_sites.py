"""``linli plan sites``: choose candidate sites that cover the most demand (DESIGN §6).

Reads demand points, candidate sites and either a demand × candidate distance matrix or an
OpenStreetMap file (walking distances between the graph nodes nearest to each point, as
``linli plan access`` measures them), solves the maximal covering model (with a budget when
given) and writes one row per candidate. The last line on stdout is
``covered_weight=<float> selected=<n> optimal=<true|false>``.

The planning modules (scipy, pandas, HiGHS, the walking graph) are imported only when the
command runs, so that other ``linli`` commands start fast.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

from linli.commands import CommandError

_TRUE = {"1", "true", "yes", "y"}
_FALSE = {"", "0", "false", "no", "n"}


def register(plan_subparsers: argparse._SubParsersAction) -> None:
    parser = plan_subparsers.add_parser(
        "sites",
        help="choose candidate sites that cover the most demand (MCLP, optional budget)",
        description=(
            "Maximal covering site selection. D.csv: id,lon,lat,weight; C.csv: "
            "id,lon,lat[,cost][,area_m2][,existing]; M.csv: distances in metres, one row per "
            "demand point in D.csv order, one column per candidate in C.csv order (an optional "
            "header row and row-label column are recognised; write inf for unreachable). "
            "Candidates marked existing are already open: they count as covering and take "
            "neither count nor budget. With --network, points farther than --max-snap from "
            "the walking network reach nothing."
        ),
    )
    parser.add_argument("--demand", required=True, type=Path, metavar="D.csv")
    parser.add_argument("--candidates", required=True, type=Path, metavar="C.csv")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--cost-matrix", type=Path, metavar="M.csv")
    source.add_argument("--network", type=Path, metavar="FILE", help="OSM .osm.pbf or .osm")
    parser.add_argument("--radius", required=True, type=float, metavar="R", help="metres")
    parser.add_argument(
        "--count", type=int, metavar="P", help="number of new sites (optional with --budget)"
    )
    parser.add_argument("--budget", type=float, metavar="B", help="most total cost of new sites")
    parser.add_argument("--out", required=True, type=Path, metavar="S.csv")
    parser.add_argument(
        "--time-limit",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="stop the exact solver after this long and report the gap (default 60)",
    )
    parser.add_argument(
        "--max-snap",
        type=float,
        default=500.0,
        metavar="M",
        help="with --network: points farther than this from a street reach nothing "
        "(default %(default)g m)",
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=Path(os.environ.get("LINLI_DATA_DIR", "linli-data")) / "cache" / "walk-graphs",
        help="with --network: where walking graphs are cached (default %(default)s)",
    )
    parser.add_argument("--no-cache", action="store_true", help="always read the OSM file")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from linli.planning.siting import CoverageMatrix, SolverOptions, mclp

    if not (math.isfinite(args.radius) and args.radius >= 0):
        raise CommandError("--radius must be a non-negative number of metres")
    if args.count is None and args.budget is None:
        raise CommandError("give --count, --budget or both")
    if args.count is not None and args.count < 1:
        raise CommandError("--count must be at least 1")
    if args.budget is not None and not (math.isfinite(args.budget) and args.budget >= 0):
        raise CommandError("--budget must be a non-negative number")
    if not args.time_limit > 0:
        raise CommandError("--time-limit must be positive")
    demand = _read_table(
        args.demand, required=("id", "lon", "lat", "weight"), numeric=("lon", "lat", "weight")
    )
    candidates = _read_table(
        args.candidates, required=("id", "lon", "lat"), numeric=("lon", "lat", "cost", "area_m2")
    )
    existing = _existing_flags(args.candidates, candidates)
    costs = candidates.get("cost")
    if args.budget is not None:
        if costs is None:
            raise CommandError(f"{args.candidates}: --budget needs a 'cost' column")
        affordable = costs[~existing] <= args.budget
        if not affordable.any():
            cheapest = costs[~existing].min() if (~existing).any() else float("nan")
            raise CommandError(
                f"--budget {args.budget:g} buys nothing: the cheapest new candidate in "
                f"{args.candidates} costs {cheapest:g}"
            )
    if not args.out.parent.is_dir():
        raise CommandError(f"{args.out}: the directory {args.out.parent} does not exist")
    if args.network is not None:
        distances = _network_distances(args, demand, candidates)
    else:
        matrix = _read_matrix(
            args.cost_matrix, len(demand["id"]), len(candidates["id"]), candidates["id"]
        )
        distances = _within(matrix, args.radius)
    coverage = CoverageMatrix.from_cost_matrix(distances, args.radius)
    result = mclp(
        coverage,
        demand["weight"],
        args.count,
        costs=costs,
        budget=args.budget,
        existing=np.flatnonzero(existing),
        solver=SolverOptions(time_limit=args.time_limit),
    )
    served = _served_weight(distances, demand["weight"], result.selected)
    _write_result(args.out, candidates["id"], result.selected, served)
    total = float(demand["weight"].sum())
    share = f" ({100 * result.covered_weight / total:.1f} %)" if total else ""
    proof = (
        "proven optimal"
        if result.optimal
        else (f"not proven optimal: bound {result.bound:.6g}, gap {100 * result.gap:.3g} %")
    )
    print(
        f"covered {result.covered_weight:.6g} of {total:.6g} demand weight{share} with "
        f"{len(result.new_sites)} new and {len(result.existing)} existing sites; {proof}; "
        f"{result.solve_time:.2f} s"
    )
    print(
        f"covered_weight={result.covered_weight!r} selected={len(result.selected)} "
        f"optimal={'true' if result.optimal else 'false'}"
    )
    return 0


def _read_table(path: Path, *, required: tuple[str, ...], numeric: tuple[str, ...]) -> dict:
    """Columns of a CSV as arrays (ids as strings); errors name file, line and column."""
    rows = _read_csv(path)
    if not rows:
        raise CommandError(f"{path}: empty file")
    header = [name.strip() for name in rows[0]]
    missing = [name for name in required if name not in header]
    if missing:
        raise CommandError(f"{path}: missing column(s) {', '.join(missing)}")
    body = rows[1:]
    if not body:
        raise CommandError(f"{path}: no data rows")
    table: dict = {}
    for name in header:
        position = header.index(name)
        cells = []
        for line, row in enumerate(body, start=2):
            if len(row) != len(header):
                raise CommandError(
                    f"{path}, line {line}: {len(row)} fields, the header has {len(header)}"
                )
            cells.append(row[position].strip())
        if name in numeric:
            table[name] = np.array(
                [_number(path, line, name, cell) for line, cell in enumerate(cells, start=2)]
            )
        else:
            table[name] = cells
    ids = table["id"]
    if len(set(ids)) != len(ids):
        duplicate = next(i for i in ids if ids.count(i) > 1)
        raise CommandError(f"{path}: duplicate id {duplicate!r}")
    for name in ("weight", "cost", "area_m2"):
        if name in table and (table[name] < 0).any():
            line = int(np.flatnonzero(table[name] < 0)[0]) + 2
            raise CommandError(f"{path}, line {line}, column {name}: negative value")
    return table


def _existing_flags(path: Path, candidates: dict) -> np.ndarray:
    flags = []
    for line, cell in enumerate(candidates.get("existing", [""] * len(candidates["id"])), 2):
        value = cell.lower()
        if value not in _TRUE | _FALSE:
            raise CommandError(f"{path}, line {line}, column existing: {cell!r} is not true/false")
        flags.append(value in _TRUE)
    return np.array(flags, dtype=bool)


def _read_matrix(path: Path, n_demand: int, n_cand: int, candidate_ids: list[str]) -> np.ndarray:
    rows = [row for row in _read_csv(path) if row]
    if not rows:
        raise CommandError(f"{path}: empty file")
    first_line = 1
    if not _all_numbers(rows[0]):
        rows, first_line = rows[1:], 2
    label_column = bool(rows) and len(rows[0]) == n_cand + 1 and not _all_numbers(rows[0][:1])
    if len(rows) != n_demand:
        raise CommandError(
            f"{path}: {len(rows)} rows, but the demand file has {n_demand} points "
            f"(one row per demand point, in its order)"
        )
    matrix = np.empty((n_demand, n_cand))
    for i, row in enumerate(rows):
        line = first_line + i
        cells = row[1:] if label_column else row
        if len(cells) != n_cand:
            raise CommandError(
                f"{path}, line {line}: {len(cells)} columns, but the candidate file has "
                f"{n_cand} candidates (one column per candidate, in its order)"
            )
        for j, cell in enumerate(cells):
            column = f"{j + 1} ({candidate_ids[j]})"
            value = _number(path, line, column, cell.strip(), allow_inf=True)
            if value < 0:
                raise CommandError(f"{path}, line {line}, column {column}: negative cost {cell}")
            matrix[i, j] = value
    return matrix


def _read_csv(path: Path) -> list[list[str]]:
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            return list(csv.reader(handle))
    except OSError as error:
        raise CommandError(f"{path}: cannot read ({error.strerror})") from error
    except (UnicodeDecodeError, csv.Error) as error:
        raise CommandError(f"{path}: not a UTF-8 CSV file ({error})") from error


def _number(path: Path, line: int, column: str, cell: str, *, allow_inf: bool = False) -> float:
    try:
        value = float(cell)
    except ValueError:
        value = math.nan
    if math.isnan(value) or (math.isinf(value) and not (allow_inf and value > 0)):
        raise CommandError(f"{path}, line {line}, column {column}: {cell!r} is not a number")
    return value


def _all_numbers(cells: list[str]) -> bool:
    try:
        [float(cell) for cell in cells]
    except ValueError:
        return False
    return True


def _within(matrix, radius: float):
    """The pairs of a dense distance matrix within ``radius``, as a sparse matrix."""
    import scipy.sparse as sp

    rows, cols = np.nonzero(matrix <= radius)
    return sp.csr_array((matrix[rows, cols], (rows, cols)), shape=matrix.shape)


def _network_distances(args: argparse.Namespace, demand: dict, candidates: dict):
    """Walking distances within the radius; points off the network are reported on stderr."""
    from linli.planning.network import NetworkError, read_walk_graph
    from linli.planning.siting import walking_distances

    if not (math.isfinite(args.max_snap) and args.max_snap > 0):
        raise CommandError("--max-snap must be a positive number of metres")
    try:
        graph = read_walk_graph(args.network, cache_dir=None if args.no_cache else args.cache_dir)
    except NetworkError as error:
        raise CommandError(str(error)) from error
    distances, demand_far, site_far = walking_distances(
        graph,
        (demand["lon"], demand["lat"]),
        (candidates["lon"], candidates["lat"]),
        args.radius,
        max_snap_m=args.max_snap,
    )
    for path, table, far in (
        (args.demand, demand, demand_far),
        (args.candidates, candidates, site_far),
    ):
        if far.any():
            print(
                f"linli: warning: {path}: {int(far.sum())} point(s) farther than "
                f"{args.max_snap:g} m from the walking network reach nothing "
                f"(first: {table['id'][int(np.flatnonzero(far)[0])]})",
                file=sys.stderr,
            )
    return distances


def _served_weight(distances, weights, selected):
    """Weight each selected site serves: covered demand counted once, at its nearest site."""
    import pandas as pd
    import scipy.sparse as sp

    pairs = sp.coo_array(distances)
    table = pd.DataFrame({"i": pairs.row, "j": pairs.col, "d": pairs.data})
    table = table[table["j"].isin(list(selected))].sort_values(["d", "j"], kind="stable")
    nearest = table.drop_duplicates("i")
    return np.bincount(
        nearest["j"], weights=weights[nearest["i"]], minlength=distances.shape[1]
    ).astype(float)


def _write_result(path: Path, ids: list[str], selected, served: np.ndarray) -> None:
    """Write S.csv atomically, so a failed run leaves no half-written file."""
    chosen = set(selected)
    handle = tempfile.NamedTemporaryFile(
        "w", newline="", encoding="utf-8", dir=path.parent, suffix=".tmp", delete=False
    )
    with handle:
        writer = csv.writer(handle)
        writer.writerow(["candidate_id", "selected", "covered_weight"])
        for j, candidate_id in enumerate(ids):
            writer.writerow(
                [candidate_id, "true" if j in chosen else "false", repr(float(served[j]))]
            )
    os.replace(handle.name, path)
