"""Running jobs: in-process worker threads by default, synchronously in tests.

A handler is ``handler(job, report) -> result``: it reads ``job.params``, calls
``report(percent, message)`` as it goes and returns JSON-safe data. Handlers call the
compute core (``linli.planning``), which is where a Dask cluster would take over for a
national run (one task per city, ``LINLI_DASK_SCHEDULER``); the web platform itself only
needs one worker per process.

Worker threads die with their process: a job that was queued or running when the server
stopped would wait for ever. Each job records its process (``runner``, host:pid), and
:func:`recover_interrupted`, called when the server starts, fails those whose process on this
host is gone, so their users see "run it again" instead of a progress bar that never moves.
"""

from __future__ import annotations

import logging
import os
import socket
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connections, transaction
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


def _runner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _submit(job_id: int) -> None:
    global _executor
    _update(job_id, runner=_runner_id())
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=settings.JOBS_WORKERS, thread_name_prefix="job")
    _executor.submit(_run_in_thread, job_id)


def _run_in_thread(job_id: int) -> None:
    close_old_connections()
    try:
        run(job_id)
    finally:
        # Jobs are minutes apart: an idle worker keeps no connection open (it would hold the
        # database, and keep a test database from being dropped).
        connections.close_all()


def _update(job_id: int, **fields) -> None:
    Job.objects.filter(pk=job_id).update(**fields)


def run(job_id: int) -> None:
    job = Job.objects.get(pk=job_id)
    _update(
        job_id,
        status=JobStatus.RUNNING,
        started_at=timezone.now(),
        progress=0,
        runner=_runner_id(),  # inline runs (CLI, tests) are claimed too
    )

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


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a process of another user holds the pid
        return True
    return True


def recover_interrupted() -> int:
    """Fail the unfinished jobs of processes on this host that no longer run; return how many.

    A job with no runner a minute after its creation was submitted by a process that stopped
    before its transaction's commit handed the job over.
    """
    host = socket.gethostname()
    handed_over_by = timezone.now() - timedelta(minutes=1)
    lost = []
    unfinished = Job.objects.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING])
    for job_id, runner, created_at in unfinished.values_list("pk", "runner", "created_at"):
        runner_host, _sep, pid = runner.rpartition(":")
        if runner_host == host and pid.isdigit() and not _alive(int(pid)):
            lost.append(job_id)
        elif not runner and created_at < handed_over_by:
            lost.append(job_id)
    return unfinished.filter(pk__in=lost).update(
        status=JobStatus.FAILED, finished_at=timezone.now(), error=Job.INTERRUPTED
    )
