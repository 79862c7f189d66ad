"""A needs survey end to end at a phone's width: the community worker builds it from the menu,
issues household codes and opens the poster; a resident follows the poster's QR link on a
phone without an account, answers with the household code and the challenge; the results
show the answer, with their charts."""

import re

import pytest
import segno
from captcha.models import CaptchaStore

from linli.accounts.roles import Role
from linli.core.testing import make_tree, make_user
from linli.registry.testing import make_registry
from tests.browser.conftest import ARTIFACTS, click_menu, sign_in

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def worker():
    tree = make_tree()
    make_registry(tree)
    return make_user(tree, Role.COMMUNITY_WORKER, tree.community_a, "community-worker")


def test_a_survey_from_the_poster_to_the_results(live_server, browser, page, screenshot, worker):
    base = live_server.url
    page.set_viewport_size(PHONE)
    sign_in(page, base, worker.username)
    click_menu(page, "a:has-text('需求调查')")
    page.wait_for_url(f"{base}/participation/surveys/")
    page.click("#create")
    page.fill("#id_title", "甲一社区居民服务需求调查")
    assert page.input_value("#id_jurisdiction") == str(worker.jurisdiction_id)  # its community
    screenshot("survey-01-create-phone")
    page.click("#participation-form button[type=submit]")
    page.wait_for_url(re.compile(r"/participation/surveys/\d+/$"))
    results_url = page.url

    page.click("#codes")
    page.fill("#id_count", "5")
    page.click("#codes-form button[type=submit]")
    page.wait_for_selector("#code-slips .font-monospace")
    code = page.locator("#code-slips .font-monospace").first.inner_text().strip()
    screenshot("survey-02-household-codes-phone")

    page.goto(results_url)
    page.click("#poster")
    link = page.get_attribute("#poster-link", "href")
    assert link.startswith(f"{base}/p/s/")
    # The QR code on the poster carries exactly that link.
    expected = segno.make(link, error="m").svg_inline(scale=8, border=2, omitsize=True)
    drawn = page.get_attribute("#poster-qr svg path", "d")
    assert drawn == re.search(r' d="([^"]+)"', expected).group(1)
    screenshot("survey-03-poster-phone")

    # The resident: a phone, no account, the link from the QR code.
    phone = browser.new_context(locale="zh-CN", viewport=PHONE, has_touch=True)
    resident = phone.new_page()
    errors = []
    resident.on("pageerror", lambda error: errors.append(str(error)))
    resident.goto(link)
    assert "登录" not in resident.title()
    resident.fill("#id_household_code", code)
    resident.select_option("#id_first_choice", "infant_care")
    resident.select_option("#id_second_choice", "child_afterschool")
    resident.select_option("#id_hours", "weekday_evening")
    resident.select_option("#id_monthly_pay", "101-300")
    resident.check("#id_needs_infant")
    resident.select_option("#id_comment_scenario", "infant_care")
    resident.fill("#id_comment", "双职工家庭，希望托育班开到晚上六点半")
    assert resident.locator("img.captcha").evaluate("img => img.naturalWidth") > 0
    key = resident.input_value("#id_challenge_0")
    # What a person reads off the picture.
    resident.fill("#id_challenge_1", CaptchaStore.objects.get(hashkey=key).response)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    resident.screenshot(path=str(ARTIFACTS / "survey-answer-phone.png"), full_page=True)
    resident.click("#answer-form button[type=submit]")
    resident.wait_for_selector("#thanks")
    assert "感谢填写" in resident.inner_text("#thanks")
    # The same household cannot answer twice.
    resident.goto(link)
    resident.fill("#id_household_code", code)
    resident.select_option("#id_first_choice", "health")
    resident.select_option("#id_hours", "any")
    resident.select_option("#id_monthly_pay", "0")
    key = resident.input_value("#id_challenge_0")
    resident.fill("#id_challenge_1", CaptchaStore.objects.get(hashkey=key).response)
    resident.click("#answer-form button[type=submit]")
    assert "该户已填写过本次调查" in resident.inner_text("#answer-form")
    assert errors == []
    phone.close()

    page.goto(results_url)
    assert "1200 户中 1 户填写" in page.inner_text("#response-rate")
    assert page.locator("#ranked-needs li").first.inner_text().startswith("婴幼儿托育")
    assert "希望托育班开到晚上六点半" in page.inner_text("#comments")
    page.wait_for_selector("#needs-chart[data-drawn='true']")
    page.wait_for_selector("#rates-chart[data-drawn='true']")
    screenshot("survey-04-results-phone")
