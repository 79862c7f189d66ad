"""A table's rows rendered in one pass: the body of every list page.

django-tables2 renders each cell through a template loop and, for every cell, works out which
arguments the column's render method takes (``inspect.signature``), recomputes the column's
attributes and, for a field with choices, rebuilds the field's whole choices dict
(``get_FOO_display``): about 0.1 ms a cell, most of a list page's time under load
(``benchmarks/platform_load.py``). The library has no hook for this, so here the per-column
work is done once per table and each cell is one call. The HTML is the library's row
template's plus each cell's column header as ``data-label`` (the phone's cards);
``tests/web/test_table_rows.py`` holds the two to the same cells.
"""

from __future__ import annotations

import django_tables2 as tables
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.template.base import render_value_in_context
from django.utils import formats, timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django_tables2 import A
from django_tables2.columns import ManyToManyColumn
from django_tables2.columns.linkcolumn import BaseLinkColumn
from django_tables2.utils import AttributeDict, signature


class _Column:
    """What a cell of one column needs, worked out once per table."""

    def __init__(self, bound_column, table):
        self.bound = bound_column
        self.column = bound_column.column
        self.accessor = A(bound_column.accessor)
        self.default = bound_column.default
        self.args, self.catch_all = signature(bound_column.render)
        self.link = bound_column.link
        self.localize = bound_column.localize
        self.label = conditional_escape(bound_column.header)
        self.choices = self._choices(table)
        # Attributes that depend on the cell (callables) are computed per cell, as the
        # library does; the rest once.
        self.td = None if self._computed_attrs(table) else bound_column.attrs["td"].as_html()

    def _choices(self, table) -> dict | None:
        """The labels of a model field with choices, by value, in the active language."""
        model = getattr(getattr(table, "_meta", None), "model", None)
        if model is None or "." in self.accessor or "__" in self.accessor:
            return None
        try:
            field = model._meta.get_field(self.accessor)
        except FieldDoesNotExist:
            return None
        if not field.choices or not hasattr(model, f"get_{field.attname}_display"):
            return None
        return {value: str(label) for value, label in field.flatchoices}

    def _computed_attrs(self, table) -> bool:
        sources = [dict(table.attrs), dict(self.column.attrs)]
        return any(
            callable(value)
            for source in sources
            for key in ("td", "cell")
            for value in (source.get(key) or {}).values()
        )

    def cell(self, row, record) -> object:
        """The rendered value, as ``BoundRow.get_cell``."""
        value = None
        remainder = True
        if self.choices is not None and isinstance(record, models.Model):
            raw = getattr(record, self.accessor)
            value, remainder = self.choices.get(raw, raw), False
        if remainder:
            try:
                value = self.accessor.resolve(record)
            except Exception:
                # Columns not based on a field (the library's issue #257).
                if isinstance(self.column, BaseLinkColumn) and self.column.text is not None:
                    return self._render(row, record, None)
        if value in self.column.empty_values or (
            isinstance(self.column, ManyToManyColumn) and not value.exists()
        ):
            return self.default
        return self._render(row, record, value)

    def _render(self, row, record, value) -> object:
        offered = {
            "value": value,
            "record": record,
            "column": self.column,
            "bound_column": self.bound,
            "bound_row": row,
            "table": row.table,
        }
        if self.catch_all:
            kwargs = offered
        else:
            if any(arg not in offered for arg in self.args):
                return None
            kwargs = {arg: offered[arg] for arg in self.args}
        content = self.bound.render(**kwargs)
        return self.link(content, **offered) if self.link else content

    def td_attrs(self, value, record) -> str:
        if self.td is not None:
            return self.td
        self.bound.current_value, self.bound.current_record = value, record
        return AttributeDict(self.bound.attrs["td"]).as_html()

    def html(self, value, context) -> str:
        if self.localize is None:
            return render_value_in_context(value, context)
        return conditional_escape(formats.localize(value, use_l10n=self.localize))


def render_rows(table, context) -> SafeString:
    """``<tr>`` elements for the table's current page (the library's row template)."""
    columns = [_Column(bound, table) for bound in table.columns]
    rows = []
    for row in table.paginated_rows:
        record = row.record
        cells = []
        for column in columns:
            value = column.cell(row, record)
            cells.append(
                format_html(
                    '<td {} data-label="{}">{}</td>',
                    mark_safe(column.td_attrs(value, record)),
                    column.label,
                    mark_safe(column.html(value, context)),
                )
            )
        rows.append(format_html("<tr {}>{}</tr>", row.attrs.as_html(), mark_safe("".join(cells))))
    return mark_safe("\n".join(rows))


class LocalTimeColumn(tables.Column):
    """A date and time in the server's zone as ``2026-12-05 09:30``: formatted by ``strftime``
    because Django's localised date filter costs 0.2 ms a cell, half a list page's rows."""

    def __init__(self, *args, seconds: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.pattern = "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M"

    def render(self, value):
        return timezone.localtime(value).strftime(self.pattern)
