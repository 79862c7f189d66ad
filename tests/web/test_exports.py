"""Exports speak the reader's language: every spreadsheet a list page or a gap diagnosis
offers, downloaded in zh-Hans, holds no developer English and no code name — in its headers
and its cells (the same checks as the crawler's on a page)."""

from __future__ import annotations

import io
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation
from openpyxl import load_workbook

from linli.accounts.models import User
from linli.core.views import RestrictedListView
from linli.demo.loader import load_demo
from linli.funding.evaluation import call_pack
from linli.funding.models import Call, SubsidyApproval
from linli.jobs.models import Job, JobStatus
from linli.plans.handlers import DIAGNOSE
from linli.registry.views import RegistryListView
from tests.web.crawler import problems_in_text
from tests.web.test_crawl import one_account_per_role, users_own_words

pytestmark = pytest.mark.django_db


def _list_exports(resolver: URLResolver | None = None, namespace: str = "") -> list[str]:
    """The names of the list pages with a spreadsheet export of their own columns (the
    registry's are the import template's, in Chinese by design, and tested with it)."""
    names = []
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names += _list_exports(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            view = getattr(entry.callback, "view_class", None)
            if (
                view
                and issubclass(view, RestrictedListView)
                and not issubclass(view, RegistryListView)
                and view.export_columns
            ):
                names.append(namespace + entry.name)
    return sorted(names)


# The audit trail's snapshots are the evidence of a change, kept as the record was stored.
RAW_COLUMNS = {"audit:auditrecord_list": ("before", "after")}
# A page's path (the security log names the page a refusal came from) is an address, not prose.
_PATH = re.compile(r"(?<![\w/])/[\w./-]*")


def _cells(content: bytes, skipped: tuple[str, ...] = ()) -> list[str]:
    rows = load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True)
    headers = next(rows)
    with translation.override("zh-hans"):
        skipped_headers = {translation.gettext(name) for name in skipped}
    kept = [i for i, header in enumerate(headers) if header not in skipped_headers]
    cells = [dict(enumerate(row)) for row in rows]  # a row may end before the headers do
    return [str(header) for header in headers] + [
        str(row[i]) for row in cells for i in kept if row.get(i) is not None
    ]


def _client(username: str, language: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.fixture
def demo(db):
    load_demo()
    return users_own_words()


def _problems(client: Client, url: str, data, skipped=()) -> tuple[int, list[str]]:
    response = client.get(url)
    if response.status_code != 200:
        return response.status_code, []
    text = _PATH.sub(" ", " \n ".join(_cells(response.content, skipped)))
    return 200, problems_in_text(text, language="zh-hans", data=data)


def test_every_list_export_in_zh_hans_has_no_english_and_no_code_names(demo):
    names = _list_exports()
    assert "funding:call_list" in names and "audit:securityevent_list" in names
    failures, exported = [], set()
    for username in one_account_per_role():
        client = _client(username, "zh-hans")
        for name in names:
            url = f"{reverse(name)}?export=xlsx"
            status, problems = _problems(client, url, demo, RAW_COLUMNS.get(name, ()))
            if status == 200:
                exported.add(name)
                failures += [f"{name} as {username}: {problem}" for problem in problems]
    assert exported == set(names), f"not exported by any role: {set(names) - exported}"
    assert not failures, "\n".join(failures)


def test_the_diagnosis_export_names_the_scenarios_in_the_readers_language(demo):
    job = Job.objects.filter(kind=DIAGNOSE, status=JobStatus.SUCCEEDED).first()
    url = reverse("plans:diagnosis_export", args=[job.pk])
    status, problems = _problems(_client(job.created_by.username, "zh-hans"), url, demo)
    assert (status, problems) == (200, [])
    zh = _cells(_client(job.created_by.username, "zh-hans").get(url).content)
    en = _cells(_client(job.created_by.username, "en").get(url).content)
    assert any("养老服务" in cell for cell in zh)
    assert any("elderly care" in cell for cell in en)
    assert not any("elderly_care" in cell for cell in zh + en)


def test_the_calls_export_names_each_policy_pack_by_its_title(demo):
    call = Call.objects.first()
    url = f"{reverse('funding:call_list')}?export=xlsx"
    cells = _cells(_client("demo_city_admin", "zh-hans").get(url).content)
    assert call_pack(call).title_zh in cells
    assert call.policy_id not in cells


def test_amounts_and_rates_are_numbers_people_read(demo):
    approval = SubsidyApproval.objects.first()
    url = f"{reverse('funding:approval_list')}?export=xlsx"
    response = _client("demo_city_admin", "zh-hans").get(url)
    header, *rows = load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
    row = next(row for row in rows if row[1] == approval.letter_no)
    assert "普惠类补助比例（%）" in header
    assert row[header.index("普惠类补助比例（%）")] == float(approval.inclusive_rate * 100)
    assert row[header.index("批复补助资金（元）")] == float(approval.total_cny)
