from django.http import HttpResponse
from django.shortcuts import render

from linli.core.permissions import get_restricted_or_404
from linli.core.views import requires
from linli.jobs.models import Job


@requires(Job, "view")
def job_progress(request, pk: int):
    """The progress fragment HTMX polls; when the job is done the page goes to its result."""
    job = get_restricted_or_404(Job.objects.all(), request.user, "view", pk=pk)
    if job.done and request.headers.get("HX-Request") and request.GET.get("next"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = request.GET["next"]
        return response
    return render(request, "jobs/_progress.html", {"job": job, "next": request.GET.get("next", "")})
