"""Monitoring screens for officials: the dashboard of a node and the list behind each figure.
Views are thin: the figures come from :mod:`linli.monitoring.dashboard` (through ``restrict``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from linli.core.exports import xlsx_response
from linli.core.permissions import get_restricted_or_404, restrict
from linli.monitoring import dashboard as selectors
from linli.registry.models import Jurisdiction, Level

DASHBOARD = "monitoring.view_dashboard"


def _require_dashboard(user) -> None:
    if not user.has_perm(DASHBOARD):
        raise PermissionDenied


def _node(request) -> Jurisdiction:
    """The node asked for (``?node=``), which must lie in the user's scope; their own by default."""
    pk = request.GET.get("node") or request.user.jurisdiction_id
    if not str(pk).isdigit():
        raise Http404
    return get_restricted_or_404(Jurisdiction.objects.all(), request.user, pk=int(pk))


def _crumbs(request, node: Jurisdiction, last_link: bool = False) -> list[tuple[str, str]]:
    """From the user's own node down to ``node``: the path of the drill-down."""
    visible = restrict(Jurisdiction.objects.all(), request.user)
    chain = [*visible.filter(pk__in=Jurisdiction.objects.get_ancestors(node).values("pk")), node]
    return [(selectors.dashboard_url(j) if (j != node or last_link) else "", j.name) for j in chain]


@login_required
def dashboard(request):
    _require_dashboard(request.user)
    node = _node(request)
    board = selectors.Dashboard(request.user, node)
    children = []
    if node.level != Level.COMMUNITY:
        children = [
            (child, selectors.dashboard_url(child))
            for child in restrict(Jurisdiction.objects.get_children(node), request.user).exclude(
                level=Level.COMPOUND
            )
        ]
    return render(
        request,
        "monitoring/dashboard.html",
        {
            "title": _("Programme dashboard: %(node)s") % {"node": node.name},
            "crumbs": _crumbs(request, node),
            "node": node,
            "board": board,
            "children": children,
            "chart": board.chart_data(),
            "openings": selectors.before_and_after(request.user, node),
        },
    )


@login_required
def figure(request, key: str):
    """The rows a figure adds up, with their total (the figure itself)."""
    _require_dashboard(request.user)
    measure = selectors.MEASURES.get(key)
    if measure is None:
        raise Http404
    if not measure.allowed(request.user):
        raise PermissionDenied
    node = _node(request)
    param = request.GET.get("param", "")
    try:
        title = measure.title(param)
        rows = measure.rows(request.user, node, param)
    except (KeyError, ValueError):
        raise Http404 from None
    total = sum((row.amount for row in rows), start=selectors.Decimal(0))
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            f"{key}.xlsx",
            key,
            [_("Item"), _("Where / state"), _("Amount")],
            [*([r.label, r.detail, r.amount] for r in rows), [_("Total"), "", total]],
        )
    return render(
        request,
        "monitoring/figure.html",
        {
            "title": f"{title} · {node.name}",
            "crumbs": _crumbs(request, node, last_link=True),
            "rows": rows,
            "total": total,
            "node": node,
        },
    )
