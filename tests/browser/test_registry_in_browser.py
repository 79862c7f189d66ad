"""A street officer signs in, sees the Chinese UI, and the facility map of its street only."""

import re

import pytest

from linli.accounts.roles import Role
from linli.core.testing import make_tree, make_user
from linli.registry.testing import make_registry
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def street_officer():
    tree = make_tree()
    make_registry(tree)
    return make_user(tree, Role.STREET_OFFICER, tree.street_a, "street-a-officer")


def test_street_officer_sees_its_facilities_on_the_map(
    live_server, page, screenshot, street_officer
):
    page.goto(live_server.url)
    assert page.locator("h2", has_text="登录").count() == 1
    screenshot("login")

    sign_in(page, live_server.url, street_officer.username)
    assert page.locator("#todo-list").is_visible()
    screenshot("home-street-officer")

    page.goto(f"{live_server.url}/registry/facilities/")
    map_element = page.locator(".linli-map")
    # map.js records how many features it drew once the layer has loaded.
    page.wait_for_selector(".linli-map[data-features]")
    assert map_element.get_attribute("data-features") == "1"
    assert page.locator(".leaflet-interactive").count() == 1
    body = page.inner_text("body")
    assert "甲一社区养老服务驿站" in body and "乙一社区" not in body
    screenshot("facilities-street-officer")

    page.click("button[value=en]")
    page.wait_for_load_state()
    assert re.search(r"\bFacilities\b", page.inner_text("h2"))
