"""The administrators' account list links only where its reader may go: every link on it,
followed by the demo's system or security administrator, opens a page (三员分立 keeps the
administrators' own accounts out of every web page, so the list does not link to them)."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest
from django.test import Client
from django.urls import reverse

from linli.accounts.models import User
from linli.accounts.roles import Role
from linli.demo.accounts import demo_username
from linli.demo.loader import load_demo
from tests.web.crawler import parse, route_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN])
@pytest.mark.parametrize("page_name", ["accounts:user_list", "accounts:request_list"])
def test_every_link_of_the_account_lists_opens_for_their_reader(db, role, page_name):
    load_demo()
    client = Client()
    client.force_login(User.objects.get(username=demo_username(role)))
    url = reverse(page_name)
    page = client.get(url)
    assert page.status_code == 200
    parsed = parse(page.content.decode())
    links = {urljoin(url, href).split("#")[0] for href in parsed.links + parsed.fragments}
    refused = []
    for link in sorted(links):
        if route_of(link) is None:
            continue  # another site, the language switch, signing out
        response = client.get(link, follow=True)
        if response.status_code != 200:
            refused.append(f"{link} answered {response.status_code}")
    assert refused == []
