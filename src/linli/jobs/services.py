from __future__ import annotations

from django.db import transaction

from linli.audit.models import AuditAction
from linli.audit.services import audit_record, snapshot
from linli.core.permissions import require_in_scope, require_model_permission
from linli.jobs import runner
from linli.jobs.models import Job


@transaction.atomic
def job_submit(*, actor, kind: str, jurisdiction, params: dict, inline: bool = False) -> Job:
    """Queue a computation about ``jurisdiction`` (which must be in the actor's scope).

    ``inline`` runs it in the caller's thread before returning (command-line use).
    """
    require_model_permission(actor, "add", Job)
    require_in_scope(actor, jurisdiction)
    job = Job.objects.create(kind=kind, jurisdiction=jurisdiction, created_by=actor, params=params)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=job, after=snapshot(job))
    if inline:
        runner.run(job.pk)
    else:
        runner.dispatch(job.pk)
    return job
