"""Onboarding an official through the screens, and the second factor at every sign-in.

The system administrator asks for the account and hands over the first half of the code; the
security administrator approves it from the to-do list and hands over the second; the official
sets a password of their own with both halves, sets up an authenticator app from the QR page
and keeps the recovery codes. Then: the password alone opens nothing.
"""

from base64 import b32decode

import pytest
from django_otp.oath import totp

from linli.accounts.roles import Role
from linli.core.testing import make_tree, make_user
from tests.browser.conftest import pick_node, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

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


def authenticator_code(key_text: str) -> str:
    """What an authenticator app shows for the key typed from the set-up page."""
    key = b32decode(key_text.replace(" ", "") + "=" * (-len(key_text.replace(" ", "")) % 8))
    return f"{totp(key):06d}"


def test_an_official_is_onboarded_by_two_administrators_and_sets_up_two_factor(
    live_server, page, screenshot, administrators
):
    tree, _sys, _sec = administrators
    base = live_server.url

    sign_in(page, base, "sys")
    page.click("#sidebar-menu a:has-text('账号管理')")
    page.click("#create")
    page.fill("#id_username", "jia-wang")
    page.fill("#id_display_name", "甲街道王科长")
    page.select_option("#id_role", "street_officer")
    pick_node(page, "id_jurisdiction", tree.street_a.name)
    page.click("form.card button[type=submit]")
    first_half = page.inner_text("#half-code")
    screenshot("accounts-01-system-admin-first-half")
    sign_out(page)

    sign_in(page, base, "sec")
    page.click("#todo-list a:has-text('jia-wang')")
    screenshot("accounts-02-security-admin-request")
    page.click("#approve")
    second_half = page.inner_text("#half-code")
    assert second_half != first_half
    sign_out(page)

    page.click("#activate-link")
    page.fill("#id_username", "jia-wang")
    page.fill("#id_first_code", first_half)
    page.fill("#id_second_code", second_half)
    page.fill("#id_new_password1", OWN)
    page.fill("#id_new_password2", OWN)
    screenshot("accounts-03-official-sets-password")
    page.click("#activate-form button[type=submit]")
    page.wait_for_selector("#totp-qr")  # straight on to the authenticator
    screenshot("accounts-04-set-up-authenticator")
    page.fill("#id_code", authenticator_code(page.inner_text("#totp-key")))
    page.click("#enrol-form button[type=submit]")
    page.wait_for_selector("#recovery-codes")
    assert len(page.locator("#recovery-codes li").all()) == 10
    screenshot("accounts-05-recovery-codes")
    page.click("text=我已保存")
    page.wait_for_selector("#todo-list")
    assert "甲街道" in page.inner_text("header")


def test_officials_cannot_sign_in_without_their_second_factor(
    live_server, page, screenshot, administrators
):
    tree, _sys, _sec = administrators
    make_user(tree, Role.CITY_ADMIN, tree.city, "city")
    base = live_server.url

    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("#id_username", "city")
    page.fill("#id_password", "a-Strong-test-password-42")
    page.click("form button[type=submit]")
    page.wait_for_selector("#id_code")
    assert "/accounts/two-factor/verify/" in page.url
    assert page.locator("#sidebar-menu a").count() == 0  # no menu before the code
    for path in ("/funding/tranches/", "/registry/facilities/", "/accounts/me/"):
        page.goto(f"{base}{path}")
        assert "/accounts/two-factor/verify/" in page.url, path
    page.fill("#id_code", "000000")
    page.click("#verify-form button[type=submit]")
    page.wait_for_selector(".text-danger")
    screenshot("accounts-06-wrong-code")
    assert "/accounts/two-factor/verify/" in page.url

    sign_in(page, base, "city")  # the password and the authenticator's code
    page.click("#sidebar-menu a:has-text('资金下达')")
    page.wait_for_url(f"{base}/funding/tranches/")
