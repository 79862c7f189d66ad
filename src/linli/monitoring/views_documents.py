"""Documents of a project: draft from data, see every version, upload edited and signed files."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core.permissions import get_restricted_or_404, has_permission, restrict
from linli.core.views import requires
from linli.funding.models import Application, Tranche
from linli.monitoring import documents
from linli.monitoring.models import Document, DocumentKind, DocumentVersion, VersionStage


def _errors(request, error) -> None:
    for message in getattr(error, "messages", [str(error)]):
        messages.error(request, message)


@require_POST
@requires(Document, "add")
def document_create(request, pk: int):
    project = get_restricted_or_404(Application.objects.all(), request.user, pk=pk)
    kind = request.POST.get("kind", "")
    tranche = None
    if request.POST.get("tranche"):
        tranche = get_restricted_or_404(
            Tranche.objects.filter(application=project),
            request.user,
            pk=request.POST["tranche"] if request.POST["tranche"].isdigit() else 0,
        )
    try:
        document = documents.document_draft(
            actor=request.user, application=project, kind=kind, tranche=tranche
        )
    except (ValidationError, PermissionDenied) as error:
        _errors(request, error)
        return redirect("monitoring:project_detail", pk=project.pk)
    messages.success(request, _("The draft was generated from the data and kept."))
    return redirect(document)


@requires(Document, "view")
def document_detail(request, pk: int):
    document = get_restricted_or_404(Document.objects.all(), request.user, pk=pk)
    versions = (
        restrict(DocumentVersion.objects.filter(document=document), request.user)
        .defer("content")
        .select_related("created_by")
    )
    return render(
        request,
        "monitoring/document_detail.html",
        {
            "title": str(document),
            "crumbs": [
                (reverse("monitoring:project_list"), _("Project monitoring")),
                (
                    reverse("monitoring:project_detail", args=[document.application_id]),
                    document.application.name,
                ),
                (None, document.get_kind_display()),
            ],
            "document": document,
            "versions": versions,
            "may_sign": has_permission(request.user, Document, "sign"),
            "stages": [
                (VersionStage.EDITED, VersionStage.EDITED.label),
                (VersionStage.SIGNED, VersionStage.SIGNED.label),
            ],
        },
    )


@require_POST
@requires(Document, "sign")
def document_upload(request, pk: int):
    document = get_restricted_or_404(Document.objects.all(), request.user, pk=pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("File: choose the file to upload."))
        return redirect(document)
    try:
        documents.document_upload(
            actor=request.user,
            document=document,
            stage=request.POST.get("stage", ""),
            upload=upload,
        )
    except (ValidationError, PermissionDenied) as error:
        _errors(request, error)
    else:
        messages.success(request, _("The file was kept beside the earlier versions."))
    return redirect(document)


@requires(DocumentVersion, "view")
def version_download(request, pk: int):
    version = get_restricted_or_404(DocumentVersion.objects.all(), request.user, pk=pk)
    if not version.content:
        raise Http404
    response = HttpResponse(bytes(version.content), content_type=version.content_type)
    extension = version.file_name.rsplit(".", 1)[-1]
    response["Content-Disposition"] = f'attachment; filename="document-{version.pk}.{extension}"'
    return response


def kinds_for(user, project: Application) -> list[tuple[str, str, Tranche | None]]:
    """The documents this user could draft for the project now: (kind, label, tranche)."""
    if not has_permission(user, Document, "add") or user.jurisdiction is None:
        return []
    city = user.jurisdiction.level == "city"
    found = []
    for kind in DocumentKind:
        if (kind in documents.CITY_DOCUMENTS) != city:
            continue
        if kind == DocumentKind.RELEASE_NOTICE:
            for tranche in project.tranches.filter(state__in=("approved", "released")):
                found.append((kind.value, f"{kind.label} · {tranche.amount_cny}", tranche))
        elif kind == DocumentKind.APPROVAL and not hasattr(project, "subsidy_approval"):
            continue
        else:
            found.append((kind.value, kind.label, None))
    return found
