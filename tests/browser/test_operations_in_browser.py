"""The operator on a phone (390 × 844), in headless Chromium: from the menu to its facility, a
room, a service, a weekly session (an overlap in the room refused), a price that passes the
inclusive-price check, and the service published to residents. Screenshots go to
``artifacts/screenshots/``."""

import pytest

from linli.core.testing import make_tree
from linli.operations.models import Price, Service
from linli.operations.testing import make_operations
from tests.browser.conftest import click_menu, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def page(browser):
    """A phone-sized page (this module's screens are the operator's, often on a phone)."""
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


def save(page, button="#save") -> None:
    page.click(button)
    page.wait_for_load_state()
    errors = page.locator(".text-danger, .alert-danger").all_inner_texts()
    assert errors == [], errors


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide on a {PHONE['width']}px phone"


def test_operator_publishes_a_service_with_an_inclusive_price(live_server, page, screenshot):
    tree = make_tree()
    sample = make_operations(tree)
    facility = sample.registry.facility_a
    base = live_server.url

    sign_in(page, base, sample.staff_a.username)
    click_menu(page, ">> text=运营中设施")  # the menu entry
    page.wait_for_selector("#facilities")
    assert page.locator(f"#facility-{sample.registry.facility_b.pk}").count() == 0
    screenshot("operations-01-my-facilities-phone")
    page.click(f"#facility-{facility.pk}")
    page.wait_for_selector("#services")
    no_sideways_scroll(page)

    page.click("#add-room")
    page.fill("#id_name", "多功能厅")
    page.fill("#id_capacity", "30")
    save(page)

    page.click("#add-service")
    page.select_option("#id_scenario", "elderly_care")
    page.fill("#id_name", "老年助餐午餐")
    page.fill("#id_description", "两荤一素一汤，少盐少油。")
    page.select_option("#id_age_group", "elderly")
    page.fill("#id_hours", "每天 11:00–13:00")
    page.fill("#id_capacity_per_slot", "40")
    screenshot("operations-02-new-service-phone")
    save(page)
    page.wait_for_selector("#published-badge")
    service = Service.objects.get(name="老年助餐午餐")

    page.click("#add-session")
    page.select_option("#id_room", label="多功能厅")
    page.select_option("#id_weekday", "0")
    page.fill("#id_start", "11:00")
    page.fill("#id_end", "13:00")
    save(page)
    # 错时使用: the same room for the same hours is refused, naming the service that holds it
    page.click("#add-session")
    page.select_option("#id_room", label="多功能厅")
    page.select_option("#id_weekday", "0")
    page.fill("#id_start", "12:00")
    page.fill("#id_end", "14:00")
    page.click("#save")
    page.wait_for_selector("text=老年助餐午餐")
    assert "已安排" in page.locator(".text-danger").first.inner_text()
    screenshot("operations-03-overlap-refused-phone")
    page.click("text=取消")

    page.click("#add-price")
    page.fill("#id_amount", "12.00")
    page.select_option("#id_unit", "per_meal")
    page.fill("#id_cost_basis", "11.50")
    page.click("#check-price")
    page.wait_for_selector("#price-check")
    check = page.locator("#price-check").inner_text()
    assert "✔" in check and "✘" not in check, check
    assert "合理利润" in check  # the finding cites the clause
    screenshot("operations-04-price-check-phone")
    save(page, "#save-price")
    price = Price.objects.get(service=service)
    assert price.passed and str(price.amount) == "12.00"

    page.click("#publish")
    page.wait_for_selector("#published-badge >> text=已发布")
    no_sideways_scroll(page)
    screenshot("operations-05-published-phone")
    service.refresh_from_db()
    assert service.published
