import argparse
import os
import socket
import subprocess
import sys
import time
from datetime import timedelta
from unittest import mock

from django.core.exceptions import PermissionDenied
from django.test import TransactionTestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from linli.accounts.roles import Role
from linli.audit.models import AuditRecord
from linli.commands import platform
from linli.core.testing import FourWayTestCase, make_tree, make_user
from linli.jobs import runner
from linli.jobs.models import Job
from linli.jobs.services import job_submit


@runner.register("test-sum")
def _sum(job, report):
    report(50, "half way")
    return {"total": sum(job.params["numbers"])}


@runner.register("test-fail")
def _fail(job, report):
    raise ValueError("the network file is unreadable")


class TestJobs(FourWayTestCase):
    def submit(self, kind="test-sum", user=None, node=None):
        return job_submit(
            actor=user or self.permitted,
            kind=kind,
            jurisdiction=node or self.tree.street_a,
            params={"numbers": [1, 2, 3]},
        )

    def test_eager_job_runs_and_is_audited(self):
        job = Job.objects.get(pk=self.submit().pk)
        self.assertEqual((job.status, job.progress, job.result), ("succeeded", 100, {"total": 6}))
        self.assertTrue(
            AuditRecord.objects.filter(object_type="jobs.job", object_id=str(job.pk)).exists()
        )

    def test_failure_is_recorded_not_raised(self):
        job = Job.objects.get(pk=self.submit("test-fail").pk)
        self.assertEqual(job.status, "failed")
        self.assertIn("the network file is unreadable", job.error)

    def test_area_outside_scope_is_refused(self):
        with self.assertRaises(PermissionDenied):
            self.submit(node=self.tree.street_b)
        with self.assertRaises(PermissionDenied):
            self.submit(user=self.unpermitted)

    def test_progress_fragment_four_ways(self):
        job = self.submit()
        other = self.submit(
            user=make_user(self.tree, Role.DISTRICT_OFFICER, self.tree.district),
            node=self.tree.street_b,
        )
        url = reverse("jobs:progress", args=[job.pk])
        self.assertEqual(self.client.get(url).status_code, 302)
        self.client.force_login(self.unpermitted)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.client.force_login(self.permitted)
        self.assertContains(self.client.get(url), "100%")
        self.assertEqual(
            self.client.get(reverse("jobs:progress", args=[other.pk])).status_code, 404
        )
        done = self.client.get(url, {"next": "/result/"}, HTTP_HX_REQUEST="true")
        self.assertEqual(done["HX-Redirect"], "/result/")


@override_settings(JOBS_EAGER=False)
class TestBackgroundWorker(TransactionTestCase):
    def test_worker_thread_runs_the_job_after_commit(self):
        tree = make_tree()
        officer = make_user(tree, Role.STREET_OFFICER, tree.street_a)
        job = job_submit(
            actor=officer, kind="test-sum", jurisdiction=tree.street_a, params={"numbers": [4, 5]}
        )
        runner._executor.shutdown(wait=True)  # the thread has finished the job
        runner._executor = None
        job.refresh_from_db()
        self.assertEqual((job.status, job.result), ("succeeded", {"total": 9}))
        self.assertEqual(job.runner, f"{socket.gethostname()}:{os.getpid()}")

    def test_an_inline_run_is_claimed_by_its_process(self):
        tree = make_tree()
        officer = make_user(tree, Role.STREET_OFFICER, tree.street_a)
        job = job_submit(
            actor=officer,
            kind="test-sum",
            jurisdiction=tree.street_a,
            params={"numbers": [1]},
            inline=True,
        )
        job.refresh_from_db()
        self.assertEqual(job.runner, f"{socket.gethostname()}:{os.getpid()}")


class TestInterruptedJobs(FourWayTestCase):
    """Jobs whose process stopped before finishing them are queued again at the next start."""

    def job(self, status, runner, age=timedelta(hours=1), attempts=1):
        job = Job.objects.create(
            kind="test-sum",
            jurisdiction=self.tree.street_a,
            created_by=self.permitted,
            status=status,
            runner=runner,
            attempts=attempts,
            params={"numbers": [2, 3]},
        )
        Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - age)
        return job

    def dead_runner(self) -> str:
        finished = subprocess.run(
            [sys.executable, "-c", "import os; print(os.getpid())"],
            capture_output=True,
            text=True,
            check=True,
        )
        return f"{socket.gethostname()}:{finished.stdout.strip()}"

    def test_jobs_of_stopped_processes_on_this_host_are_run_again(self):
        dead = self.dead_runner()
        lost_running, lost_queued = self.job("running", dead), self.job("queued", dead)
        never_handed_over = self.job("queued", "", attempts=0)
        being_handed_over = self.job("queued", "", age=timedelta(seconds=1))
        alive_here = self.job("running", f"{socket.gethostname()}:{os.getpid()}")
        other_host = self.job("running", "another-host:1")
        done = self.job("succeeded", dead)

        # Without a Dask cluster a job of a Dask task is run here, too.
        on_dask = self.job("running", "dask:linli-job-7-cafe")
        self.assertEqual(runner.recover_jobs(), (4, 0))
        for job in (lost_running, lost_queued, never_handed_over, on_dask):
            job.refresh_from_db()
            # JOBS_EAGER: queued again means run again, here.
            self.assertEqual((job.status, job.result), ("succeeded", {"total": 5}), job)
            self.assertEqual(job.runner, f"{socket.gethostname()}:{os.getpid()}")
        lost_running.refresh_from_db()
        never_handed_over.refresh_from_db()
        self.assertEqual((lost_running.attempts, never_handed_over.attempts), (2, 1))
        for job, status in (
            (alive_here, "running"),
            (other_host, "running"),
            (done, "succeeded"),
            (being_handed_over, "queued"),
        ):
            job.refresh_from_db()
            self.assertEqual(job.status, status)

    @override_settings(JOBS_MAX_ATTEMPTS=3)
    def test_a_job_whose_process_died_too_often_is_failed_as_interrupted(self):
        poisonous = self.job("running", self.dead_runner(), attempts=3)
        self.assertEqual(runner.recover_jobs(), (0, 1))
        poisonous.refresh_from_db()
        self.assertTrue(poisonous.interrupted)
        self.assertIsNotNone(poisonous.finished_at)
        self.client.force_login(self.permitted)
        page = self.client.get(reverse("jobs:progress", args=[poisonous.pk]))
        self.assertContains(page, "请重新运行")
        self.assertNotContains(page, "hx-trigger")  # the page stops polling

    def test_the_server_recovers_before_it_serves(self):
        lost = self.job("running", "")
        with mock.patch("linli.web.server.create") as create:
            platform._serve(argparse.Namespace(host="127.0.0.1", port=8765, threads=1))
        create.return_value.run.assert_called_once()
        lost.refresh_from_db()
        self.assertEqual(lost.status, "succeeded")


class TestJobsOnDask(TransactionTestCase):
    """With LINLI_DASK_SCHEDULER, jobs are tasks of that cluster writing to the same records."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        from distributed import LocalCluster

        # Threads of this process: the worker sees the test database and handlers.
        cls.cluster = LocalCluster(n_workers=1, processes=False, dashboard_address=None)
        cls.settings = override_settings(
            JOBS_EAGER=False, DASK_SCHEDULER=cls.cluster.scheduler_address
        )
        cls.settings.enable()

    @classmethod
    def tearDownClass(cls):
        cls.settings.disable()
        if runner._dask_client is not None:
            runner._dask_client.close()
            runner._dask_client = None
        cls.cluster.close()
        super().tearDownClass()

    def wait_done(self, job, seconds=60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.done:
                return job
            time.sleep(0.05)
        self.fail(f"job {job.pk} still {job.status} after {seconds} s")

    def test_a_job_runs_as_a_dask_task_and_a_lost_task_is_queued_again(self):
        tree = make_tree()
        officer = make_user(tree, Role.STREET_OFFICER, tree.street_a)
        job = job_submit(
            actor=officer, kind="test-sum", jurisdiction=tree.street_a, params={"numbers": [4, 5]}
        )
        job = self.wait_done(job)
        self.assertEqual((job.status, job.result), ("succeeded", {"total": 9}))
        self.assertTrue(job.runner.startswith("dask:linli-job-"), job.runner)

        # A task the scheduler forgot (it restarted, or gave up on a dying worker).
        Job.objects.filter(pk=job.pk).update(status="running", runner="dask:linli-job-lost")
        self.assertEqual(runner.recover_jobs(), (1, 0))
        job = self.wait_done(job)
        self.assertEqual((job.status, job.attempts), ("succeeded", 2))
        self.assertNotEqual(job.runner, "dask:linli-job-lost")
