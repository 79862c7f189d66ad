"""A district officer runs a site plan from the menu, as a person would: the page polls the
background job and lands on the plan (it once landed on Not Found), whose map draws each site's
walking reach with a legend; from there an application is started for the call open today."""

import re

import pytest
from django.test import override_settings

from linli.accounts.roles import Role
from linli.core.testing import make_tree, make_user
from linli.funding.testing import open_call
from linli.registry.testing import make_registry
from tests.browser.conftest import sign_in
from tests.plans.network import NETWORK

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def offices():
    tree = make_tree()
    make_registry(tree)
    city = make_user(tree, Role.CITY_ADMIN, tree.city, "city-office")
    open_call(city, [tree.district])
    return make_user(tree, Role.STREET_OFFICER, tree.street_a, "street-officer")


# The job runs on the worker thread, as in production: the page shows its progress first.
@override_settings(PLANNING_NETWORK_FILE=str(NETWORK), JOBS_EAGER=False)
def test_a_site_plan_from_the_menu_to_its_result(live_server, page, screenshot, offices):
    base = live_server.url
    sign_in(page, base, offices.username)
    page.click("#sidebar-menu a:has-text('选址方案')")
    page.wait_for_url(f"{base}/plans/sites/")
    page.fill("#id_budget_wan", "300")
    screenshot("site-plan-01-form")
    page.click("button:has-text('生成方案')")
    page.wait_for_url(re.compile(r"/plans/sites/\d+/$"))
    page.wait_for_selector("#site-plan-map[data-legend='shown']", timeout=120_000)
    assert "Not Found" not in page.content()
    assert page.locator("#site-plan-map[data-sites='1']").count() == 1
    # The reach is drawn as an area along the streets (a path), with the ranked marker.
    assert page.locator("#site-plan-map .leaflet-overlay-pane path").count() >= 1
    assert page.locator(".linli-legend").inner_text().count("\n") >= 3
    assert "甲一社区闲置仓库" in page.inner_text("table")
    screenshot("site-plan-02-result")

    page.click("a:has-text('生成申报')")
    page.wait_for_selector("#apply-form")
    assert page.is_checked("#apply-form input[name=call]")  # the call open today
    screenshot("site-plan-03-choose-call")
    page.click("#apply-form button[type=submit]")
    page.wait_for_url(re.compile(r"/funding/applications/\d+/edit/$"))
    assert page.input_value("#id_name").startswith("甲一社区闲置仓库")
    screenshot("site-plan-04-draft-application")
