"""Accessibility benchmark (c): a city with short ways, as real OpenStreetMap is cut (issue 16).

The city (``short_ways_city.py``: every junction a way boundary, dead-end stubs and footpaths
in the blocks, about 1.19 M nodes and 610 k ways) with 200 000 origins and 10 000 facilities
over the 9 scenarios. In one run, each pipeline three times in turn (median reported):

- ``linli plan access`` with an empty graph cache (cold) and with the cache (warm);
- the straightforward pyosmium + scipy script of ``access_common.py``.

Then every linli output is compared row by row with the output of linli as it was before
issue 16 (commit ``BEFORE``, taken from git history into ``benchmarks/.cache/``, run once):
the new reader and searches must give the same rows. Targets: cold <= 0.33x and warm <= 0.2x
the script's time, peak memory <= 2 GB.

Run ``python benchmarks/access_short_ways.py`` (the first run writes the city, about 2 min).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from access_common import MAX_DISTANCE_M, ROOT, measure  # noqa: E402
from short_ways_city import write_city  # noqa: E402

CACHE = Path(__file__).resolve().parent / ".cache" / "short-ways"
BEFORE = "9006808"  # main just before issue 16: the pyosmium reader, scipy searches
TARGETS = {"cold": 0.33, "warm": 0.2}
PEAK_MB = 2048


def linli_before(directory: Path) -> Path:
    """linli's ``src`` at commit BEFORE, from git history (once)."""
    src = directory / f"linli-{BEFORE}" / "src"
    if not src.is_dir():
        src.parent.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", BEFORE, "src"],
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(src.parent)], input=archive, check=True)
    return src


def compare_rows(ours: Path, reference: Path) -> str:
    """Rows that differ between two outputs of ``linli plan access`` (same order)."""
    with ours.open("rb") as a, reference.open("rb") as b:
        left, right = a.read().splitlines(), b.read().splitlines()
    differ = sum(x != y for x, y in zip(left, right, strict=False)) + abs(len(left) - len(right))
    return f"{len(left) - 1} rows, {differ} differ from linli {BEFORE}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each pipeline (median)")
    args = parser.parse_args()
    network, origins, facilities = write_city(CACHE)
    print("== accessibility benchmark: short-ways city ==")
    print(
        f"network {network.name} ({network.stat().st_size / 1e6:.1f} MB), 200000 origins, "
        f"10000 facilities, 9 scenarios, max distance {MAX_DISTANCE_M:g} m, "
        f"{os.cpu_count()} CPUs, load average at start {os.getloadavg()[0]:.1f}"
    )
    points = ["--origins", str(origins), "--facilities", str(facilities)]
    cache = CACHE / "graph-cache"

    def linli(out: Path, cache_dir: Path) -> list[str]:
        return [sys.executable, "-m", "linli", "plan", "access", "--network", str(network),
                *points, "--max-distance", str(MAX_DISTANCE_M), "--cache-dir", str(cache_dir),
                "--out", str(out)]  # fmt: skip

    reference = CACHE / f"linli-{BEFORE}.csv"
    if not reference.exists():
        before_cache = CACHE / "graph-cache-before"
        shutil.rmtree(before_cache, ignore_errors=True)
        seconds, peak, status = measure(linli(reference, before_cache), src=linli_before(CACHE))
        if status != 0:
            reference.unlink(missing_ok=True)
            sys.exit(f"linli {BEFORE} failed (exit {status})")
        print(f"reference: linli {BEFORE}, cold cache, once: {seconds:.2f} s, {peak:.0f} MB")
    script = [sys.executable, str(Path(__file__).resolve().parent / "access_common.py"),
              "straightforward", str(network), str(origins), str(facilities),
              str(CACHE / "straightforward.csv")]  # fmt: skip
    runs: dict[str, list[tuple[float, float]]] = {"cold": [], "warm": [], "script": []}
    checks = []
    for run in range(args.runs):
        shutil.rmtree(cache, ignore_errors=True)
        for name, command in (
            ("cold", linli(CACHE / "linli-cold.csv", cache)),
            ("warm", linli(CACHE / "linli-warm.csv", cache)),
            ("script", script),
        ):
            seconds, peak, status = measure(command)
            if status != 0:
                sys.exit(f"{name} run {run + 1} failed (exit {status})")
            runs[name].append((seconds, peak))
            print(f"  run {run + 1} {name:<7}{seconds:8.2f} s {peak:8.0f} MB", flush=True)
            if name != "script":
                checks.append(f"{name} run {run + 1}: " + compare_rows(
                    CACHE / f"linli-{name}.csv", reference))  # fmt: skip
    labels = {
        "cold": "linli plan access, cold cache",
        "warm": "linli plan access, warm cache",
        "script": "straightforward pyosmium + scipy",
    }
    print(f"{'pipeline (median of ' + str(args.runs) + ')':<42}{'time s':>9}{'peak MB':>10}")
    median = {name: statistics.median(s for s, _ in values) for name, values in runs.items()}
    for name, values in runs.items():
        print(f"{labels[name]:<42}{median[name]:>9.2f}{max(p for _, p in values):>10.0f}")
    for name, target in TARGETS.items():
        ratio = median[name] / median["script"]
        verdict = "meets" if ratio <= target else "MISSES"
        print(f"ratio linli {name} / script: {ratio:.3f}  ({verdict} the <= {target}x target)")
    peak = max(p for name in ("cold", "warm") for _, p in runs[name])
    print(f"linli peak memory {peak:.0f} MB ({'meets' if peak <= PEAK_MB else 'MISSES'} <= 2 GB)")
    for line in checks:
        print("same rows:", line)
    print(f"load average at end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
