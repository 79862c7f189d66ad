"""The jurisdiction picker: search and browse a tree of tens of thousands of nodes.

A real city has ~50 000 jurisdiction nodes; a ``<select>`` of all of them is megabytes of
HTML that nobody can scroll. The form renders only the chosen node (``TreePicker``); the
browser asks ``pick_nodes`` for a bounded page of matches or of one node's children. No
maintained Django widget does scoped, materialised-path browsing with search and no CDN
(django-autocomplete-light and django-select2 fetch flat lists and need their own JS
stacks), so this one is small and ours.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.db.models import Q
from django.urls import reverse_lazy

from linli.core.permissions import restrict
from linli.registry.models import Jurisdiction, Level

PAGE = 30  # results per answer: enough to see, small enough to answer fast
TRAIL_SEPARATOR = " › "


@dataclass(frozen=True)
class PickedNode:
    id: int
    name: str
    level: str
    level_label: str
    trail: str  # the ancestors' names, city first
    selectable: bool
    has_children: bool

    def as_json(self) -> dict:
        return self.__dict__.copy()


def pick_nodes(
    user,
    *,
    query: str = "",
    levels: tuple[str, ...] = (),
    parent: int | None = None,
) -> tuple[list[PickedNode], bool]:
    """A page of nodes the user may see, and whether more match.

    With ``query``: nodes of ``levels`` whose name contains it or whose code starts with it,
    the shallowest first. With ``parent``: that node's children (any level, to browse down).
    With neither: the user's own node, the top of what they may see.
    """
    nodes = restrict(Jurisdiction.objects.all(), user)
    query = query.strip()
    if query:
        nodes = nodes.filter(Q(name__icontains=query) | Q(code__startswith=query))
        if levels:
            nodes = nodes.filter(level__in=levels)
        nodes = nodes.order_by("depth", "path")
    elif parent is not None:
        parent_node = nodes.filter(pk=parent).first()
        if parent_node is None:
            return [], False
        nodes = nodes.filter(
            path__startswith=parent_node.path, depth=parent_node.depth + 1
        ).order_by("path")
    else:
        nodes = nodes.filter(pk=user.jurisdiction_id)
    page = list(nodes.only("pk", "path", "depth", "numchild", "name", "level")[: PAGE + 1])
    more = len(page) > PAGE
    page = page[:PAGE]
    trails = _trails(page)
    return [
        PickedNode(
            id=node.pk,
            name=node.name,
            level=node.level,
            level_label=str(Level(node.level).label),
            trail=trails[node.path],
            selectable=not levels or node.level in levels,
            has_children=node.numchild > 0,
        )
        for node in page
    ], more


def _trails(nodes: list[Jurisdiction]) -> dict[str, str]:
    """Each node's ancestors' names, fetched for the whole page in one query."""
    step = Jurisdiction.steplen
    wanted = {
        node.path: [node.path[: step * depth] for depth in range(1, node.depth)] for node in nodes
    }
    paths = {path for ancestors in wanted.values() for path in ancestors}
    names = dict(Jurisdiction.objects.filter(path__in=paths).values_list("path", "name"))
    return {
        path: TRAIL_SEPARATOR.join(names[a] for a in ancestors if a in names)
        for path, ancestors in wanted.items()
    }


def node_label(node: Jurisdiction) -> str:
    """How the picker names a chosen node: its trail and its name."""
    trail = _trails([node])[node.path]
    return f"{trail}{TRAIL_SEPARATOR}{node.name}" if trail else node.name


class TreePicker(forms.Select):
    """A jurisdiction field as a search box over ``pick_nodes``.

    The ``<select>`` holds only the chosen node, so the page stays small whatever the size of
    the tree; ``tree_picker.js`` hides it behind a search box and a browsable list. The form's
    queryset still decides what is valid on submission.
    """

    template_name = "widgets/tree_picker.html"

    def __init__(self, *, levels=(), attrs=None):
        super().__init__(attrs=attrs)
        self.levels = tuple(levels)

    def optgroups(self, name, value, attrs=None):
        chosen = {str(v) for v in value if v not in (None, "")}
        nodes = Jurisdiction.objects.filter(pk__in=[v for v in chosen if v.isdigit()])
        options = [
            self.create_option(name, node.pk, node_label(node), True, index)
            for index, node in enumerate(nodes)
        ]
        if not self.is_required or not options:
            options.insert(0, self.create_option(name, "", "", not options, 0))
        return [(None, options, 0)]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["picker"] = {
            "url": reverse_lazy("registry:jurisdiction_pick"),
            "levels": ",".join(self.levels),
        }
        return context


def use_tree_picker(field: forms.ModelChoiceField, *levels: str) -> None:
    """Show ``field`` (a choice of jurisdiction nodes) as the searchable picker."""
    picker = TreePicker(levels=levels, attrs=field.widget.attrs)
    picker.is_required = field.required
    field.widget = picker
