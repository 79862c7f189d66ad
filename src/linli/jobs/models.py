from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from linli.core.permissions import RestrictedQuerySet


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Finished")
    FAILED = "failed", _("Failed")


# What each kind of job is called, in words: filled by ``runner.register(kind, label)``.
KIND_LABELS: dict[str, str] = {}


class Job(models.Model):
    """A long computation (a district's diagnosis, a site plan) run outside the request.

    Scoped by the jurisdiction it is about: whoever may see that area may see the job.
    """

    kind = models.CharField(_("kind"), max_length=32)
    jurisdiction = models.ForeignKey(
        "registry.Jurisdiction",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("jurisdiction"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    message = models.CharField(_("message"), max_length=200, blank=True)
    params = models.JSONField(_("parameters"), default=dict)
    result = models.JSONField(_("result"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    # Who holds the job (see runner.py): host:pid of a server process whose worker threads
    # run it, or dask:<task key> on the Dask cluster.
    runner = models.CharField(_("runner"), max_length=100, blank=True)
    # Runs started; a job whose process dies is queued again until JOBS_MAX_ATTEMPTS.
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

    objects = RestrictedQuerySet.as_manager()
    scope_path = "jurisdiction__path"

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind_label} #{self.pk}"

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))

    @property
    def message_text(self) -> str:
        """``message`` in the reader's language: it is kept as its source words (see
        :mod:`linli.jobs.runner`), rows written before included."""
        return gettext(self.message) if self.message else ""

    # ``error`` of a job whose process died JOBS_MAX_ATTEMPTS times before finishing it.
    INTERRUPTED = "interrupted"

    @property
    def interrupted(self) -> bool:
        return self.status == JobStatus.FAILED and self.error == self.INTERRUPTED

    @property
    def done(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)
