"""A district officer runs a gap diagnosis from the page and reads the map, chart and table."""

import pytest
from django.test import override_settings

from linli.accounts.roles import Role
from linli.core.testing import make_tree, make_user
from linli.registry.testing import make_registry
from tests.browser.conftest import pick_node, sign_in
from tests.plans.network import NETWORK

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def district_officer():
    tree = make_tree()
    make_registry(tree)
    return make_user(tree, Role.DISTRICT_OFFICER, tree.district, "district-officer")


@override_settings(PLANNING_NETWORK_FILE=str(NETWORK), JOBS_EAGER=True)
def test_diagnosis_from_the_page(live_server, page, screenshot, district_officer):
    sign_in(page, live_server.url, district_officer.username)
    page.goto(f"{live_server.url}/plans/diagnoses/")
    pick_node(page, "id_area", "测试区")
    page.click("button:has-text('运行诊断')")
    page.wait_for_selector("#diagnosis-table")
    page.wait_for_selector("#diagnosis-map[data-painted='elderly_care']")
    assert page.locator("#coverage-chart canvas").count() == 1
    names = page.locator("#diagnosis-table tbody td:nth-child(2)").all_inner_texts()
    assert sorted(names) == ["乙一社区", "甲一社区"]
    page.click("#diagnosis-table thead th:nth-child(1)")  # rank, descending
    ranks = page.locator("#diagnosis-table tbody td:nth-child(1)").all_inner_texts()
    assert ranks == ["2", "1"]
    page.select_option("#scenario-select", "infant_care")
    page.wait_for_selector("#diagnosis-map[data-painted='infant_care']")
    screenshot("diagnosis-district-officer")
