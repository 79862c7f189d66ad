"""Upload a registry file, preview the dry run, confirm; download the xlsx templates."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from linli.core.exports import XLSX_TYPE
from linli.core.permissions import has_permission
from linli.registry.columns import SPECS
from linli.registry.imports import registry_import, registry_template
from linli.registry.imports.readers import SUFFIXES

SESSION_KEY = "registry_import"
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
# A preview not confirmed within a day belongs to a session the idle timeout has long ended.
ABANDONED_AFTER = timedelta(days=1)
SOURCES = [
    ("wgs84", gettext_lazy("WGS 84 (GPS)")),
    ("cgcs2000", gettext_lazy("CGCS2000 (Tianditu)")),
    ("gcj02", gettext_lazy("GCJ-02 (Amap, Tencent)")),
    ("bd09", gettext_lazy("BD-09 (Baidu)")),
]


def _kinds(user) -> list[str]:
    """Kinds the user may import: adding and changing that model."""
    return [
        kind
        for kind, spec in SPECS.items()
        if has_permission(user, spec.model, "add") and has_permission(user, spec.model, "change")
    ]


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What the file holds"), widget=forms.Select({"class": "form-select"})
    )
    source = forms.ChoiceField(
        label=gettext_lazy("Coordinates from"),
        choices=SOURCES,
        widget=forms.Select({"class": "form-select"}),
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "xlsx, CSV (UTF-8 or GBK), GeoJSON, GeoPackage or a zipped Shapefile"
        ),
        widget=forms.ClearableFileInput({"class": "form-control"}),
    )

    def __init__(self, *args, kinds: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (kind, SPECS[kind].model._meta.verbose_name_plural) for kind in kinds
        ]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in SUFFIXES:
            raise forms.ValidationError(_("Upload an xlsx, CSV, GeoJSON, GeoPackage or zip file."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 50 MB."))
        return upload


def _uploads() -> Path:
    return settings.DATA_DIR / "uploads"


def _store(upload) -> Path:
    """Keep the upload for the confirm step under a generated name (never the user's)."""
    folder = _uploads()
    folder.mkdir(parents=True, exist_ok=True)
    _prune_abandoned(folder)
    path = folder / f"{uuid.uuid4().hex}{Path(upload.name).suffix.lower()}"
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return path


def _prune_abandoned(folder: Path) -> None:
    """Delete uploads whose preview was never confirmed nor replaced (the user walked away)."""
    cutoff = time.time() - ABANDONED_AFTER.total_seconds()
    for path in folder.iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:  # another request pruned it first
            pass


def _discard(request) -> None:
    pending = request.session.pop(SESSION_KEY, None)
    if pending:
        (_uploads() / pending["stored"]).unlink(missing_ok=True)


def _run(request, pending: dict, dry_run: bool):
    return registry_import(
        actor=request.user,
        kind=pending["kind"],
        path=_uploads() / pending["stored"],
        source=pending["source"],
        dry_run=dry_run,
        filename=pending["filename"],
    )


def _render_preview(request, pending: dict, report):
    context = {
        "title": _("Import preview"),
        "report": report,
        "kind_label": SPECS[pending["kind"]].model._meta.verbose_name_plural,
        "source_label": dict(SOURCES)[pending["source"]],
    }
    return render(request, "registry/import/preview.html", context)


@login_required
def import_start(request):
    kinds = _kinds(request.user)
    if not kinds:
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        _discard(request)  # one pending import per session
        upload = form.cleaned_data["file"]
        pending = {
            "kind": form.cleaned_data["kind"],
            "source": form.cleaned_data["source"],
            "stored": _store(upload).name,
            "filename": Path(upload.name).name[:200],
        }
        request.session[SESSION_KEY] = pending
        return _render_preview(request, pending, _run(request, pending, dry_run=True))
    templates = [(kind, SPECS[kind].model._meta.verbose_name_plural) for kind in kinds]
    return render(
        request,
        "registry/import/start.html",
        {"title": _("Import registry data"), "form": form, "templates": templates},
    )


@login_required
@require_POST
def import_confirm(request):
    pending = request.session.get(SESSION_KEY)
    if pending and not (_uploads() / pending["stored"]).exists():
        _discard(request)  # pruned as abandoned
        pending = None
    if not pending:
        messages.warning(request, _("Nothing to import: upload the file again."))
        return redirect("registry_import:start")
    if pending["kind"] not in _kinds(request.user):
        raise PermissionDenied
    report = _run(request, pending, dry_run=False)  # validated again: data may have moved
    if not report.applied:
        return _render_preview(request, pending, report)
    _discard(request)
    messages.success(
        request,
        _("Imported %(file)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
        % {
            "file": report.file,
            "created": report.to_create,
            "updated": report.to_update,
            "unchanged": report.unchanged,
        },
    )
    return redirect("registry_import:start")


@login_required
def template_download(request, kind: str):
    if kind not in SPECS:
        raise Http404
    if kind not in _kinds(request.user):
        raise PermissionDenied
    response = HttpResponse(registry_template(kind), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.xlsx"'
    return response
