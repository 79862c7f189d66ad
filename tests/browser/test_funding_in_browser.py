"""The whole funding flow through each role's screens, in headless Chromium: the city opens a
call, a street prepares an application (the policy check answers live), the district submits
it, a department reviews it, the city selects it, the district records the 可研批复, the street
prepares the 概算 report, the district reports it up, the city approves the subsidy, and money
is released by construction progress. Screenshots go to ``artifacts/screenshots/``."""

import pytest

from linli.core.testing import make_tree
from linli.funding import services
from linli.funding.models import Application
from linli.funding.testing import PDF_BYTES, make_actors
from tests.browser.conftest import pick_node, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world():
    tree = make_tree()
    return tree, make_actors(tree)


def confirm(page) -> None:
    page.click("#action-form button[type=submit]")
    page.wait_for_load_state()
    errors = page.locator(".text-danger, .alert-danger").all_inner_texts()
    assert errors == [], errors
    page.wait_for_selector("#actions")


def test_whole_funding_flow_through_each_role(live_server, page, screenshot, world):
    tree, actors = world
    base = live_server.url

    # 1 公开征集: the city programme office opens a call.
    sign_in(page, base, actors.city_admin.username)
    page.goto(f"{base}/funding/calls/new/")
    page.fill("#id_title", "2026年社区嵌入式服务设施项目征集")
    page.fill("#id_opens_on", "2026-01-01")
    page.fill("#id_closes_on", "2030-12-31")
    page.fill("#id_budget_cny", "100000000")
    page.select_option("#id_districts", str(tree.district.pk))
    page.fill("#id_notice", "市发展改革委现征集社区嵌入式服务设施项目。")
    screenshot("funding-01-city-opens-call")
    page.click(".page-body form button[type=submit]")
    page.wait_for_selector("text=市发展改革委现征集社区嵌入式服务设施项目。")

    # 2 组织申报: the street prepares the application; the policy engine answers live.
    sign_in(page, base, actors.street.username)
    page.goto(f"{base}/funding/calls/")
    page.click("table tbody a")
    page.click("#apply")
    page.fill("#id_name", "甲街道社区服务综合体")
    pick_node(page, "id_community", tree.community_a.name)
    page.select_option("#id_kind", "complex")
    page.select_option("#id_construction", "stock_conversion")
    page.select_option("#id_space_source", "convert")
    page.fill("#id_gross_floor_area_m2", "1000")
    page.fill("#id_total_investment_cny", "5000000")
    page.select_option("#id_operating_model", "public_built_private_run")
    page.fill("#id_consulted_residents", "320")
    page.fill("#id_consulted_enterprises", "12")
    page.fill("#id_consultation_opinions", "居民希望增加助餐和日间照料。")
    page.fill("#id_safety_assessment", "消防通道满足要求。")
    # Where the money comes from (121号 三(八)): the channels add up to the total investment.
    page.fill("#id_mix_municipal_subsidy", "600000")
    page.fill("#id_mix_district_fiscal", "4400000")
    for i, (scenario, category, area, money) in enumerate(
        [
            ("child_afterschool", "commercial", "300", "1500000"),
            ("community_meals", "commercial", "300", "1500000"),
            ("fitness", "basic_public", "300", "2000000"),
        ]
    ):
        page.select_option(f"#id_functions-{i}-scenario", scenario)
        page.select_option(f"#id_functions-{i}-category", category)
        page.fill(f"#id_functions-{i}-floor_area_m2", area)
        page.fill(f"#id_functions-{i}-investment_cny", money)
    page.locator("#id_functions-2-investment_cny").blur()
    # No elderly or infant care: the 原则上 rule asks for a written justification.
    justification = page.locator("textarea[name='override:functions.elderly_or_infant']")
    justification.wait_for()
    assert page.locator(".citation").count() > 5
    screenshot("funding-02-street-live-policy-check")
    justification.fill("周边300米内已有养老驿站和托育园，本项目补充托管与助餐。")
    justification.blur()
    page.wait_for_selector("#policy-eligible.bg-success")
    page.click("#save-draft")
    page.wait_for_selector("#actions")
    application = Application.objects.get(name="甲街道社区服务综合体")
    assert application.eligible

    page.click("#action-attach")
    page.select_option("#id_kind", "consultation")
    page.set_input_files(
        "#id_file",
        files=[{"name": "意见征询记录.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}],
    )
    confirm(page)
    page.click("#action-submit")
    page.wait_for_selector("#actions")
    assert page.inner_text("#state").strip() != ""
    screenshot("funding-03-street-submitted")

    # The district submits the batch to the city.
    sign_in(page, base, actors.district.username)
    assert "甲街道社区服务综合体" in page.inner_text("#todo-list")
    page.goto(f"{base}/funding/district/batch/")
    screenshot("funding-04-district-batch")
    page.click("#submit-batch")
    page.wait_for_load_state()

    # 3 联合审查: the city assigns departments; the civil affairs reviewer records its view.
    sign_in(page, base, actors.city_admin.username)
    page.goto(f"{base}{application.get_absolute_url()}")
    page.click("#action-assign")
    # Ticked to start with: the fields of the project's services (托管 → 教委, 助餐 → 民政,
    # 健身 → 体育) and those that review every project; the city keeps three that between
    # them cover the five dimensions.
    boxes = page.locator("input[name=departments]")
    ticked = {box.get_attribute("value") for box in boxes.all() if box.is_checked()}
    assert ticked == {"education", "civil_affairs", "sports", "planning", "housing", "finance"}
    for department in ticked - {"civil_affairs", "planning", "finance"}:
        page.uncheck(f"input[name=departments][value={department}]")
    confirm(page)
    # Planning and finance record their dimensions through the services; the browser walks
    # the civil-affairs reviewer's screens.
    # The district reviews its own project beside the departments (Beijing 四.2 三).
    for review in application.reviews.exclude(department="civil_affairs"):
        services.review_record(
            actor=actors.district
            if review.department == "district"
            else actors.reviewers[review.department],
            review=review,
            decision="agree",
            comment="",
        )

    sign_in(page, base, actors.reviewers["civil_affairs"].username)
    screenshot("funding-05-reviewer-home")
    page.goto(f"{base}{application.get_absolute_url()}")
    for review in application.reviews.filter(department="civil_affairs").order_by("pk"):
        page.click(f"#review-{review.pk}")
        page.check("input[name=decision][value=conditions]")  # none is chosen beforehand
        page.fill("#id_comment", "托管用房须设在首层。")
        page.fill("#id_internal_comment", "与教委会商后同意。")
        confirm(page)
    # The functions reviewer decides on the 原则上 exception: unaccepted, it blocks selection.
    page.fill("#exception-1 input[name=comment]", "周边已有养老驿站和托育园，同意。")
    page.click("#exception-accept-1")
    page.wait_for_selector("#exception-1 .bg-green-lt")
    screenshot("funding-06-reviews-recorded")

    sign_in(page, base, actors.city_admin.username)
    page.goto(f"{base}{application.get_absolute_url()}")
    page.click("#action-decide")
    page.select_option("#id_decision", "select")
    page.fill("#id_comment", "纳入2026年项目计划。")
    confirm(page)

    # 4 资金审批: 可研批复 (district), 概算 report (street), reported up, subsidy (city).
    sign_in(page, base, actors.district.username)
    page.goto(f"{base}{application.get_absolute_url()}")
    page.click("#action-feasibility")
    # 按权限: who approved, at which level, by which procedure (Beijing 四.2 四).
    page.fill("#id_approving_body", "甲区发展和改革委员会")
    page.select_option("#id_authority_level", "district")
    page.select_option("#id_procedure", "approval")
    page.fill("#id_document_no", "区发改审〔2026〕12号")
    page.fill("#id_approved_on", "2026-05-01")
    page.fill("#id_approved_investment_cny", "5000000")
    page.set_input_files(
        "#id_document",
        files=[{"name": "可研批复.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}],
    )
    confirm(page)

    sign_in(page, base, actors.street.username)
    page.goto(f"{base}{application.get_absolute_url()}")
    page.click("#action-fund_report")
    page.set_input_files(
        "#id_document",
        files=[{"name": "资金申请报告.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}],
    )
    confirm(page)

    sign_in(page, base, actors.district.username)
    page.goto(f"{base}{application.get_absolute_url()}")
    page.click("#action-report")
    page.wait_for_selector("#actions")

    sign_in(page, base, actors.city_admin.username)
    page.goto(f"{base}{application.get_absolute_url()}")
    page.click("#action-subsidy")
    page.wait_for_selector("#policy-subsidy")
    page.fill("#id_inclusive_rate", "0.25")
    page.fill("#id_rate_reason", "托管收费低于市场价。")
    page.fill("#id_letter_no", "京发改（审）〔2026〕88号")
    page.fill("#id_approved_on", "2026-06-01")
    screenshot("funding-07-city-approves-subsidy")
    confirm(page)
    assert page.locator("#letter-pdf").count() == 1
    letter = page.request.get(f"{base}{page.get_attribute('#letter-pdf', 'href')}")
    assert letter.headers["content-type"] == "application/pdf"

    # 5 资金下达: 开工 recorded, a tranche requested, verified, approved and released.
    sign_in(page, base, actors.street.username)
    page.goto(f"{base}{application.get_absolute_url()}")
    page.click("#action-milestone")
    page.select_option("#id_kind", "start")
    page.fill("#id_achieved_on", "2026-07-01")
    page.set_input_files(
        "#id_document",
        files=[{"name": "开工令.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}],
    )
    confirm(page)
    page.click("#action-tranche")
    page.select_option("#id_milestone", index=1)
    # Within what 开工 releases (the pack's cumulative share of the approved subsidy).
    page.fill("#id_amount_cny", "100000")
    confirm(page)
    tranche = application.tranches.get()

    sign_in(page, base, actors.district.username)
    page.goto(f"{base}{application.get_absolute_url()}")
    page.click(f"#tranche-verify-{tranche.pk}")
    page.wait_for_selector("#tranches")

    sign_in(page, base, actors.city_admin.username)
    page.goto(f"{base}{application.get_absolute_url()}")
    page.click(f"#tranche-approve-{tranche.pk}")
    page.wait_for_selector(f"#tranche-release-{tranche.pk}")
    page.click(f"#tranche-release-{tranche.pk}")
    page.wait_for_selector("#released")
    assert page.inner_text("#released").startswith("100,000.00")
    screenshot("funding-08-city-released-tranche")

    page.goto(f"{base}/funding/tranches/")
    screenshot("funding-09-tranche-ledger")
