"""Error pages (403, 404, 500, CSRF failure) in the site's layout and the reader's language,
each with a way home."""

import pytest
from django.test import Client, RequestFactory, TestCase
from django.urls import reverse
from django.utils import translation
from django.views.defaults import server_error

from linli.accounts.roles import Role
from linli.core.testing import make_tree, make_user
from tests.web.crawler import problems_in_text


class TestErrorPages(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.tree = make_tree()
        cls.worker = make_user(cls.tree, Role.COMMUNITY_WORKER, cls.tree.community_a, "worker")

    def assert_error_page(self, response, status, heading):
        self.assertEqual(response.status_code, status)
        self.assertContains(response, heading, status_code=status)
        self.assertContains(response, 'id="error-home"', status_code=status)
        self.assertContains(response, "linli/css/linli.css", status_code=status)

    def test_not_found_in_chinese_with_the_menu(self):
        self.client.force_login(self.worker)
        response = self.client.get("/registry/no-such-page/")
        self.assert_error_page(response, 404, "页面不存在")
        self.assertContains(response, 'id="sidebar-menu"', status_code=404)

    def test_not_found_in_english(self):
        self.client.force_login(self.worker)
        self.client.cookies["django_language"] = "en"
        self.assert_error_page(self.client.get("/no-such-page/"), 404, "Page not found")

    def test_not_allowed(self):
        self.client.force_login(self.worker)
        response = self.client.get(reverse("accounts:user_list"))
        self.assert_error_page(response, 403, "无权访问")

    def test_csrf_failure(self):
        client = Client(enforce_csrf_checks=True)
        response = client.post(reverse("login"), {"username": "x", "password": "y"})
        self.assert_error_page(response, 403, "表单已失效")

    def test_server_error(self):
        with translation.override("zh-hans"):
            response = server_error(RequestFactory().get("/"))
        self.assertEqual(response.status_code, 500)
        self.assertIn("出错了", response.content.decode())
        self.assertIn('id="error-home"', response.content.decode())


@pytest.mark.django_db  # the code names include the permissions' codenames
def test_the_crawler_tells_developer_words_from_data():
    assert problems_in_text("项目 APPLICATION 已通过", language="zh-hans") == [
        "English 'APPLICATION'"
    ]
    assert problems_in_text("约束 “call_dates_ordered” 是无效的", language="en") == [
        "code name 'call_dates_ordered'"
    ]
    assert problems_in_text("对象 registry.candidatesite", language="en") == [
        "code name 'registry.candidatesite'"
    ]
    # Units, formats, codes with digits and the users' own names are not developer English.
    assert (
        problems_in_text("500 m · PDF · QL-0102 · 用户 demo_x", language="zh-hans", data=["demo_x"])
        == []
    )
