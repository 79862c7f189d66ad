"""Settings for the test suite: the production settings with a throw-away data dir.

``LINLI_DATABASE_URL`` still picks the database, so the same suite runs on SQLite and
on PostgreSQL (see .ci/run).
"""

import atexit
import os
import shutil
import tempfile


def _throw_away_data_dir(prefix: str) -> str:
    path = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


# pytest-xdist workers inherit the controller's environment, data dir included: give each
# worker its own, or one worker's uploads and caches appear in another's assertions. A process
# a worker starts (a CLI test) inherits LINLI_TEST_WORKER and so keeps the worker's dir.
_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker and os.environ.get("LINLI_TEST_WORKER") != _worker:
    os.environ["LINLI_DATA_DIR"] = _throw_away_data_dir(f"linli-test-{_worker}-")
    os.environ["LINLI_TEST_WORKER"] = _worker
elif "LINLI_DATA_DIR" not in os.environ:
    os.environ["LINLI_DATA_DIR"] = _throw_away_data_dir("linli-test-")
os.environ.setdefault("LINLI_SECRET_KEY", "test-secret-key-not-for-production-" + "x" * 20)
os.environ.setdefault("LINLI_HTTPS", "false")

from linli.web.settings import *  # noqa: E402,F403

JOBS_EAGER = True  # run background jobs inline, inside the test transaction

# Hashing strength is not under test; speed is.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Notices and one-time codes are kept in memory, where tests read them.
NOTIFY_BACKENDS = CODE_SENDER = "memory"
