from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, OuterRef, ProtectedError, Subquery
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.core.permissions import get_restricted_or_404, has_permission, restrict
from linli.core.views import RestrictedDetailView, RestrictedListView, requires
from linli.registry import filtersets, forms, services, tables
from linli.registry.exports import export_response
from linli.registry.forms import JurisdictionForm
from linli.registry.locations import location_warning
from linli.registry.map import map_features
from linli.registry.models import (
    LEVEL_ORDER,
    CandidateSite,
    Community,
    Compound,
    Facility,
    Jurisdiction,
    Level,
    Operator,
    parent_path,
)
from linli.registry.picker import pick_nodes


class JurisdictionListView(RestrictedListView):
    model = Jurisdiction
    table_class = tables.JurisdictionTable
    filterset_class = filtersets.JurisdictionFilterSet
    template_name = "registry/jurisdiction_list.html"
    extra_context = {"title": gettext_lazy("Jurisdictions")}
    export_name = "jurisdictions"
    export_columns = (
        ("code", gettext_lazy("administrative code")),
        ("name", gettext_lazy("name")),
        ("get_level_display", gettext_lazy("level")),
    )


class JurisdictionDetailView(RestrictedDetailView):
    model = Jurisdiction
    template_name = "registry/jurisdiction_detail.html"

    def get_context_data(self, **kwargs):
        visible = restrict(Jurisdiction.objects.all(), self.request.user)
        node = self.object
        ancestors = [a.pk for a in Jurisdiction.objects.get_ancestors(node)]
        return super().get_context_data(
            # Breadcrumbs stop at the top of the user's scope: higher nodes are not theirs.
            ancestors=visible.filter(pk__in=ancestors),
            children=visible.filter(pk__in=Jurisdiction.objects.get_children(node).values("pk")),
            child_level=_child_level(node),
            can_add=has_permission(self.request.user, Jurisdiction, "add"),
            can_change=has_permission(self.request.user, Jurisdiction, "change"),
            **kwargs,
        )


def _child_level(node: Jurisdiction) -> str | None:
    index = LEVEL_ORDER.index(node.level) + 1
    return LEVEL_ORDER[index] if index < len(LEVEL_ORDER) else None


@requires(Jurisdiction, "add")
def jurisdiction_add_child(request, pk: int):
    """Add a subordinate unit (system administrator)."""
    parent = get_restricted_or_404(Jurisdiction.objects.all(), request.user, "add", pk=pk)
    level = _child_level(parent)
    if level is None:
        raise Http404
    form = JurisdictionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        node = services.jurisdiction_create(
            actor=request.user, parent=parent, level=level, **form.cleaned_data
        )
        messages.success(request, _("%(name)s added.") % {"name": node.name})
        return redirect(node)
    title = _("Add %(level)s") % {"level": Level(level).label}
    return render(
        request,
        "registry/jurisdiction_form.html",
        {"form": form, "parent": parent, "title": title},
    )


@requires(Jurisdiction, "change")
def jurisdiction_edit(request, pk: int):
    node = get_restricted_or_404(Jurisdiction.objects.all(), request.user, "change", pk=pk)
    form = JurisdictionForm(request.POST or None, initial={"name": node.name, "code": node.code})
    form.node_pk = node.pk
    if request.method == "POST" and form.is_valid():
        node = services.jurisdiction_update(actor=request.user, node=node, **form.cleaned_data)
        messages.success(request, _("%(name)s saved.") % {"name": node.name})
        return redirect(node)
    title = _("Edit %(name)s") % {"name": node.name}
    return render(
        request, "registry/jurisdiction_form.html", {"form": form, "parent": None, "title": title}
    )


# --- Communities, facilities, candidate sites, operators ---------------------------------


class RegistryListView(RestrictedListView):
    """A registry list with its map; exports go through the shared column specification."""

    template_name = "registry/object_list.html"
    export_formats = ("xlsx", "csv", "geojson")

    def export(self, queryset, export_format: str):
        return export_response(self.model, queryset, export_format)

    def get_context_data(self, **kwargs):
        can_add = has_permission(self.request.user, self.model, "add")
        return super().get_context_data(
            create_url=reverse(f"registry:{self.model._meta.model_name}_create")
            if can_add
            else None,
            map_layer=self.map_layer,
            **kwargs,
        )


class CommunityListView(RegistryListView):
    model = Community
    table_class = tables.CommunityTable
    filterset_class = filtersets.CommunityFilterSet
    extra_context = {"title": gettext_lazy("Communities")}
    map_layer = "communities"

    def get_queryset(self):
        return super().get_queryset().select_related("jurisdiction")


class CompoundListView(RegistryListView):
    model = Compound
    table_class = tables.CompoundTable
    filterset_class = filtersets.CompoundFilterSet
    extra_context = {"title": gettext_lazy("Compounds")}
    map_layer = None

    def get_queryset(self):
        parent = Jurisdiction.objects.filter(path=parent_path(OuterRef("jurisdiction__path")))
        return (
            super()
            .get_queryset()
            .select_related("jurisdiction")
            .annotate(community_name=Subquery(parent.values("name")[:1]))
        )


class FacilityListView(RegistryListView):
    model = Facility
    table_class = tables.FacilityTable
    filterset_class = filtersets.FacilityFilterSet
    extra_context = {"title": gettext_lazy("Facilities")}
    map_layer = "facilities"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("jurisdiction", "operator")
            .prefetch_related("functions")
        )


class CandidateSiteListView(RegistryListView):
    model = CandidateSite
    table_class = tables.CandidateSiteTable
    filterset_class = filtersets.CandidateSiteFilterSet
    extra_context = {"title": gettext_lazy("Candidate sites")}
    map_layer = "sites"

    def get_queryset(self):
        return super().get_queryset().select_related("jurisdiction")


class OperatorListView(RegistryListView):
    model = Operator
    table_class = tables.OperatorTable
    filterset_class = filtersets.OperatorFilterSet
    extra_context = {"title": gettext_lazy("Operators")}
    map_layer = None
    export_formats = ("xlsx", "csv")

    def get_queryset(self):
        return super().get_queryset().annotate(facility_count=Count("facilities")).order_by("name")


class RegistryDetailView(RestrictedDetailView):
    template_name = "registry/object_detail.html"
    map_layer: str | None = None

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            fields=_field_rows(self.object),
            edit_url=(
                reverse(f"registry:{self.model._meta.model_name}_edit", args=[self.object.pk])
                if has_permission(self.request.user, self.model, "change")
                else None
            ),
            delete_url=(
                reverse(f"registry:{self.model._meta.model_name}_delete", args=[self.object.pk])
                if has_permission(self.request.user, self.model, "delete")
                else None
            ),
            map_layer=self.map_layer,
            **kwargs,
        )


class CommunityDetailView(RegistryDetailView):
    model = Community
    map_layer = "communities"

    def get_context_data(self, **kwargs):
        facilities = restrict(
            Facility.objects.filter(jurisdiction=self.object.jurisdiction), self.request.user
        ).prefetch_related("functions")
        compounds = restrict(
            Compound.objects.filter(
                jurisdiction__path__startswith=self.object.jurisdiction.path,
                jurisdiction__depth=self.object.jurisdiction.depth + 1,
            ),
            self.request.user,
        ).select_related("jurisdiction")
        return super().get_context_data(facilities=facilities, compounds=compounds, **kwargs)


class CompoundDetailView(RegistryDetailView):
    model = Compound


class FacilityDetailView(RegistryDetailView):
    model = Facility
    map_layer = "facilities"

    def get_context_data(self, **kwargs):
        return super().get_context_data(functions=self.object.functions.all(), **kwargs)


class CandidateSiteDetailView(RegistryDetailView):
    model = CandidateSite
    map_layer = "sites"


class OperatorDetailView(RegistryDetailView):
    model = Operator

    def get_context_data(self, **kwargs):
        facilities = restrict(self.object.facilities.all(), self.request.user)
        return super().get_context_data(facilities=facilities, **kwargs)


_HIDDEN_FIELDS = {"id", "boundary"}


def _field_rows(obj) -> list[tuple[str, object]]:
    """(label, display value) of each stored field, for the generic detail page."""
    rows = []
    for field in obj._meta.concrete_fields:
        if field.name in _HIDDEN_FIELDS:
            continue
        display = getattr(obj, f"get_{field.name}_display", None)
        value = display() if display else getattr(obj, field.name)
        if isinstance(value, bool):
            value = _("Yes") if value else _("No")
        rows.append((field.verbose_name, value))
    return rows


@login_required
def map_data(request, layer: str):
    """GeoJSON of one map layer: what the user may see, narrowed by ``within``."""
    try:
        collection = map_features(request.user, layer, within=request.GET.get("within"))
    except KeyError:
        raise Http404 from None
    return JsonResponse(collection)


@login_required
def jurisdiction_pick(request):
    """A page of the jurisdiction tree for the picker: matches of ``q`` or ``parent``'s
    children, within the user's scope (linli.registry.picker)."""
    levels = tuple(v for v in request.GET.get("levels", "").split(",") if v in LEVEL_ORDER)
    parent = request.GET.get("parent", "")
    nodes, more = pick_nodes(
        request.user,
        query=request.GET.get("q", "")[:100],
        levels=levels,
        parent=int(parent) if parent.isdigit() else None,
    )
    return JsonResponse({"results": [node.as_json() for node in nodes], "more": more})


# --- Create and edit ---------------------------------------------------------------------


def _saved(request, obj):
    """Back to the saved object, saying so, and warning of a doubtful location."""
    messages.success(request, _("%(name)s saved.") % {"name": obj})
    doubt = location_warning(obj)
    if doubt:
        messages.warning(request, doubt)
    return redirect(obj)


def _object_form(request, model, form_class, pk=None):
    """Create (``pk`` None) or edit a registry object through the audited services."""
    obj = get_restricted_or_404(model.objects.all(), request.user, "change", pk=pk) if pk else None
    form = form_class(request.POST or None, instance=obj, user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.fields}
        if obj is None:
            obj = services.registry_create(actor=request.user, model=model, **fields)
        else:
            obj = services.registry_update(actor=request.user, obj=obj, **fields)
        return _saved(request, obj)
    title = (
        (_("Edit %(name)s") % {"name": obj})
        if obj
        else _("New %(model)s") % {"model": model._meta.verbose_name}
    )
    return render(
        request, "registry/object_form.html", {"form": form, "title": title, "object": obj}
    )


def _form_views(model, form_class):
    @requires(model, "add")
    def create(request):
        return _object_form(request, model, form_class)

    @requires(model, "change")
    def edit(request, pk: int):
        return _object_form(request, model, form_class, pk)

    return create, edit


community_create, community_edit = _form_views(Community, forms.CommunityForm)
site_create, site_edit = _form_views(CandidateSite, forms.CandidateSiteForm)
operator_create, operator_edit = _form_views(Operator, forms.OperatorForm)


def _compound_form(request, pk=None):
    compound = (
        get_restricted_or_404(Compound.objects.all(), request.user, "change", pk=pk) if pk else None
    )
    form = forms.CompoundForm(request.POST or None, instance=compound, user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in forms.CompoundForm.Meta.fields}
        if compound is None:
            compound = services.compound_create(
                actor=request.user,
                community=form.cleaned_data["community"],
                name=form.cleaned_data["name"],
                **fields,
            )
        else:
            compound.refresh_from_db()  # the form wrote its values onto the instance
            compound = services.compound_update(
                actor=request.user, compound=compound, name=form.cleaned_data["name"], **fields
            )
        return _saved(request, compound)
    title = (
        (_("Edit %(name)s") % {"name": compound})
        if compound
        else _("New %(model)s") % {"model": Compound._meta.verbose_name}
    )
    return render(
        request, "registry/object_form.html", {"form": form, "title": title, "object": compound}
    )


@requires(Compound, "add")
def compound_create(request):
    return _compound_form(request)


@requires(Compound, "change")
def compound_edit(request, pk: int):
    return _compound_form(request, pk)


def _facility_form(request, pk=None):
    facility = (
        get_restricted_or_404(Facility.objects.all(), request.user, "change", pk=pk) if pk else None
    )
    form = forms.FacilityForm(request.POST or None, instance=facility, user=request.user)
    formset = forms.FacilityFunctionFormSet(
        request.POST or None, instance=facility, prefix="functions"
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        functions = [
            {name: value for name, value in row.items() if name not in ("id", "facility", "DELETE")}
            for row in formset.cleaned_data
            if row and not row.get("DELETE")
        ]
        fields = {name: form.cleaned_data[name] for name in form.fields}
        facility = services.facility_save(
            actor=request.user, facility=facility, functions=functions, **fields
        )
        return _saved(request, facility)
    title = (_("Edit %(name)s") % {"name": facility}) if facility else _("New facility")
    return render(
        request,
        "registry/facility_form.html",
        {"form": form, "formset": formset, "title": title, "object": facility},
    )


@requires(Facility, "add")
def facility_create(request):
    return _facility_form(request)


@requires(Facility, "change")
def facility_edit(request, pk: int):
    return _facility_form(request, pk)


# --- Delete ------------------------------------------------------------------------------


def _delete_view(model):
    """Confirm, then delete through the audited service; a record still referenced stays."""

    @requires(model, "delete")
    def delete(request, pk: int):
        obj = get_restricted_or_404(model.objects.all(), request.user, "delete", pk=pk)
        if request.method == "POST":
            try:
                services.registry_delete(actor=request.user, obj=obj)
            except ProtectedError as error:
                referenced = sorted({str(o._meta.verbose_name) for o in error.protected_objects})
                messages.error(
                    request,
                    _("%(name)s cannot be deleted: %(refs)s still refer to it.")
                    % {"name": obj, "refs": "、".join(referenced)},
                )
                return redirect(obj)
            messages.success(request, _("%(name)s deleted.") % {"name": obj})
            return redirect(f"registry:{model._meta.model_name}_list")
        title = _("Delete %(name)s") % {"name": obj}
        return render(
            request, "registry/object_confirm_delete.html", {"object": obj, "title": title}
        )

    return delete


community_delete = _delete_view(Community)
compound_delete = _delete_view(Compound)
facility_delete = _delete_view(Facility)
candidatesite_delete = _delete_view(CandidateSite)
operator_delete = _delete_view(Operator)
