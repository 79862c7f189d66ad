"""Every page works for every role: the demo walked as each of its accounts' roles, in both
languages, through Django's test client (the browser walk at a phone's width, which also
catches JavaScript errors and overflow, is ``tests/browser/test_crawl_in_browser.py``).

Fails on any 5xx, any 404 reached from a link, developer English or a code name on a zh-Hans
page, a code name on an English one, and an API list that does not answer a role's token.
Each form is sent once empty, inside a savepoint rolled back afterwards, so the walk changes
nothing it later reads.
"""

from __future__ import annotations

import traceback
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from rest_framework.authtoken.models import Token

from linli.accounts.models import User
from linli.demo.accounts import DEMO_ACCOUNTS
from linli.demo.loader import load_demo
from tests.web.crawler import Crawl, Form, Visit

pytestmark = pytest.mark.django_db

LANGUAGES = ("zh-hans", "en")


def one_account_per_role() -> list[str]:
    first: dict[str, str] = {}
    for spec in DEMO_ACCOUNTS:
        first.setdefault(spec.role, spec.username)
    return list(first.values())


def users_own_words() -> tuple[str, ...]:
    """User names and addresses (the users' own words, shown on account pages and logs)."""
    words = set()
    for username, email in User.objects.values_list("username", "email"):
        words.update(value for value in (username, email) if value)
    return tuple(sorted(words, key=len, reverse=True))


class ClientWalker:
    def __init__(self, client: Client):
        self.client = client

    def _visit(self, call) -> Visit:
        try:
            response = call()
        except Exception as error:  # a view that raised: the person would see a 500
            return Visit(500, "", problems=[f"raised {error!r}: {traceback.format_exc(limit=-3)}"])
        content_type = response.get("Content-Type", "")
        html = ""
        if content_type.startswith("text/html") and not response.streaming:
            html = response.content.decode()
        return Visit(response.status_code, content_type, html)

    def fetch(self, url: str, fragment: bool) -> Visit:
        headers = {"HX-Request": "true"} if fragment else {}
        return self._visit(lambda: self.client.get(url, headers=headers))

    def submit(self, form: Form, url: str) -> Visit:
        data = {**dict.fromkeys(form.fields, ""), **form.hidden}
        if form.method != "post":
            return self._visit(lambda: self.client.get(url, data))
        with transaction.atomic():
            visit = self._visit(lambda: self.client.post(url, data))
            transaction.set_rollback(True)
        return visit


@pytest.fixture
def demo(db):
    load_demo()
    return users_own_words()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_role_walks_the_demo_without_a_broken_page(demo, language):
    failures, visited = [], 0
    for username in one_account_per_role():
        client = Client()
        client.force_login(User.objects.get(username=username))
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        walker = ClientWalker(client)
        crawl = Crawl(walker.fetch, language, submit=walker.submit, data=demo).run("/")
        visited += len(crawl.visited)
        failures.extend(f"[{username}] {failure}" for failure in crawl.failures)
    assert visited > 100
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures)


def test_every_api_list_answers_every_role_token(demo):
    failures = []
    for username in one_account_per_role():
        user = User.objects.get(username=username)
        client = Client(headers={"Authorization": f"Token {Token.objects.create(user=user).key}"})
        root = client.get("/api/v1/", headers={"Accept": "application/json"})
        if root.status_code != 200:
            failures.append(f"[{username}] /api/v1/ answered {root.status_code}")
            continue
        for name, url in root.json().items():
            response = client.get(urlsplit(url).path, headers={"Accept": "application/json"})
            if response.status_code != 200:
                failures.append(f"[{username}] {name} answered {response.status_code}")
            elif "results" not in response.json():
                failures.append(f"[{username}] {name} is not a paginated list")
    assert not failures, "\n".join(failures)
