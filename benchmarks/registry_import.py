"""Time a 3 000-community xlsx import into a fresh SQLite database (target: under 20 s).

Run from a checkout with the package installed: ``python benchmarks/registry_import.py``.
A temporary ``LINLI_DATA_DIR`` is migrated, a tree of 10 districts × 20 streets is made through
the services, and the rows (the demo city's 40 communities, repeated with shifted centroids)
are written to an xlsx. Prints the time of the import that creates them (nodes, communities and
6 000 audit records in one transaction), of the dry run of the same file against the filled
database, and of its re-import (every row unchanged).
"""

from __future__ import annotations

import os
import tempfile
import time
from itertools import cycle
from pathlib import Path

TARGET_S = 20.0
DISTRICTS, STREETS, COMMUNITIES = 10, 20, 15  # 10 × 20 × 15 = 3 000 communities


def _setup(data_dir: str) -> None:
    os.environ["LINLI_DATA_DIR"] = data_dir
    os.environ.pop("LINLI_DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "linli.web.settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)


def _tree():
    """市 → districts → streets, and a city programme office account to import with."""
    from linli.accounts.roles import Role
    from linli.accounts.services import user_create, user_create_administrator
    from linli.registry.models import Level
    from linli.registry.services import jurisdiction_create, jurisdiction_create_root

    city = jurisdiction_create_root(name="基准市", code="419900000000")
    admin = user_create_administrator(
        username="bench-admin",
        password="bench-Password-2026",
        role=Role.SYSTEM_ADMIN,
        jurisdiction=city,
    )
    streets = []
    for d in range(1, DISTRICTS + 1):
        district = jurisdiction_create(
            actor=admin,
            parent=city,
            name=f"第{d}区",
            level=Level.DISTRICT,
            code=f"4199{d:02d}000000",
        )
        for s in range(1, STREETS + 1):
            streets.append(
                jurisdiction_create(
                    actor=admin,
                    parent=district,
                    name=f"第{d}区{s}街道",
                    level=Level.STREET,
                    code=f"4199{d:02d}{s:03d}000",
                )
            )
    actor = user_create(
        actor=admin,
        username="bench-city",
        password="bench-Password-2026",
        role=Role.CITY_ADMIN,
        jurisdiction=city,
    )
    return actor, streets


def _workbook(path: Path, streets) -> None:
    from openpyxl import Workbook

    from linli.demo.city import generate_city
    from linli.registry.columns import SPECS

    demo = cycle(generate_city().communities)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SPECS["community"].sheet)
    sheet.append([column.zh for column in SPECS["community"].columns])
    for index, street in enumerate(streets):
        for n in range(1, COMMUNITIES + 1):
            c = next(demo)
            shift = index * 0.01  # spread the copies over the map
            sheet.append(
                [
                    street.code,
                    street.name,
                    f"{street.code[:9]}{n:03d}",
                    f"{c.name[:-2]}{index}社区",
                    c.households,
                    c.population,
                    c.aged_0_2,
                    c.aged_3_5,
                    c.aged_6_12,
                    c.aged_60_plus,
                    c.aged_80_plus,
                    c.service_area_m2,
                    round(c.centroid_lon + shift, 7),
                    c.centroid_lat,
                    "是" if n % 7 == 0 else "否",
                ]
            )
    workbook.save(path)


def _timed(**kwargs):
    from linli.registry.imports import registry_import

    start = time.perf_counter()
    report = registry_import(kind="community", **kwargs)
    assert not report.problems, report.problems[:5]
    return time.perf_counter() - start, report


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="linli-bench-") as data_dir:
        _setup(data_dir)
        actor, streets = _tree()
        path = Path(data_dir) / "communities.xlsx"
        _workbook(path, streets)
        first, report = _timed(actor=actor, path=path)
        dry, _ = _timed(actor=actor, path=path, dry_run=True)
        again, unchanged = _timed(actor=actor, path=path)
    verdict = "meets" if first < TARGET_S else "MISSES"
    print(
        f"registry import, {report.to_create} communities, fresh database: {first:6.2f} s  "
        f"({verdict} the {TARGET_S:.0f} s target)"
    )
    print(f"registry import, dry run of the same file:           {dry:6.2f} s")
    print(f"registry import, again ({unchanged.unchanged} unchanged):          {again:6.2f} s")


if __name__ == "__main__":
    main()
