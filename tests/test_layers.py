"""The compute core never imports Django (DESIGN §3)."""

import subprocess
import sys

CORE_MODULES = [
    "linli.policy",
    "linli.planning.network",
    "linli.planning.access",
    "linli.planning.siting",
    "linli.planning.diagnose",
    "linli.planning.gaps",
    "linli.planning.site_plan",
    "linli.planning.reach",
    "linli.planning.tables",
    "linli.planning.batch",
    "linli.geo.crs",
    "linli.geo.offsets",
    "linli.geo.io",
    "linli.geo.extent",
    "linli.demo.city",
    "linli.validators",
]


def test_core_modules_do_not_load_django():
    # One fresh interpreter imports them all, naming the first module after which Django
    # appears in sys.modules (importing the core is slow: numba, scipy, pyproj).
    code = (
        "import importlib, sys\n"
        f"for name in {CORE_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "    if 'django' in sys.modules:\n"
        "        sys.exit(f'{name} imports Django')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
