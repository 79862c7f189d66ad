"""Headless Chromium (Debian's) driven by Playwright against the live test server.

Screenshots go to ``artifacts/screenshots/``. Without Chromium the tests skip on a
developer's machine and fail under ``CI=true`` (.ci/run installs it).
"""

import os
import shutil
from pathlib import Path

import pytest

from linli.accounts.testing import code_for
from linli.core.testing import TEST_PASSWORD

# Playwright's sync API keeps an event loop running in this thread; Django then refuses ORM
# calls from the test body unless told that this (test-only) thread is safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("LINLI_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
# As root in a sandbox, and with no network: no background traffic, no first-run UI.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is required under CI=true")
        pytest.skip(f"{CHROMIUM} not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


def sign_in(page, base_url: str, username: str, password: str = TEST_PASSWORD) -> None:
    """Sign in through the login form as a person would; every browser test signs in here, so
    a change to the sign-in steps is made once. Officials and administrators then type the code
    their authenticator shows (test accounts have one with a known key: make_user)."""
    page.context.clear_cookies()
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form button[type=submit]")
    verify = f"{base_url}/accounts/two-factor/verify/"
    home = (f"{base_url}/", f"{base_url}/residents/")  # a resident's home is the portal
    page.wait_for_url(lambda url: url in home or url.startswith(verify))
    if page.url.startswith(verify):
        page.fill("#id_code", code_for(username))
        page.click("#verify-form button[type=submit]")
        page.wait_for_url(lambda url: url in home)


@pytest.fixture
def screenshot(page):
    def take(name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def click_menu(page, entry: str) -> None:
    """Click a menu entry as a person would: on a phone the menu is folded behind its button
    first. ``entry``: a selector inside ``#sidebar-menu``."""
    if page.locator("#menu-toggle").is_visible():
        page.click("#menu-toggle")
    page.locator(f"#sidebar-menu {entry}").first.click()


def pick_node(page, field: str, name: str) -> None:
    """Choose a jurisdiction in the picker as a person does: type part of its name, then
    选择 on its row. ``field``: the form field's id (``id_area``)."""
    page.fill(f"#{field}-search", name)
    row = page.locator(f"#{field}-results li").filter(has=page.locator("strong", has_text=name))
    row.first.locator(".tree-picker-choose").click()
    page.wait_for_function(
        "([field, name]) => document.getElementById(field).selectedOptions[0]?.text.endsWith(name)",
        arg=[field, name],
    )
