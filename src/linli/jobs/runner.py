"""Running jobs: in-process worker threads by default, synchronously in tests.

A handler is ``handler(job, report) -> result``: it reads ``job.params``, calls
``report(percent, message)`` as it goes and returns JSON-safe data. Handlers call the
compute core (``linli.planning``), which is where a Dask cluster would take over for a
national run (one task per city, ``LINLI_DASK_SCHEDULER``); the web platform itself only
needs one worker per process.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone

from linli.jobs.models import Job, JobStatus

log = logging.getLogger(__name__)

Report = Callable[[int, str], None]
Handler = Callable[[Job, Report], Any]
_handlers: dict[str, Handler] = {}
_executor: ThreadPoolExecutor | None = None


def register(kind: str) -> Callable[[Handler], Handler]:
    def decorator(handler: Handler) -> Handler:
        _handlers[kind] = handler
        return handler

    return decorator


def dispatch(job_id: int) -> None:
    """Run now (``JOBS_EAGER``: tests, inside their transaction) or, once the job row is
    committed, on the worker thread."""
    if settings.JOBS_EAGER:
        run(job_id)
    else:
        transaction.on_commit(lambda: _submit(job_id))


def _submit(job_id: int) -> None:
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=settings.JOBS_WORKERS, thread_name_prefix="job")
    _executor.submit(_run_in_thread, job_id)


def _run_in_thread(job_id: int) -> None:
    close_old_connections()
    try:
        run(job_id)
    finally:
        close_old_connections()


def _update(job_id: int, **fields) -> None:
    Job.objects.filter(pk=job_id).update(**fields)


def run(job_id: int) -> None:
    job = Job.objects.get(pk=job_id)
    _update(job_id, status=JobStatus.RUNNING, started_at=timezone.now(), progress=0)

    def report(percent: int, message: str = "") -> None:
        _update(job_id, progress=max(0, min(100, int(percent))), message=message[:200])

    try:
        result = _handlers[job.kind](job, report)
    except Exception as error:  # a failed job is shown to its user, not raised into the worker
        log.exception("job %s failed", job_id)
        _update(
            job_id,
            status=JobStatus.FAILED,
            finished_at=timezone.now(),
            error=f"{error}\n\n{traceback.format_exc()}"[:5000],
        )
        return
    _update(
        job_id,
        status=JobStatus.SUCCEEDED,
        finished_at=timezone.now(),
        progress=100,
        result=result,
    )
