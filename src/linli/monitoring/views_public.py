"""Public pages (no account): districts and projects the city marked public."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from linli.funding import attachments as files
from linli.funding.models import Attachment, Milestone
from linli.monitoring import public
from linli.registry.models import Jurisdiction, Level


def index(request):
    return render(
        request,
        "monitoring/public/index.html",
        {
            "title": _("Community service facilities: progress"),
            "districts": public.public_districts(),
        },
    )


def district(request, pk: int):
    node = get_object_or_404(Jurisdiction, pk=pk, level=Level.DISTRICT)
    projects = [public.public_project(p) for p in public.district_projects(node)]
    if not projects:
        raise Http404
    return render(
        request,
        "monitoring/public/district.html",
        {
            "title": node.name,
            "crumbs": [("", node.name)],
            "district": node,
            "projects": projects,
            "money": public.district_money(node),
        },
    )


def project(request, pk: int):
    found = get_object_or_404(public.public_projects().select_related("site"), pk=pk)
    shown = public.public_project(found)
    crumbs = [(shown.district_url, shown.district), ("", shown.name)]
    return render(
        request,
        "monitoring/public/project.html",
        {"title": shown.name, "crumbs": crumbs, "project": shown},
    )


def photo(request, pk: int, attachment: int):
    """A milestone photo of a public project (images only; documents stay internal)."""
    found = get_object_or_404(public.public_projects(), pk=pk)
    evidence = get_object_or_404(
        Attachment,
        pk=attachment,
        application=found,
        content_type__in=public.IMAGE_TYPES,
        pk__in=Milestone.objects.filter(application=found).values("evidence"),
    )
    path = files.stored_path(evidence.stored_name)
    if not path.is_file():
        raise Http404
    return FileResponse(path.open("rb"), content_type=evidence.content_type)
