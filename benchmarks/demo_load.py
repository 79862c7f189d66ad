"""Time `linli demo --no-serve` on a fresh data directory (target: under 30 s).

Run from a checkout with the package installed: ``python benchmarks/demo_load.py``.
Prints the wall time of the whole command (migrate, generate and load the demo city through
the audited services, write its OpenStreetMap network) and of a second, already-loaded start.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

TARGET_S = 30.0


def timed_demo(data_dir: str) -> float:
    env = {**os.environ, "LINLI_DATA_DIR": data_dir}
    env.pop("LINLI_DATABASE_URL", None)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "linli", "demo", "--no-serve"],
        env=env,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="linli-bench-") as data_dir:
        first = timed_demo(data_dir)
        again = timed_demo(data_dir)
    verdict = "meets" if first < TARGET_S else "MISSES"
    print(f"linli demo, fresh data dir:  {first:6.2f} s  ({verdict} the {TARGET_S:.0f} s target)")
    print(f"linli demo, already loaded:  {again:6.2f} s")


if __name__ == "__main__":
    main()
