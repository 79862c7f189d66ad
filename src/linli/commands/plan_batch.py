"""``linli plan batch CONFIG``: diagnosis and siting for many cities on a Dask cluster.

The cluster is ``--scheduler`` (default ``LINLI_DASK_SCHEDULER``), else a local cluster of
``--workers`` processes. Each city's results go to its own folder; a city already planned
from the same inputs is skipped, so running the command again after a failure plans only the
failed cities.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from linli.commands import CommandError


def register(plan_subparsers: argparse._SubParsersAction) -> None:
    parser = plan_subparsers.add_parser(
        "batch",
        help="diagnosis and siting for many cities, one task per city on a Dask cluster",
        description="Plan every city of a batch file (TOML; see docs/operations.md) as one "
        "task each on a Dask cluster. Cities already planned from the same inputs are "
        "skipped: run the command again to retry the failed ones.",
    )
    parser.add_argument("config", type=Path, metavar="CONFIG", help="batch file (.toml)")
    parser.add_argument(
        "--scheduler",
        default=os.environ.get("LINLI_DASK_SCHEDULER") or None,
        metavar="ADDRESS",
        help="Dask scheduler, e.g. tcp://10.0.0.5:8786 (default $LINLI_DASK_SCHEDULER; "
        "unset: a local cluster)",
    )
    parser.add_argument(
        "--workers", type=int, metavar="N", help="local cluster: worker processes (default: cores)"
    )
    parser.add_argument("--only", nargs="+", metavar="NAME", help="plan only these cities")
    parser.add_argument("--force", action="store_true", help="plan cities already done again")
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=Path(os.environ.get("LINLI_DATA_DIR", "linli-data")) / "cache" / "walk-graphs",
        help="walking-graph cache every worker can reach (default %(default)s)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from linli.planning.batch import BatchError, batch_client, plan_cities, read_batch

    if args.workers is not None and args.workers < 1:
        raise CommandError("--workers must be at least 1")
    try:
        cities = read_batch(args.config)
    except BatchError as error:
        raise CommandError(str(error)) from error
    if args.only:
        unknown = sorted(set(args.only) - {city.name for city in cities})
        if unknown:
            raise CommandError(f"--only: no city named {', '.join(unknown)} in {args.config}")
        cities = [city for city in cities if city.name in args.only]
    cache_dir = str(args.cache_dir.resolve())
    with batch_client(args.scheduler, args.workers) as client:
        print(f"planning {len(cities)} cities on {client.scheduler.address}", flush=True)
        with tqdm(total=len(cities), unit="city", file=sys.stderr) as bar:

            def show(outcome) -> None:
                if outcome.status == "failed":
                    bar.write(f"FAILED {outcome.name}: {outcome.error}")
                bar.set_postfix_str(outcome.name)
                bar.update()

            outcomes = plan_cities(
                cities, client, cache_dir=cache_dir, force=args.force, on_outcome=show
            )
    for outcome in outcomes:
        print(_line(outcome))
    failed = [o.name for o in outcomes if o.status == "failed"]
    done = sum(o.status == "done" for o in outcomes)
    skipped = sum(o.status == "skipped" for o in outcomes)
    print(f"cities={len(outcomes)} done={done} skipped={skipped} failed={len(failed)}")
    if failed:
        print(
            f"linli: {len(failed)} cities failed ({', '.join(failed)}); run the same command "
            "again to plan only those",
            file=sys.stderr,
        )
        return 1
    return 0


def _line(outcome) -> str:
    if outcome.status == "failed":
        return f"{outcome.name}: failed: {outcome.error}"
    summary = outcome.summary
    sites = summary.get("sites_selected")
    planned = f", {sites} sites" if sites is not None else ""
    return (
        f"{outcome.name}: {outcome.status}: {summary.get('communities')} communities{planned} "
        f"({summary.get('seconds')} s)"
    )
