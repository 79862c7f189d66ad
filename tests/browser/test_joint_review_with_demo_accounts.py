"""The joint review finished with nothing but what ``linli demo`` prints: the city assigns the
departments of a project waiting in the demo, each department's printed reviewer signs in, finds
its reviews on its home page and records them beside the project, and the city decides."""

import argparse
import re

import pytest
from django.utils import translation

from linli.commands.platform import run_demo
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def printed_accounts(capsys) -> tuple[dict[str, str], str]:
    """Run the demo's start as ``linli demo --no-serve`` does; read back what it printed:
    {username: post}, and the password."""
    with translation.override("zh-hans"):
        assert run_demo(argparse.Namespace(no_serve=True, code=None)) == 0
    out = capsys.readouterr().out
    # username, post, scope, authenticator key (or a dash for a resident)
    rows = re.findall(r"^  (demo_\w+)\s{2,}(.+?)\s{2,}(\S+)\s{2,}(.+)$", out, re.MULTILINE)
    accounts = {username: post for username, post, _scope, _key in rows}
    (password,) = re.findall(r"密码 password: (\S+)$", out, re.MULTILINE)
    return accounts, password


def test_the_joint_review_with_the_printed_accounts(live_server, page, screenshot, capsys):
    base = live_server.url
    accounts, password = printed_accounts(capsys)
    city_admin = next(name for name, post in accounts.items() if post == "市发展改革委")

    # The city office opens the project waiting for the joint review from its menu.
    sign_in(page, base, city_admin, password)
    page.click("#sidebar-menu a:has-text('项目申报')")
    page.click("a:has-text('嵌入式服务综合体')")
    page.click("#action-assign")
    screenshot("joint-review-01-assign")
    page.click("#action-form button[type=submit]")
    page.wait_for_selector("#reviews")
    departments = sorted(set(page.locator("#reviews tbody td:first-child").all_inner_texts()))
    assert len(departments) >= 3
    project_url = page.url

    for department in departments:
        # The printed post names the department: 市级部门审查人员 · 民政局; the district reviews
        # its own project beside them (Beijing 四.2 三 "会同…各区").
        if department == "区发展改革部门":
            reviewer = "demo_district_officer"
        else:
            (reviewer,) = [n for n, post in accounts.items() if post.endswith(f" · {department}")]
        sign_in(page, base, reviewer, password)
        if reviewer == "demo_district_officer":  # from its own list of projects
            page.click("#sidebar-menu a:has-text('项目申报')")
            page.click("a:has-text('嵌入式服务综合体')")
            page.click("#reviews a[id^=review-]")
            page.check("input[name=decision][value=agree]")
            page.fill("#id_comment", "区级：同意。")
            page.click("#action-form button[type=submit]")
            page.wait_for_selector("#reviews")
            continue
        while page.locator("#todo-list a:has-text('嵌入式服务综合体')").count():
            page.click("#todo-list a:has-text('嵌入式服务综合体')")
            assert not page.is_checked("input[name=decision][value=agree]")  # none chosen
            assert page.locator("#project-functions").is_visible()
            page.check("input[name=decision][value=agree]")
            page.fill("#id_comment", f"{department}：同意。")
            screenshot(f"joint-review-02-{reviewer}")
            page.click("#action-form button[type=submit]")
            page.wait_for_selector("#reviews")
            page.goto(f"{base}/")

    sign_in(page, base, city_admin, password)
    page.goto(project_url)
    assert "待审查" not in page.inner_text("#reviews")
    page.click("#action-decide")
    page.select_option("#id_decision", "select")
    page.fill("#id_comment", "纳入本年度项目计划。")
    page.click("#action-form button[type=submit]")
    page.wait_for_selector("#state")
    assert page.inner_text("#state") == "已入选"
    screenshot("joint-review-03-selected")
