"""Many cities planned at once: one task per city on a Dask cluster (diagnosis and siting).

A batch is a TOML file listing cities and their input files (see :func:`read_batch`). Each
city is one task: read its walking network (cached by content, shared by all workers), run
the gap diagnosis and, when it has candidate sites, the site plan, and write its results into
its own folder, ``result.json`` last. A task is a plain function of plain data, so it runs
the same in this process, on a local cluster or on a cluster of many machines.

A city whose ``result.json`` matches its inputs (a fingerprint of its settings and the
content of its files) is not planned again: re-running the batch after a failure plans the
failed cities only. Dask reschedules the task of a worker that dies (a killed process, a lost
machine) on another worker, so no city is lost with it.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import tomllib
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "SITING_DEFAULTS",
    "BatchError",
    "CityOutcome",
    "CityPlan",
    "batch_client",
    "plan_cities",
    "plan_city",
    "read_batch",
]

SITING_DEFAULTS: dict[str, Any] = {
    "scenarios": ["elderly_care", "community_meals", "infant_care"],
    "radius_m": 500.0,
    "budget_cny": 20_000_000.0,
    "max_sites": None,
    "min_floor_area_m2": 100.0,
    "fundable_complexes": False,
    "time_limit_s": 30.0,
}
CANDIDATE_COLUMNS = ["code", "name", "community", "lon", "lat", "floor_area_m2", "cost_cny"]
RESULT_FILE = "result.json"
_INPUTS = ("network", "communities", "demand", "facilities", "sites")


class BatchError(ValueError):
    """The batch file is unreadable or wrong; the message names the file and the field."""


@dataclass(frozen=True)
class CityPlan:
    """One city of a batch: its inputs, settings and results folder (all paths absolute)."""

    name: str
    network: Path
    communities: Path
    demand: Path
    facilities: Path
    sites: Path | None
    policy: str
    siting: dict[str, Any]
    out_dir: Path

    def fingerprint(self) -> str:
        """Changes when a setting or the content of an input file changes."""
        from linli import __version__

        digest = hashlib.sha256(__version__.encode())
        settings = {"policy": self.policy, "siting": self.siting}
        digest.update(json.dumps(settings, sort_keys=True).encode())
        for name in _INPUTS:
            path = getattr(self, name)
            digest.update(f"{name}:".encode())
            if path is not None:
                with path.open("rb") as handle:
                    for block in iter(lambda h=handle: h.read(1 << 20), b""):
                        digest.update(block)
        return digest.hexdigest()[:32]

    def done(self) -> bool:
        """Whether its results are there and were computed from the present inputs."""
        try:
            recorded = json.loads((self.out_dir / RESULT_FILE).read_text("utf-8"))
            return recorded.get("fingerprint") == self.fingerprint()
        except (OSError, ValueError):
            return False


@dataclass
class CityOutcome:
    """What became of a city in a run: ``status`` is ``done``, ``skipped`` or ``failed``."""

    name: str
    status: str
    summary: dict[str, Any] = field(default_factory=dict)
    error: str = ""


def read_batch(path: str | os.PathLike[str]) -> list[CityPlan]:
    """The cities of a batch file.

    The file (TOML; relative paths are taken from its folder)::

        policy = "beijing-2024"          # optional, the default pack otherwise
        out = "results"                  # a folder per city is made in it

        [siting]                         # optional, for every city (see SITING_DEFAULTS)
        radius_m = 500
        budget_cny = 20000000

        [[city]]
        name = "chengdu"                 # letters, digits, - and _: the results folder
        network = "chengdu/network.osm.pbf"
        communities = "chengdu/communities.csv"
        demand = "chengdu/demand.csv"
        facilities = "chengdu/facilities.csv"
        sites = "chengdu/sites.csv"      # optional: without it, diagnosis only
        siting = { budget_cny = 50000000 }  # optional, overrides [siting]

    Raises
    ------
    BatchError
        Unreadable TOML, no city, a missing field, an input file that does not exist, a
        duplicate or unusable name, an unknown siting setting.
    """
    from linli.policy import DEFAULT_POLICY

    path = Path(path)
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError as error:
        raise BatchError(f"{path}: no such file") from error
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise BatchError(f"{path}: not a readable batch file ({error})") from error
    base = path.parent.resolve()
    siting = _siting(path, "siting", data.get("siting", {}), SITING_DEFAULTS)
    cities = data.get("city")
    if not isinstance(cities, list) or not cities:
        raise BatchError(f"{path}: no [[city]] entries")
    out = base / str(data.get("out", "results"))
    plans: list[CityPlan] = []
    for number, city in enumerate(cities, start=1):
        where = f"{path}: city {number}"
        name = str(city.get("name", ""))
        if not name or not all(c.isalnum() or c in "-_" for c in name):
            raise BatchError(f"{where}: name {name!r} must be letters, digits, - or _")
        if any(plan.name == name for plan in plans):
            raise BatchError(f"{where}: name {name!r} is used twice")
        files: dict[str, Path | None] = {}
        for key in _INPUTS:
            value = city.get(key)
            if value is None:
                if key != "sites":
                    raise BatchError(f"{where} ({name}): missing field {key!r}")
                files[key] = None
                continue
            file = (base / str(value)).resolve()
            if not file.is_file():
                raise BatchError(f"{where} ({name}): {key} {file} does not exist")
            files[key] = file
        plans.append(
            CityPlan(
                name=name,
                policy=str(city.get("policy", data.get("policy", DEFAULT_POLICY))),
                siting=_siting(path, f"city {number} siting", city.get("siting", {}), siting),
                out_dir=out / name,
                **files,
            )
        )
    return plans


def _siting(path: Path, where: str, given: object, defaults: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(given, dict):
        raise BatchError(f"{path}: {where} must be a table")
    unknown = sorted(set(given) - set(SITING_DEFAULTS))
    if unknown:
        raise BatchError(f"{path}: {where}: unknown setting(s) {', '.join(unknown)}")
    return {**defaults, **given}


def plan_city(city: CityPlan, cache_dir: str | None = None) -> dict[str, Any]:
    """Diagnose a city and, with candidate sites, plan them; write its results folder.

    Returns the summary also written to ``result.json``.
    """
    from linli.planning.gaps import gap_report, standards_from_pack
    from linli.planning.network import read_walk_graph
    from linli.planning.site_plan import PlanRequest, plan_summary, site_plan
    from linli.planning.tables import diagnosis_tables, read_table
    from linli.policy import load_pack

    started = time.perf_counter()
    pack = load_pack(city.policy)
    standards = standards_from_pack(pack)
    candidates = read_table(city.sites, CANDIDATE_COLUMNS) if city.sites else None
    communities, demand, functions, sites = diagnosis_tables(
        city.communities, city.demand, city.facilities, city.sites
    )
    graph = read_walk_graph(city.network, cache_dir=cache_dir)
    report = gap_report(graph, communities, demand, functions, sites, standards)
    city.out_dir.mkdir(parents=True, exist_ok=True)
    _write_atomic(
        city.out_dir / "diagnosis.csv",
        report.communities.to_csv(index=False).encode("utf-8-sig"),
    )
    summary: dict[str, Any] = {
        "city": city.name,
        "policy": pack.id,
        "network_nodes": graph.n_nodes,
        "communities": len(report.communities),
        "off_network": report.off_network,
        "coverage": json.loads(report.coverage.to_json(orient="records")),
    }
    if candidates is not None and not candidates.empty:
        settings = city.siting
        request = PlanRequest(
            scenarios=tuple(settings["scenarios"]),
            budget_cny=float(settings["budget_cny"]),
            max_sites=settings["max_sites"],
            radius_m=float(settings["radius_m"]),
            min_floor_area_m2=float(settings["min_floor_area_m2"]),
            fundable_complexes=bool(settings["fundable_complexes"]),
            time_limit_s=float(settings["time_limit_s"]),
        )
        plan = plan_summary(
            site_plan(graph, communities, demand, functions, candidates, request, pack),
            candidates,
            demand,
        )
        _write_atomic(
            city.out_dir / "site-plan.json",
            json.dumps(plan, ensure_ascii=False, indent=1).encode("utf-8"),
        )
        summary["sites_selected"] = len(plan["sites"])
        summary["site_plan_gain"] = plan["gain"]
        summary["site_plan_optimal"] = plan["optimal"]
    summary["seconds"] = round(time.perf_counter() - started, 3)
    summary["fingerprint"] = city.fingerprint()
    _write_atomic(
        city.out_dir / RESULT_FILE, json.dumps(summary, ensure_ascii=False, indent=1).encode()
    )
    return summary


def _write_atomic(path: Path, content: bytes) -> None:
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_bytes(content)
    partial.replace(path)


def batch_client(scheduler: str | None = None, workers: int | None = None):
    """A Dask client: of the cluster at ``scheduler``, else of a new local cluster of
    ``workers`` single-threaded processes (one per core by default; the compute core uses
    threads of its own)."""
    from distributed import Client, LocalCluster

    if scheduler:
        return Client(scheduler)
    cluster = LocalCluster(
        n_workers=workers or os.cpu_count() or 1,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
    )
    return Client(cluster)


def plan_cities(
    cities: Iterable[CityPlan],
    client,
    *,
    cache_dir: str | None = None,
    force: bool = False,
    on_outcome: Callable[[CityOutcome], None] | None = None,
) -> list[CityOutcome]:
    """Plan every city not already done, one Dask task each; the outcomes in batch order.

    A city whose task raises is ``failed`` with the error's message; the others go on.
    ``on_outcome`` is called as each city finishes (a progress display).
    """
    from distributed import as_completed

    outcomes: dict[str, CityOutcome] = {}
    futures = {}
    cities = list(cities)
    for city in cities:
        if not force and city.done():
            outcome = CityOutcome(city.name, "skipped", _recorded(city))
            outcomes[city.name] = outcome
            if on_outcome:
                on_outcome(outcome)
            continue
        # A fresh key: a city planned again (its inputs changed) is a new task.
        key = f"plan-{city.name}-{uuid.uuid4().hex[:8]}"
        future = client.submit(plan_city, city, cache_dir, key=key, pure=False)
        futures[future] = city.name
    for future in as_completed(futures):
        name = futures[future]
        if future.status == "finished":
            outcome = CityOutcome(name, "done", future.result())
        else:
            error = future.exception()
            outcome = CityOutcome(name, "failed", error=f"{type(error).__name__}: {error}")
        outcomes[name] = outcome
        if on_outcome:
            on_outcome(outcome)
    return [outcomes[city.name] for city in cities]


def _recorded(city: CityPlan) -> dict[str, Any]:
    return json.loads((city.out_dir / RESULT_FILE).read_text("utf-8"))


def outcome_json(outcomes: list[CityOutcome]) -> str:
    """The outcomes as one JSON document (for ``linli plan batch --json``)."""
    return json.dumps([asdict(o) for o in outcomes], ensure_ascii=False, indent=1)
