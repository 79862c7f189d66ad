"""No list asks the database once per row (N+1): every list view, API list and map layer.

Each list is read by every demo role that may read it, once with one row per page and once
with a full page: the number of queries must not change with the number of rows shown. The
lists are found from the URL configuration, so a new list view is guarded without a new test,
and every one must show at least two rows to some role (otherwise the guard could not fail).
"""

from __future__ import annotations

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from linli.accounts.models import User
from linli.core.views import RestrictedListView
from linli.demo.loader import load_demo
from linli.funding.models import Call
from linli.jobs.models import Job

MAP_LAYERS = ("communities", "facilities", "sites")
MAP_QUERY_LIMIT = 12  # a layer of 40–120 features in a dozen queries at most


def _list_urls() -> dict[str, str]:
    """``{url name: kind}`` of every HTML list view and API list; kind is ``html`` or ``api``."""
    found: dict[str, str] = {}

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
                continue
            assert isinstance(pattern, URLPattern)
            view = getattr(pattern.callback, "view_class", None)
            name = f"{namespace}:{pattern.name}"
            if view is not None and issubclass(view, RestrictedListView):
                found[name] = "html"
            elif namespace == "api" and (pattern.name or "").endswith("-list"):
                found[name] = "api"

    walk(get_resolver().url_patterns, None)
    return found


class TestNoQueryPerRow(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_demo()
        # The demo city has few calls for projects; a short list hardly shows a query per row.
        call = Call.objects.order_by("pk").first()
        districts = list(call.districts.all())
        call.pk = None
        call.save()
        call.districts.set(districts)
        cls.users = list(User.objects.filter(username__startswith="demo_").order_by("username"))

    def queries(self, url: str, params: dict) -> tuple[int, int, int]:
        """Status, queries and rows of one page."""
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(url, params)
        if response.status_code != 200:
            return response.status_code, 0, 0
        if response["Content-Type"].startswith("application/json"):
            rows = len(response.json()["results"])
        else:
            rows = len(response.context["table"].page.object_list)
        return 200, len(captured), rows

    def test_lists_read_a_page_in_the_same_queries_whatever_its_length(self):
        urls = _list_urls()
        self.assertGreaterEqual(len([k for k in urls.values() if k == "html"]), 14)
        guarded: set[str] = set()
        for user in self.users:
            self.client.force_login(user)
            # The first page after sign-in rolls the session's idle timeout forward (a write
            # made at most once a minute); the pages compared below are read after it.
            self.client.get(reverse("home"))
            for name, kind in urls.items():
                size = "limit" if kind == "api" else "per_page"
                url = reverse(name)
                status, one, rows_one = self.queries(url, {size: 1})
                if status != 200:
                    continue
                _status, full, rows = self.queries(url, {size: 50})
                if rows < 2:
                    continue
                with self.subTest(user=user.username, list=name):
                    self.assertEqual(rows_one, 1)
                    self.assertEqual(full, one, f"{name}: {full} queries for {rows} rows")
                guarded.add(name)
        self.assertEqual(sorted(set(urls) - guarded), [], "lists no demo role sees 2 rows of")

    def test_map_layers_and_run_lists_do_not_grow_with_their_rows(self):
        admin = User.objects.get(username="demo_city_admin")
        self.client.force_login(admin)
        for layer in MAP_LAYERS:
            url = reverse("registry:map_data", args=[layer])
            with CaptureQueriesContext(connection) as captured:
                features = self.client.get(url).json()["features"]
            with self.subTest(layer=layer):
                self.assertGreaterEqual(len(features), 40)
                self.assertLessEqual(len(captured), MAP_QUERY_LIMIT)
        planner = next(u for u in self.users if Job.objects.filter(created_by=u).exists())
        self.client.force_login(planner)
        self.client.get(reverse("home"))  # the once-a-minute session refresh, before counting
        for name in ("plans:diagnosis_list", "plans:site_plan_list"):
            kind = "diagnose" if "diagnosis" in name else "site_plan"
            counts = []
            for _round in range(2):
                job = Job.objects.filter(kind=kind).first()
                for _copy in range(5):  # five more runs to list
                    job.pk = None
                    job.save()
                with CaptureQueriesContext(connection) as captured:
                    self.assertEqual(self.client.get(reverse(name)).status_code, 200)
                counts.append(len(captured))
            with self.subTest(list=name):
                self.assertEqual(counts[0], counts[1])
