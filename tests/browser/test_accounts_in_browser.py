"""Onboarding an official through the screens: the system administrator creates the account,
the security administrator activates it, and the official replaces the initial password."""

import pytest

from linli.accounts.roles import Role
from linli.core.testing import make_tree, make_user
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

INITIAL = "Qinghe-initial-2026"
OWN = "Her-own-passw0rd-2026"


@pytest.fixture
def administrators():
    tree = make_tree()
    return (
        tree,
        make_user(tree, Role.SYSTEM_ADMIN, tree.city, "sys"),
        make_user(tree, Role.SECURITY_ADMIN, tree.city, "sec"),
    )


def sign_out(page):
    page.click("form[action='/logout/'] button")
    page.wait_for_selector("#id_username")


def test_an_account_is_created_activated_and_its_password_replaced(
    live_server, page, screenshot, administrators
):
    tree, _sys, _sec = administrators
    base = live_server.url

    sign_in(page, base, "sys")
    page.goto(f"{base}/accounts/")
    page.click("#create")
    page.fill("#id_username", "jia-wang")
    page.fill("#id_display_name", "甲街道王科长")
    page.select_option("#id_role", "street_officer")
    page.select_option("#id_jurisdiction", label=tree.street_a.name)
    page.fill("#id_password", INITIAL)
    page.click("form.card button[type=submit]")
    page.wait_for_selector(".alert-success")
    assert "暂未启用" in page.inner_text(".alert-success")
    screenshot("accounts-01-system-admin-created")
    sign_out(page)

    sign_in(page, base, "sec")
    page.click("#todo-list a:has-text('jia-wang')")
    page.check("#id_is_active")
    page.click("form.card button[type=submit]")
    page.wait_for_selector(".alert-success")
    screenshot("accounts-02-security-admin-activated")
    sign_out(page)

    page.fill("#id_username", "jia-wang")
    page.fill("#id_password", INITIAL)
    page.click("form button[type=submit]")
    page.wait_for_selector("#id_old_password")  # every page leads here first
    assert page.url.endswith("/accounts/password/")
    screenshot("accounts-03-first-sign-in")
    page.fill("#id_old_password", INITIAL)
    page.fill("#id_new_password1", OWN)
    page.fill("#id_new_password2", OWN)
    page.click("form.card button[type=submit]")
    page.wait_for_selector("#todo-list")
    assert "甲街道" in page.inner_text("header")
