"""Planning input tables from CSV files: the file mode of ``linli plan diagnose`` and the
cities of ``linli plan batch``.

Columns are checked and numbers parsed; a problem raises :class:`TableError` naming the file,
the row and the column.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from linli.policy.vocabulary import SCENARIOS

__all__ = [
    "COMMUNITY_COLUMNS",
    "DEMAND_COLUMNS",
    "FACILITY_COLUMNS",
    "FACILITY_DEFAULTS",
    "SITE_COLUMNS",
    "TableError",
    "diagnosis_tables",
    "read_table",
]

COMMUNITY_COLUMNS = [
    "code",
    "name",
    "households",
    "population",
    "aged_0_2",
    "aged_3_5",
    "aged_60_plus",
    "service_area_m2",
]
DEMAND_COLUMNS = ["community", "lon", "lat", "population"]
FACILITY_COLUMNS = ["facility", "scenario", "lon", "lat", "community"]
FACILITY_DEFAULTS = {"supply": 1.0, "beds": 0, "nursing_beds": 0, "infant_slots": 0}
SITE_COLUMNS = ["community", "floor_area_m2"]
_TEXT_COLUMNS = ("code", "name", "community", "facility", "scenario")


class TableError(ValueError):
    """A planning table is unreadable or holds a bad value; the message names where."""


def read_table(
    path: str | os.PathLike[str], columns: list[str], defaults: dict | None = None
) -> pd.DataFrame:
    """Read a CSV with at least ``columns``; every other column but the text ones is numeric.

    ``defaults`` fills optional numeric columns (absent, or empty cells).
    """
    path = Path(path)
    try:
        table = pd.read_csv(path, dtype={name: str for name in _TEXT_COLUMNS})
    except (OSError, ValueError) as error:
        raise TableError(f"{path}: {error}") from error
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise TableError(f"{path}: missing column(s) {', '.join(missing)}")
    for column, value in (defaults or {}).items():
        table[column] = table[column].fillna(value) if column in table else value
    for column in [c for c in table.columns if c not in _TEXT_COLUMNS]:
        values = pd.to_numeric(table[column], errors="coerce")
        bad = values.isna() & table[column].notna()
        if bad.any():
            row = int(bad.idxmax()) + 2  # header is line 1
            raise TableError(f"{path}: row {row}, column {column}: not a number")
        table[column] = values
    return table


def diagnosis_tables(
    communities: str | os.PathLike[str],
    demand: str | os.PathLike[str],
    facilities: str | os.PathLike[str],
    sites: str | os.PathLike[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The four tables of :func:`linli.planning.gaps.gap_report`, from their files.

    Without a sites file there are no candidate sites.
    """
    functions = read_table(facilities, FACILITY_COLUMNS, FACILITY_DEFAULTS)
    unknown = sorted(set(functions["scenario"]) - set(SCENARIOS))
    if unknown:
        raise TableError(f"{facilities}: unknown scenario(s) {', '.join(unknown)}")
    site_table = (
        read_table(sites, SITE_COLUMNS) if sites is not None else pd.DataFrame(columns=SITE_COLUMNS)
    )
    return (
        read_table(communities, COMMUNITY_COLUMNS),
        read_table(demand, DEMAND_COLUMNS),
        functions,
        site_table,
    )
