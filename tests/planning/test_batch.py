"""``linli plan batch``: cities planned as Dask tasks, equal to one process, robust to a lost
worker, failed cities retried alone."""

from __future__ import annotations

import json
import os
import re
import signal
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from linli.cli import main
from linli.demo.city import generate_city
from linli.planning.batch import BatchError, plan_cities, plan_city, read_batch
from tests.planning.city_files import write_city_files

distributed = pytest.importorskip("distributed")

CITIES = {"anyang": 11, "kaifeng": 12, "xuchang": 13}  # name: demo city seed
BATCH = """
out = "results"
[siting]
scenarios = ["elderly_care", "community_meals", "child_play"]
radius_m = 500
budget_cny = 8000000
time_limit_s = 20
"""


def _city_entry(name: str, folder: Path, facilities: Path | None = None) -> str:
    """A ``[[city]]`` table for the city written into ``folder / name``."""
    files = {
        "network": "city.osm.pbf",
        "communities": "communities.csv",
        "demand": "demand.csv",
        "facilities": "facilities.csv",
        "sites": "sites.csv",
    }
    paths = {key: folder / name / file for key, file in files.items()}
    paths["facilities"] = facilities or paths["facilities"]
    return f'[[city]]\nname = "{name}"\n' + "".join(f'{k} = "{v}"\n' for k, v in paths.items())


@pytest.fixture(scope="module")
def batch_file(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("batch")
    for name, seed in CITIES.items():
        write_city_files(generate_city(seed), folder / name)
    path = folder / "batch.toml"
    path.write_text(BATCH + "".join(_city_entry(name, folder) for name in CITIES), "utf-8")
    return path


@pytest.fixture(scope="module")
def cluster():
    # Two single-threaded worker processes, as on a 2-core machine; the nannies restart a
    # killed worker.
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as local,
        distributed.Client(local) as client,
    ):
        yield local, client


def _results(folder: Path) -> dict[str, object]:
    """What a city's planning produced, without the timings."""
    plan = json.loads((folder / "site-plan.json").read_text("utf-8"))
    plan.pop("solve_time")
    result = json.loads((folder / "result.json").read_text("utf-8"))
    result.pop("seconds")
    return {"diagnosis": (folder / "diagnosis.csv").read_bytes(), "plan": plan, "result": result}


def test_three_cities_on_two_workers_equal_one_process_and_survive_a_killed_worker(
    batch_file, cluster, tmp_path
):
    local, client = cluster
    cities = read_batch(batch_file)
    assert [c.name for c in cities] == list(CITIES)
    cache = str(tmp_path / "cache")
    alone = {
        c.name: plan_city(replace(c, out_dir=tmp_path / "alone" / c.name), cache) for c in cities
    }

    outcomes = []
    run = threading.Thread(
        target=lambda: outcomes.extend(plan_cities(cities, client, cache_dir=cache))
    )
    run.start()
    # Kill a worker process while it holds a city's task.
    deadline = time.monotonic() + 60
    busy = {}
    while not busy and time.monotonic() < deadline:
        busy = {worker: tasks for worker, tasks in client.processing().items() if tasks}
        time.sleep(0.01)
    assert busy, "no city started on the cluster"
    victim = next(iter(busy))
    pid = client.run(os.getpid, workers=[victim])[victim]
    os.kill(pid, signal.SIGKILL)
    run.join(timeout=300)
    assert not run.is_alive()

    assert [(o.name, o.status) for o in outcomes] == [(name, "done") for name in CITIES]
    for city in cities:
        assert _results(city.out_dir) == _results(tmp_path / "alone" / city.name)
        assert alone[city.name]["sites_selected"] > 0
        assert alone[city.name]["communities"] == 40
    # The killed worker's city was planned again elsewhere: no worker has that pid now.
    assert pid not in client.run(os.getpid).values()
    # Planned from the same inputs: a second run plans nothing.
    again = plan_cities(cities, client, cache_dir=cache)
    assert {o.status for o in again} == {"skipped"}


def test_a_failed_city_is_reported_and_retried_alone(batch_file, cluster, tmp_path, capsys):
    _local, client = cluster
    cities = batch_file.parent
    broken = tmp_path / "facilities.csv"
    broken.write_text("facility,scenario,lon,lat,community\nF1,karaoke,113.6,34.74,X\n", "utf-8")
    config = tmp_path / "batch.toml"
    config.write_text(
        BATCH.replace('"results"', f'"{tmp_path / "out"}"')
        + "".join(
            _city_entry(name, cities, broken if name == "kaifeng" else None) for name in CITIES
        ),
        "utf-8",
    )
    scheduler = ["--scheduler", client.scheduler.address, "--cache-dir", str(tmp_path / "c")]
    assert main(["plan", "batch", str(config), *scheduler]) == 1
    out, err = capsys.readouterr()
    assert "kaifeng: failed: TableError" in out and "unknown scenario(s) karaoke" in out
    assert "cities=3 done=2 skipped=0 failed=1" in out
    assert "run the same command again" in err
    results = {name: tmp_path / "out" / name / "result.json" for name in ("anyang", "xuchang")}
    planned = {name: path.stat().st_mtime_ns for name, path in results.items()}

    broken.write_bytes((cities / "kaifeng" / "facilities.csv").read_bytes())
    assert main(["plan", "batch", str(config), *scheduler]) == 0
    out = capsys.readouterr().out
    assert "cities=3 done=1 skipped=2 failed=0" in out
    assert "kaifeng: done" in out
    for name, mtime in planned.items():  # the others were not planned again
        assert results[name].stat().st_mtime_ns == mtime


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("out = 1\n", "no [[city]] entries"),
        ("[[city]]\nname = 'a b'\n", "name 'a b' must be letters"),
        ("[[city]]\nname = 'a'\n", "(a): missing field 'network'"),
        ("[[city]]\nname = 'a'\nnetwork = 'absent.pbf'\n", "network"),
        ("[siting]\nradius = 3\n[[city]]\nname = 'a'\n", "unknown setting(s) radius"),
        ("[[city\n", "not a readable batch file"),
    ],
)
def test_bad_batch_files_name_the_problem(tmp_path, text, problem):
    path = tmp_path / "batch.toml"
    path.write_text(text, "utf-8")
    with pytest.raises(BatchError, match=re.escape(problem)):
        read_batch(path)
