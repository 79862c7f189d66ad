from django.core.exceptions import PermissionDenied
from django.test import TransactionTestCase, override_settings
from django.urls import reverse

from linli.accounts.roles import Role
from linli.audit.models import AuditRecord
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
