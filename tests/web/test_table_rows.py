"""Rows rendered in one pass (linli.core.tables) hold the same cells as django-tables2's own
row template, for every table of the platform."""

from __future__ import annotations

import importlib
import pkgutil
import re

import django_tables2 as tables
from django.test import RequestFactory, TestCase
from django.utils import translation

import linli
from linli.core.testing import make_tree
from linli.funding.testing import draft, make_actors, open_call
from linli.registry.models import Jurisdiction
from linli.registry.testing import make_registry

CELL = re.compile(r"<td\b([^>]*)>(.*?)</td>", re.S)
LABEL = re.compile(r'\s*data-label="[^"]*"')


def _project_tables() -> list[type[tables.Table]]:
    for module in pkgutil.iter_modules(linli.__path__):
        if not module.ispkg:
            continue
        try:
            importlib.import_module(f"linli.{module.name}.tables")
        except ModuleNotFoundError:
            continue
    found, stack = [], [tables.Table]
    while stack:
        for subclass in stack.pop().__subclasses__():
            stack.append(subclass)
            if subclass.__module__.startswith("linli.") and subclass._meta.model is not None:
                found.append(subclass)
    return found


def _cells(html: str) -> list[tuple[str, str]]:
    return [
        (" ".join(LABEL.sub("", attrs).split()), " ".join(content.split()))
        for attrs, content in CELL.findall(html)
    ]


class TestRowsAsTheLibraryRendersThem(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.tree = make_tree()
        make_registry(cls.tree)
        actors = make_actors(cls.tree)
        call = open_call(actors.city_admin, [cls.tree.district])
        draft(actors.street, call, "甲一社区嵌入式服务设施", cls.tree.community_a)
        cls.user = actors.city_admin

    def test_every_table_has_the_same_cells(self):
        request = RequestFactory().get("/")
        request.user = self.user
        compared = 0
        with translation.override("zh-hans"):
            for table_class in _project_tables():
                model = table_class._meta.model
                with self.subTest(table=table_class.__name__):
                    rows = model._default_manager.all()[:20]
                    ours = table_class(rows, template_name="tables/cards.html")
                    theirs = table_class(rows, template_name="django_tables2/table.html")
                    our_cells = _cells(ours.as_html(request))
                    self.assertEqual(our_cells, _cells(theirs.as_html(request)))
                    compared += len(our_cells)
        self.assertGreater(compared, 100)  # the comparison saw real rows, not empty tables

    def test_each_cell_is_labelled_with_its_header_for_the_phone(self):
        request = RequestFactory().get("/")
        request.user = self.user
        from linli.registry.models import Facility
        from linli.registry.tables import FacilityTable

        with translation.override("zh-hans"):
            html = FacilityTable(Facility.objects.all()).as_html(request)
        self.assertIn('data-label="名称"', html)


class TestPageSize(TestCase):
    """Twenty rows by default; the reader may choose, within bounds."""

    @classmethod
    def setUpTestData(cls):
        cls.tree = make_tree()
        make_registry(cls.tree)
        cls.user = make_actors(cls.tree).city_admin

    def per_page(self, **params) -> int:
        page = self.client.get("/registry/facilities/", params)
        self.assertEqual(page.status_code, 200)
        return page.context["table"].paginator.per_page

    def test_default_and_bounds(self):
        self.client.force_login(self.user)
        self.assertEqual(self.per_page(), 20)
        self.assertEqual(self.per_page(per_page=50), 50)
        self.assertEqual(self.per_page(per_page=100_000), 100)
        self.assertEqual(self.per_page(per_page=-3), 1)
        self.assertEqual(self.per_page(per_page="many"), 20)

    def test_pages_below_the_table(self):
        # The cards template once replaced the library's wrapper and lost its pagination:
        # every list stopped at its first page with no way on.
        self.client.force_login(self.user)
        total = Jurisdiction.objects.count()
        first = self.client.get("/registry/jurisdictions/", {"per_page": 2})
        self.assertContains(first, f"共 {total} 条")
        self.assertContains(first, 'rel="next" href="?per_page=2&amp;page=2"')
        last = self.client.get("/registry/jurisdictions/", {"per_page": 2, "page": 99})
        self.assertContains(last, 'rel="prev"')
        self.assertNotContains(last, 'rel="next"')
