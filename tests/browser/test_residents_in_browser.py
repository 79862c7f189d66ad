"""On a phone (390 × 844): the operator prices and publishes a service, a resident signs up,
finds it by walking distance and books the last place, a second resident waits and is
promoted when a place frees up, the operator records the visit, the resident rates it, and
the rating shows in the street's next gap diagnosis."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from linli.accounts.roles import Role
from linli.core.testing import make_tree, make_user
from linli.operations import services as ops
from linli.operations.testing import make_operations
from linli.residents import bookings
from linli.residents.models import Session
from linli.residents.testing import last_code, make_compound, sign_up
from tests.browser.conftest import pick_node, sign_in
from tests.plans.network import NETWORK

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"viewport": {"width": 390, "height": 844}, "locale": "zh-CN", "is_mobile": True}


@pytest.fixture
def phone(browser):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


@pytest.fixture
def world(settings):
    settings.PLANNING_NETWORK_FILE = str(NETWORK)
    settings.JOBS_EAGER = True
    tree = make_tree()
    sample = make_operations(tree)
    facility = sample.registry.facility_a
    staff = sample.staff_a
    service = ops.service_create(
        actor=staff,
        facility=facility,
        scenario="elderly_care",
        name="老年助餐午餐",
        hours="每天 11:00–12:30",
        capacity_per_slot=2,
        booking_window_days=7,
        cancel_hours_before=2,
        age_group="elderly",
    )
    room = ops.room_create(actor=staff, facility=facility, name="餐厅", capacity=40)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    slot = ops.slot_create(
        actor=staff,
        service=service,
        room=room,
        weekday=tomorrow.weekday(),
        start=dt.time(11, 0),
        end=dt.time(12, 30),
    )
    compound = make_compound(tree, tree.community_a, "甲一小区", 113.6005)
    neighbour = sign_up("13700000001", "邻居老周", compound)
    street = make_user(tree, Role.STREET_OFFICER, tree.street_a, "street-a-officer")
    return dict(
        tree=tree,
        staff=staff,
        service=service,
        slot=slot,
        day=tomorrow,
        compound=compound,
        neighbour=neighbour,
        street=street,
    )


def open_menu(page, label):
    """The officials' menu folds away on a phone: open it, then follow the entry."""
    if page.locator("#menu-toggle").is_visible():
        page.click("#menu-toggle")
        page.wait_for_selector(f"#sidebar-menu a:has-text('{label}')", state="visible")
    # A page behind the menu may be slow to come on a loaded CI machine (two suites at once).
    with page.expect_navigation(timeout=90_000):
        page.click(f"#sidebar-menu a:has-text('{label}')")


def resident_signs_up(page, base, phone_number, name, compound):
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.click("#resident-sign-in")
    page.click("a:has-text('注册')")
    page.fill("#id_phone", phone_number)
    page.click("#send-code")
    page.wait_for_selector(".alert:has-text('验证码已发送')")
    page.fill("#id_phone", phone_number)
    page.fill("#id_code", last_code(phone_number))
    page.fill("#id_name", name)
    page.select_option("#id_compound", label=compound)
    page.check("#id_consent")
    page.click("#create-account")
    page.wait_for_selector("#find-form")


def resident_signs_in(page, base, phone_number):
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.click("#resident-sign-in")
    page.fill("#id_phone", phone_number)
    page.click("button[name=send_code]")
    page.wait_for_selector(".alert:has-text('验证码已发送')")
    page.fill("#id_phone", phone_number)
    page.fill("#id_code", last_code(phone_number))
    page.click("button[name=sign_in]")
    page.wait_for_selector("#find-form")


def test_a_service_from_publication_to_the_diagnosis_on_a_phone(live_server, phone, world):
    page, base = phone, live_server.url
    shots = []

    def screenshot(name):
        from tests.browser.conftest import ARTIFACTS

        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"residents-{name}.png"), full_page=True)
        shots.append(name)

    # The operator prices the service (the inclusive-price check passes) and publishes it.
    sign_in(page, base, world["staff"].username)
    open_menu(page, "运营中设施")
    page.click("a:has-text('甲一社区养老服务驿站')")
    page.click("a:has-text('老年助餐午餐')")
    page.click("#add-price")
    page.fill("#id_amount", "12")
    page.select_option("#id_unit", "per_meal")
    page.fill("#id_cost_basis", "11.5")
    # The date field comes up empty under zh-Hans (its initial value is not in ISO form).
    page.fill("#id_effective_from", timezone.localdate().isoformat())
    page.click("#check-price")
    page.wait_for_load_state()
    page.wait_for_selector("#price-check")
    screenshot("00-operator-checks-price")
    page.click("#save-price")
    page.wait_for_selector("#prices")
    assert "✔" in page.inner_text("#prices")
    page.click("#publish")
    page.wait_for_selector("#published-badge:has-text('已发布')")
    screenshot("01-operator-published")

    # A neighbour has taken one of the two places already.
    bookings.booking_create(
        actor=world["neighbour"],
        resident=world["neighbour"].resident,
        slot=world["slot"],
        day=world["day"],
    )

    # A resident signs up with her phone and finds the service by walking distance.
    resident_signs_up(page, base, "13800000021", "王阿姨", "甲一小区")
    results = page.locator(".facility-result")
    assert results.count() >= 1
    first = results.first.inner_text()
    assert "甲一社区养老服务驿站" in first and re.search(r"\d+米", first) and "¥12.00" in first
    screenshot("02-resident-finds-by-walking-distance")
    results.first.click()
    page.click(".service-card a:has-text('预约')")
    assert "还剩1个名额" in page.inner_text(".session-card")
    screenshot("03-last-place")
    page.click(".session-card button[type=submit]")
    page.wait_for_selector(".booking-card")
    assert "已确认" in page.inner_text(".booking-card")
    screenshot("04-booked-last-place")

    # A second resident finds it full and joins the waiting list.
    resident_signs_up(page, base, "13800000022", "李大爷", "甲一小区")
    page.goto(f"{base}/residents/services/{world['service'].pk}/")
    assert "已约满" in page.inner_text(".session-card")
    page.click(".session-card button[type=submit]")
    page.wait_for_selector(".booking-card")
    assert "候补中" in page.inner_text(".booking-card")
    screenshot("05-waiting-list")

    # The neighbour cancels; the waiting resident is promoted and told.
    neighbour_booking = world["neighbour"].resident.bookings.get()
    bookings.booking_cancel(actor=world["neighbour"], booking=neighbour_booking)
    page.reload()
    assert "已确认" in page.inner_text(".booking-card")
    page.click(".resident-tabs a:has-text('消息')")
    assert "候补成功" in page.inner_text("body")
    screenshot("06-promoted")

    # The day comes: the session is under way (moved to now, as time would).
    now = timezone.now()
    Session.objects.update(
        starts_at=now - dt.timedelta(minutes=10), ends_at=now + dt.timedelta(hours=1)
    )
    sign_in(page, base, world["staff"].username)
    open_menu(page, "预约")
    page.click("a:has-text('老年助餐午餐')")
    row = page.locator("tr", has_text="王阿姨")
    assert "138****0021" in row.inner_text()
    row.locator("button[value=yes]").click()
    page.wait_for_selector("tr:has-text('王阿姨'):has-text('已到场')")
    screenshot("07-operator-records-visit")

    # The resident rates the visit.
    resident_signs_in(page, base, "13800000021")
    page.click(".resident-tabs a:has-text('预约')")
    page.select_option(".rate-form select[name=stars]", "4")
    page.fill(".rate-form input[name=comment]", "饭菜热乎，很好")
    page.click(".rate-form button[type=submit]")
    page.wait_for_selector("text=4 ★")
    screenshot("08-rated")

    # The street runs its next gap diagnosis: the rating is there.
    sign_in(page, base, world["street"].username)
    open_menu(page, "缺口诊断")
    pick_node(page, "id_area", "甲街道")
    page.click("button:has-text('运行诊断')")
    page.wait_for_selector("#use-and-satisfaction")
    use = page.inner_text("#use-and-satisfaction")
    assert "甲一社区养老服务驿站" in use and "4.0 ★ (1)" in use
    assert "满员时只计一半" in use
    page.locator("#use-and-satisfaction").scroll_into_view_if_needed()
    screenshot("09-rating-in-diagnosis")
    assert len(shots) == 10
