"""The crawl of ``tests/web/test_crawl.py`` in Chromium at a phone's width (390 px): every role
of the demo (every other one in English) signs in through the login page and walks the pages
reachable from its menu, home page, lists and details. Fails on a JavaScript error, on a page
body wider than the screen, and on what the text crawl fails on (5xx, 404 from a link,
developer English, code names), now in the page as the browser built it (legends, charts,
HTMX fragments included)."""

from __future__ import annotations

import pytest

from linli.demo import DEMO_PASSWORD
from linli.demo.loader import load_demo
from tests.browser.conftest import sign_in
from tests.web.crawler import Crawl, Visit
from tests.web.test_crawl import one_account_per_role, users_own_words

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
# How much wider than the screen the body may be (sub-pixel rounding), in CSS pixels.
OVERFLOW_TOLERANCE = 1


class BrowserWalker:
    def __init__(self, page, base_url: str):
        self.page, self.base = page, base_url
        self.errors: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def fetch(self, url: str, fragment: bool) -> Visit:
        from playwright.sync_api import Error

        self.errors.clear()
        try:
            response = self.page.goto(self.base + url, wait_until="load")
        except Error as error:
            if "Download is starting" in str(error):  # an export: the text crawl reads those
                return Visit(200, "download")
            raise
        status = response.status if response else 0
        content_type = (response.headers.get("content-type", "") if response else "") or ""
        if not content_type.startswith("text/html"):
            return Visit(status, content_type)
        self.page.wait_for_load_state("networkidle")
        problems = [f"JavaScript error: {error}" for error in self.errors]
        overflow = self.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > OVERFLOW_TOLERANCE:
            problems.append(f"page {overflow} px wider than the {PHONE['width']} px screen")
        return Visit(status, content_type, self.page.content(), problems)


def test_every_role_walks_the_demo_on_a_phone(live_server, browser):
    load_demo()
    data = users_own_words()
    context = browser.new_context(locale="zh-CN", viewport=PHONE, accept_downloads=False)
    page = context.new_page()
    failures, visited = [], 0
    # A page's layout does not depend on who looks at it: each route is walked once in the
    # browser, by the first role that reaches it (every role's home page and menu included);
    # the text crawl walks each route as every role.
    seen: set[str] = set()
    try:
        for index, username in enumerate(one_account_per_role()):
            sign_in(page, live_server.url, username, DEMO_PASSWORD)
            # Every other role in English: its longer words are what overflow first.
            language = ("zh-hans", "en")[index % 2]
            context.add_cookies(
                [{"name": "django_language", "value": language, "url": live_server.url}]
            )
            walker = BrowserWalker(page, live_server.url)
            crawl = Crawl(
                walker.fetch, language, max_depth=3, fragments=False, data=data, seen_routes=seen
            )
            crawl.run("/")
            visited += len(crawl.visited)
            failures.extend(f"[{username}] {failure}" for failure in crawl.failures)
    finally:
        context.close()
    assert visited > 40
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures)
