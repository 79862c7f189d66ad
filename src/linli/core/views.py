"""Generic views: every list and detail reads through ``restrict(user, action)``."""

from __future__ import annotations

from functools import wraps

from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView
from django_filters.views import FilterView
from django_filters.widgets import BooleanWidget
from django_tables2 import SingleTableMixin

from linli.core.exports import xlsx_response
from linli.core.permissions import get_restricted_or_404, has_permission, restrict


class PermissionMixin(LoginRequiredMixin):
    """Anonymous → login page; signed in without the model permission → 403."""

    model = None
    action = "view"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not has_permission(
            request.user, self.model, self.action
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class AnyYesNo(BooleanWidget):
    """Yes / no, or no filter: "Any" where django-filter offers "Unknown"."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", _("Any")), ("true", _("Yes")), ("false", _("No"))]


class RestrictedListView(PermissionMixin, SingleTableMixin, FilterView):
    """A filtered, sorted, paginated table; ``?export=xlsx`` downloads the filtered rows."""

    # The table paginates (django-tables2); ListView's own ``paginate_by`` would count the rows
    # a second time. Twenty rows, as officials' systems here show by default; the reader may
    # choose up to ``MAX_PER_PAGE`` (templates/tables/cards.html offers PAGE_SIZES).
    table_pagination = {"per_page": 20}
    PAGE_SIZES = (20, 50, 100)
    MAX_PER_PAGE = 100
    export_formats: tuple[str, ...] = ("xlsx",)
    export_columns: tuple[tuple[str, str], ...] = ()  # (attribute path, header)
    export_name = "export"

    def get_queryset(self):
        return restrict(self.model._default_manager.all(), self.request.user, self.action)

    def get(self, request, *args, **kwargs):
        self._bound_page_size(request)
        export_format = request.GET.get("export")
        if export_format in self.export_formats:
            filterset = self.get_filterset(self.get_filterset_class())
            queryset = filterset.qs if filterset.is_valid() else self.get_queryset().none()
            return self.export(queryset, export_format)
        return super().get(request, *args, **kwargs)

    def _bound_page_size(self, request) -> None:
        """``per_page`` between 1 and MAX_PER_PAGE: a page of 100 000 rows is not a page."""
        size = request.GET.get("per_page")
        if size is None:
            return
        query = request.GET.copy()
        try:
            query["per_page"] = str(max(1, min(self.MAX_PER_PAGE, int(size))))
        except ValueError:
            del query["per_page"]
        request.GET = query

    def get_table(self, **kwargs):
        table = super().get_table(**kwargs)
        table.page_sizes = self.PAGE_SIZES  # the table's template offers them
        return table

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        for field in filterset.form.fields.values():
            if isinstance(field, forms.NullBooleanField):
                field.widget = AnyYesNo()
            # Tabler's look for django-filter's plain widgets.
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
        return filterset

    def export(self, queryset, export_format: str):
        headers = [header for _attr, header in self.export_columns]
        rows = (
            [_resolve(obj, attr) for attr, _h in self.export_columns] for obj in queryset.iterator()
        )
        return xlsx_response(f"{self.export_name}.xlsx", self.export_name, headers, rows)


class RestrictedDetailView(PermissionMixin, DetailView):
    def get_object(self, queryset=None):
        return get_restricted_or_404(
            self.model._default_manager.all(), self.request.user, self.action, pk=self.kwargs["pk"]
        )


def _resolve(obj, path: str):
    """Follow ``a.b.get_c_display``; methods are called, missing links give None."""
    for part in path.split("."):
        obj = getattr(obj, part)
        if callable(obj):
            obj = obj()
        if obj is None:
            return None
    return obj


def requires(model, action: str):
    """Function-view twin of :class:`PermissionMixin`: login, then the model permission."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not has_permission(request.user, model, action):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
