"""``linli plan diagnose``: the per-community gap report, from the registry or from files.

From the registry, ``--district CODE --as USERNAME`` reads what that account may see (the
same ``restrict`` as the web pages). From files, ``--communities``, ``--demand`` and
``--facilities`` CSVs (columns below) with ``--network``. The report is written as CSV,
xlsx, GeoJSON or GeoPackage, chosen by the ``--out`` extension.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from linli.commands import CommandError

if TYPE_CHECKING:
    import pandas as pd

FORMATS = {".csv", ".xlsx", ".geojson", ".gpkg"}
# The column lists of the help text; the checks live in linli.planning.tables.
COMMUNITY_COLUMNS = "code,name,households,population,aged_0_2,aged_3_5,aged_60_plus,service_area_m2"
DEMAND_COLUMNS = "community,lon,lat,population"
FACILITY_COLUMNS = "facility,scenario,lon,lat,community"


def register(plan_subparsers: argparse._SubParsersAction) -> None:
    parser = plan_subparsers.add_parser(
        "diagnose",
        help="per-community coverage, standards, 2SFCA and priority ranking",
        description="Per-community gap report. Registry mode: --district CODE --as USERNAME. "
        "File mode: --network, --communities ("
        + COMMUNITY_COLUMNS
        + "[,in_area]), --demand ("
        + DEMAND_COLUMNS
        + "), --facilities ("
        + FACILITY_COLUMNS
        + "[,supply,beds,nursing_beds,infant_slots]) and optionally --sites "
        "(community,floor_area_m2).",
    )
    parser.add_argument("--out", required=True, type=Path, help=".csv, .xlsx, .geojson or .gpkg")
    parser.add_argument("--policy", default=None, help="policy pack id (default beijing-2024)")
    parser.add_argument("--network", type=Path, help=".osm.pbf or .osm walking network")
    parser.add_argument("--district", help="registry mode: code of the district (or street)")
    parser.add_argument("--as", dest="username", help="registry mode: read as this account")
    parser.add_argument("--communities", type=Path)
    parser.add_argument("--demand", type=Path)
    parser.add_argument("--facilities", type=Path)
    parser.add_argument("--sites", type=Path)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.out.suffix.lower() not in FORMATS:
        raise CommandError(f"--out {args.out}: use one of {', '.join(sorted(FORMATS))}")
    from linli.planning.gaps import gap_report, standards_from_pack
    from linli.planning.network import NetworkError, read_walk_graph
    from linli.policy import DEFAULT_POLICY, PolicyPackError, load_pack

    try:
        pack = load_pack(args.policy or DEFAULT_POLICY)
    except PolicyPackError as error:
        raise CommandError(str(error)) from error
    standards = standards_from_pack(pack)
    if args.district:
        tables, boundaries = _registry_tables(args, reach_m=max(standards.life_circles_m))
    else:
        tables, boundaries = _file_tables(args), None
    try:
        graph = read_walk_graph(_network(args))
    except NetworkError as error:
        raise CommandError(str(error)) from error
    report = gap_report(graph, *tables, standards)
    _write(report.communities, args.out, boundaries, tables[1])
    print(f"communities={len(report.communities)} policy={pack.id} out={args.out}")
    return 0


def _network(args) -> Path:
    if args.network:
        return args.network
    if args.district:
        from linli.plans.handlers import network_path

        return network_path()
    raise CommandError("--network is required in file mode")


def _registry_tables(args, reach_m: float):
    from linli.commands.platform import _django_setup

    _django_setup()
    from linli.accounts.models import User
    from linli.core.permissions import restrict
    from linli.plans.inputs import area_tables
    from linli.registry.models import Community, Jurisdiction

    if not args.username:
        raise CommandError(
            "--district needs --as USERNAME: the report shows what that account sees"
        )
    user = User.objects.filter(username=args.username, is_active=True).first()
    area = Jurisdiction.objects.filter(code=args.district).first()
    if user is None:
        raise CommandError(f"--as {args.username}: no such active account")
    if area is None or not restrict(Jurisdiction.objects.filter(pk=area.pk), user).exists():
        raise CommandError(f"--district {args.district}: no such area in {user}'s scope")
    t = area_tables(user, area, reach_m=reach_m)  # with the services across the boundary
    boundaries = {
        c.jurisdiction.code: c.boundary
        for c in restrict(
            Community.objects.filter(jurisdiction__path__startswith=area.path), user
        ).select_related("jurisdiction")
        if c.boundary
    }
    return (t.communities, t.demand, t.functions, t.sites), boundaries


def _file_tables(args):
    from linli.planning.tables import TableError, diagnosis_tables

    for option in ("communities", "demand", "facilities"):
        if getattr(args, option) is None:
            raise CommandError(f"--{option} is required in file mode")
    try:
        return diagnosis_tables(args.communities, args.demand, args.facilities, args.sites)
    except TableError as error:
        raise CommandError(str(error)) from error


def _write(table: pd.DataFrame, out: Path, boundaries: dict | None, demand: pd.DataFrame) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    suffix = out.suffix.lower()
    if suffix == ".csv":
        table.to_csv(out, index=False, encoding="utf-8-sig")  # BOM: Excel reads the Chinese
    elif suffix == ".xlsx":
        table.to_excel(out, index=False, sheet_name="diagnosis")
    else:
        from shapely.geometry import MultiPoint, shape

        from linli.geo.io import write_vector

        def geometry(code):
            if boundaries and code in boundaries:
                return shape(boundaries[code])
            points = demand.loc[demand["community"] == code, ["lon", "lat"]].to_numpy()
            return MultiPoint(points).centroid if len(points) else None

        write_vector(out, [geometry(code) for code in table["code"]], table)
