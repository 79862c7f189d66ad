"""Running jobs: in-process worker threads, or a Dask cluster; synchronously in tests.

A handler is ``handler(job, report) -> result``: it reads ``job.params``, calls
``report(percent, message)`` as it goes and returns JSON-safe data. A message is English source
words marked with ``gettext_noop``: the job keeps them as they are and its page shows them in
the reader's language (:attr:`Job.message_text`). A handler that cannot run for a reason its
user can act on raises :class:`JobRefused` with such words; any other exception fails the job
with its traceback kept in ``error`` for the administrator, never shown on the page.

Where a job runs:

- by default on a worker thread of the server process that queued it (``JOBS_WORKERS``);
- with ``DASK_SCHEDULER`` (``LINLI_DASK_SCHEDULER``) as a task on that Dask cluster, the same
  executor as ``linli plan batch``. The task runs the whole job on a Dask worker, which has
  the server's settings (database included) and writes progress and result to the same job
  record; the task is fire-and-forget, so it goes on when the server restarts.

Every job records who holds it (``runner``): ``host:pid`` of a server process, or
``dask:<task key>``. A process can die with jobs in hand (a restart, a crash).
:func:`recover_jobs`, called when the server starts, finds the unfinished jobs nobody holds
any more — their process on this host is gone, their Dask task is unknown to the scheduler,
or they were never handed over — and queues them again, from the start (handlers compute and
store, so a second run is safe). A job whose process died ``JOBS_MAX_ATTEMPTS`` times is failed
as interrupted instead, so that one poisonous job cannot crash every restart.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import traceback
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connections, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_noop

from linli.jobs.models import KIND_LABELS, Job, JobStatus

log = logging.getLogger(__name__)

Report = Callable[[int, str], None]
Handler = Callable[[Job, Report], Any]
_handlers: dict[str, Handler] = {}
_executor: ThreadPoolExecutor | None = None
_dask_client = None
_dask_lock = threading.Lock()
DASK_PREFIX = "dask:"
UNFINISHED = (JobStatus.QUEUED, JobStatus.RUNNING)
UNFORESEEN = gettext_noop("The system administrator finds the cause in the server log.")


class JobRefused(Exception):
    """Why a job cannot run, in words its user can act on (source words, ``gettext_noop``)."""


def register(kind: str, label: str = "") -> Callable[[Handler], Handler]:
    """Declare the handler of a kind of job, and what people call it (``label``)."""

    def decorator(handler: Handler) -> Handler:
        _handlers[kind] = handler
        if label:
            KIND_LABELS[kind] = label
        return handler

    return decorator


def dispatch(job_id: int) -> None:
    """Run now (``JOBS_EAGER``: tests, inside their transaction) or, once the job row is
    committed, on a worker thread or the Dask cluster."""
    if settings.JOBS_EAGER:
        run(job_id)
    else:
        transaction.on_commit(lambda: _submit(job_id))


def _runner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _submit(job_id: int) -> None:
    if settings.DASK_SCHEDULER:
        _submit_to_dask(job_id)
        return
    global _executor
    _update(job_id, runner=_runner_id())
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=settings.JOBS_WORKERS, thread_name_prefix="job")
    _executor.submit(_run_in_thread, job_id)


def dask_client():
    """This process's client of the cluster at ``DASK_SCHEDULER`` (made once, shared)."""
    global _dask_client
    with _dask_lock:
        if _dask_client is None:
            from distributed import Client

            _dask_client = Client(settings.DASK_SCHEDULER, set_as_default=False, timeout=10)
        return _dask_client


def _submit_to_dask(job_id: int) -> None:
    from distributed import fire_and_forget

    key = f"linli-job-{job_id}-{uuid.uuid4().hex[:8]}"
    _update(job_id, runner=DASK_PREFIX + key)
    fire_and_forget(dask_client().submit(run_on_worker, job_id, key, key=key, pure=False))


def run_on_worker(job_id: int, key: str) -> None:
    """A job's Dask task: set Django up on the worker (once) and run the job."""
    from django.apps import apps

    if not apps.ready:
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.web.settings")
        django.setup()
    _run_in_thread(job_id, DASK_PREFIX + key)


def _run_in_thread(job_id: int, runner_id: str | None = None) -> None:
    close_old_connections()
    try:
        run(job_id, runner_id)
    finally:
        # Jobs are minutes apart: an idle worker keeps no connection open (it would hold the
        # database, and keep a test database from being dropped).
        connections.close_all()


def _update(job_id: int, **fields) -> None:
    Job.objects.filter(pk=job_id).update(**fields)


def run(job_id: int, runner_id: str | None = None) -> None:
    """Run a job here and now; ``runner_id`` names who holds it (default: this process)."""
    job = Job.objects.get(pk=job_id)
    _update(
        job_id,
        status=JobStatus.RUNNING,
        started_at=timezone.now(),
        progress=0,
        runner=runner_id or _runner_id(),  # inline runs (CLI, tests) are claimed too
        attempts=F("attempts") + 1,
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
            message=str(error)[:200] if isinstance(error, JobRefused) else UNFORESEEN,
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


def _known_task_keys(keys: list[str], dask_scheduler=None) -> list[str]:
    """Run on the scheduler: which of ``keys`` it still holds (queued, running, retried)."""
    return [key for key in keys if key in dask_scheduler.tasks]


def _lost_dask_jobs(jobs: dict[int, str]) -> list[int]:
    """Jobs whose Dask task the scheduler no longer holds (all of them without a cluster);
    none when the scheduler cannot be asked."""
    if not jobs:
        return []
    if not settings.DASK_SCHEDULER:
        return list(jobs)
    keys = {job_id: runner.removeprefix(DASK_PREFIX) for job_id, runner in jobs.items()}
    try:
        known = set(dask_client().run_on_scheduler(_known_task_keys, list(keys.values())))
    except (OSError, TimeoutError) as error:
        log.warning("Dask scheduler unreachable, its jobs are left as they are: %s", error)
        return []
    return [job_id for job_id, key in keys.items() if key not in known]


def recover_jobs() -> tuple[int, int]:
    """Queue again the unfinished jobs nobody holds any more; return (queued, failed).

    Nobody holds a job when its runner is a process on this host that no longer runs, a Dask
    task the scheduler does not know, or nothing a minute after its creation (its process
    stopped before the commit that hands it over). Jobs of processes on other hosts are left
    to those hosts. Each job is claimed with a conditional update, so two servers starting at
    once do not both queue it.
    """
    host = socket.gethostname()
    handed_over_by = timezone.now() - timedelta(minutes=1)
    unfinished = Job.objects.filter(status__in=UNFINISHED)
    lost: dict[int, str] = {}
    on_dask: dict[int, str] = {}
    for job_id, runner, created_at in unfinished.values_list("pk", "runner", "created_at"):
        runner_host, _sep, pid = runner.rpartition(":")
        if runner.startswith(DASK_PREFIX):
            on_dask[job_id] = runner
        elif runner_host == host and pid.isdigit() and not _alive(int(pid)):
            lost[job_id] = runner
        elif not runner and created_at < handed_over_by:
            lost[job_id] = runner
    for job_id in _lost_dask_jobs(on_dask):
        lost[job_id] = on_dask[job_id]
    queued = failed = 0
    for job_id, runner in lost.items():
        claim = Job.objects.filter(pk=job_id, runner=runner, status__in=UNFINISHED)
        if claim.filter(attempts__gte=settings.JOBS_MAX_ATTEMPTS).update(
            status=JobStatus.FAILED, finished_at=timezone.now(), error=Job.INTERRUPTED
        ):
            failed += 1
        elif claim.update(
            status=JobStatus.QUEUED, progress=0, runner="", message="", started_at=None
        ):
            queued += 1
            with transaction.atomic():
                dispatch(job_id)
    return queued, failed
