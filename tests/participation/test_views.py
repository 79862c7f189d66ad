"""Every staff page of participation four ways: anonymous, without the permission (403),
permitted in scope (200), permitted out of scope (404 / absent from lists and exports)."""

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from linli.accounts.roles import Role
from linli.core.testing import FourWayTestCase, ViewTestCases, make_user, xlsx_rows
from linli.funding.testing import draft, open_call
from linli.participation import services
from linli.participation.models import NoticeComment, PublicNotice, Survey
from linli.participation.testing import answer_many, make_survey, solved_challenge
from linli.registry.testing import make_registry


class SurveyWorld(FourWayTestCase):
    """A survey of community A (in the users' scope) and one of community B (outside)."""

    permitted_role = Role.STREET_OFFICER

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        make_registry(cls.tree)
        worker_b = make_user(cls.tree, Role.COMMUNITY_WORKER, cls.tree.community_b, "worker-b")
        cls.survey_a = make_survey(cls.permitted, cls.tree.community_a, "甲一社区需求调查")
        cls.survey_b = make_survey(worker_b, cls.tree.community_b, "乙一社区需求调查")
        answer_many(cls.permitted, cls.survey_a, cls.tree.community_a, [["health", "fitness"]])

    def in_scope(self):
        return self.survey_a

    def out_of_scope(self):
        return self.survey_b


class TestSurveyList(SurveyWorld, ViewTestCases.ListView):
    url_name = "participation:survey_list"


class TestSurveyResults(SurveyWorld, ViewTestCases.DetailView):
    url_name = "participation:survey_detail"

    def test_results_show_the_ranked_needs_and_the_rate(self):
        self.client.force_login(self.permitted)
        page = self.client.get(self.url(self.survey_a))
        self.assertContains(page, "1200 户中 1 户填写")
        self.assertContains(page, 'id="needs-chart"')
        self.assertEqual(page.context["chart"]["needs"]["labels"][-1], "健康服务")


class TestPoster(SurveyWorld, ViewTestCases.DetailView):
    url_name = "participation:survey_poster"

    @override_settings(PUBLIC_URL="https://linli.example.gov.cn")
    def test_the_qr_code_carries_the_public_link(self):
        import segno

        self.client.force_login(self.permitted)
        page = self.client.get(self.url(self.survey_a))
        link = f"https://linli.example.gov.cn/p/s/{self.survey_a.token}/"
        self.assertEqual(page.context["link"], link)
        expected = segno.make(link, error="m").svg_inline(scale=8, border=2, omitsize=True)
        self.assertEqual(page.context["qr"], expected)
        self.assertContains(page, expected, html=False)


class TestHouseholdCodes(SurveyWorld, ViewTestCases.DetailView):
    url_name = "participation:survey_codes"

    def test_codes_are_issued_for_a_community_of_the_area(self):
        self.client.force_login(self.permitted)
        response = self.client.post(
            self.url(self.survey_a), {"community": self.tree.community_a.pk, "count": 4}
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.survey_a.codes.count(), 5)  # one issued in setUp (answered)
        refused = self.client.post(
            self.url(self.survey_a), {"community": self.tree.community_b.pk, "count": 4}
        )
        self.assertEqual(refused.status_code, 200)
        self.assertIn("community", refused.context["form"].errors)
        self.assertEqual(self.survey_a.codes.count(), 5)


class TestDeskEntry(SurveyWorld, ViewTestCases.DetailView):
    url_name = "participation:response_enter"

    def test_permitted_in_scope_is_shown(self):
        self.client.force_login(self.permitted)
        self.assertContains(self.client.get(self.url(self.in_scope())), "录入纸质问卷")

    def test_a_paper_answer_is_entered_under_the_household_code(self):
        (code,) = services.household_codes_issue(
            actor=self.permitted, survey=self.survey_a, community=self.tree.community_a, count=1
        )
        self.client.force_login(self.permitted)
        data = {"household_code": code.code, "first_choice": "infant_care", "hours": "weekend"}
        response = self.client.post(self.url(self.survey_a), {**data, "monthly_pay": "0"})
        self.assertEqual(response.status_code, 302)
        answer = self.survey_a.responses.get(first_choice="infant_care")
        self.assertEqual((answer.channel, answer.entered_by), ("paper", self.permitted))


class TestExport(SurveyWorld, ViewTestCases.DetailView):
    url_name = "participation:survey_export"

    def test_permitted_in_scope_is_shown(self):
        self.client.force_login(self.permitted)
        rows = xlsx_rows(self.client.get(self.url(self.survey_a)).content)
        self.assertEqual(rows[0][:4], ("社区", "户数", "答复数", "填写率（%）"))
        self.assertEqual(rows[1][:4], ("甲一社区", 1200, 1, 0.1))
        answers = xlsx_rows(self.client.get(self.url(self.survey_a), {"what": "answers"}).content)
        self.assertEqual(answers[1][:3], ("甲一社区", "纸质问卷，窗口录入", "健康服务"))


class TestClose(SurveyWorld):
    def test_four_ways(self):
        url = reverse("participation:survey_close", args=[self.survey_a.pk])
        self.assertTrue(self.client.post(url)["Location"].startswith(reverse("login")))
        self.client.force_login(self.unpermitted)
        self.assertEqual(self.client.post(url).status_code, 403)
        self.client.force_login(self.permitted)
        other = reverse("participation:survey_close", args=[self.survey_b.pk])
        self.assertEqual(self.client.post(other).status_code, 404)
        self.assertEqual(self.client.post(url).status_code, 302)
        self.assertEqual(Survey.objects.get(pk=self.survey_a.pk).state, "closed")


class TestSurveyCreate(SurveyWorld):
    def test_four_ways(self):
        url = reverse("participation:survey_create")
        self.assertTrue(self.client.get(url)["Location"].startswith(reverse("login")))
        self.client.force_login(self.unpermitted)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.client.force_login(self.permitted)
        self.assertEqual(self.client.get(url).status_code, 200)
        data = {
            "title": "甲街道需求调查",
            "opens_on": "2026-01-01",
            "closes_on": "2026-12-31",
            "scenarios": ["elderly_care", "health"],
        }
        outside = self.client.post(url, {**data, "jurisdiction": self.tree.community_b.pk})
        self.assertIn("jurisdiction", outside.context["form"].errors)
        created = self.client.post(url, {**data, "jurisdiction": self.tree.street_a.pk})
        survey = Survey.objects.get(title="甲街道需求调查")
        self.assertRedirects(created, survey.get_absolute_url())
        self.assertEqual(survey.scenarios, ["elderly_care", "health"])


class NoticeWorld(FourWayTestCase):
    """A notice of a project of street A (in scope) and one of street B (outside)."""

    permitted_role = Role.DISTRICT_OFFICER

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        district = make_user(cls.tree, Role.DISTRICT_OFFICER, cls.tree.district, "district")
        city = make_user(cls.tree, Role.CITY_ADMIN, cls.tree.city, "city")
        cls.call = call = open_call(city, [cls.tree.district])
        cls.street_a = street_a = make_user(
            cls.tree, Role.STREET_OFFICER, cls.tree.street_a, "street-a"
        )
        street_b = make_user(cls.tree, Role.STREET_OFFICER, cls.tree.street_b, "street-b")
        cls.application_a = draft(street_a, call, "甲一邻里中心", cls.tree.community_a)
        cls.application_b = draft(street_b, call, "乙一邻里中心", cls.tree.community_b)
        cls.notice_a = services.notice_publish(
            actor=district, application=cls.application_a, summary="拟将闲置仓库改造为邻里中心。"
        )
        cls.notice_b = services.notice_publish(
            actor=district, application=cls.application_b, summary="拟改造乙一社区用房。"
        )
        cls.comment_a = services.comment_submit(notice=cls.notice_a, text="希望增加老年餐桌。")
        cls.comment_b = services.comment_submit(notice=cls.notice_b, text="乙一社区的意见。")

    def in_scope(self):
        return self.notice_a

    def out_of_scope(self):
        return self.notice_b


class TestNoticeList(NoticeWorld, ViewTestCases.ListView):
    url_name = "participation:notice_list"


class TestNoticeDetail(NoticeWorld, ViewTestCases.DetailView):
    url_name = "participation:notice_detail"

    def test_the_period_comes_from_the_pack(self):
        self.assertEqual(self.notice_a.period_days, 7)  # national-2023, inherited by Beijing
        self.assertEqual((self.notice_a.closes_at - self.notice_a.opens_at).days, 7)


class TestNoticeCreate(NoticeWorld):
    def test_four_ways(self):
        application = draft(self.street_a, self.call, "甲一托育驿站", self.tree.community_a)
        url = reverse("participation:notice_create", args=[application.pk])
        self.assertTrue(self.client.get(url)["Location"].startswith(reverse("login")))
        self.client.force_login(self.unpermitted)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.client.force_login(self.permitted)
        other = reverse("participation:notice_create", args=[self.application_b.pk])
        self.assertEqual(self.client.get(other).status_code, 404)
        self.assertContains(self.client.get(url), "公示期 7 天")
        response = self.client.post(url, {"summary": "拟改造甲一社区闲置仓库，提供助餐和托育。"})
        notice = PublicNotice.objects.get(application=application)
        self.assertRedirects(response, notice.get_absolute_url())


class TestModeration(NoticeWorld):
    def url(self, comment, action="moderate"):
        return reverse(f"participation:comment_{action}", args=[comment.pk])

    def test_four_ways(self):
        url = self.url(self.comment_a)
        self.assertTrue(self.client.post(url)["Location"].startswith(reverse("login")))
        self.client.force_login(self.unpermitted)
        self.assertEqual(self.client.post(url, {"decision": "publish"}).status_code, 403)
        self.client.force_login(self.permitted)
        outside = self.client.post(self.url(self.comment_b), {"decision": "publish"})
        self.assertEqual(outside.status_code, 404)
        self.client.post(url, {"decision": "publish", "reason": "与项目相关"})
        self.client.post(
            self.url(self.comment_a, "answer"), {"answer": "已纳入设计，首层设老年餐桌。"}
        )
        comment = NoticeComment.objects.get(pk=self.comment_a.pk)
        self.assertEqual(
            (comment.state, comment.moderation_reason, comment.answer),
            ("published", "与项目相关", "已纳入设计，首层设老年餐桌。"),
        )
        public = self.client.get(self.notice_a.public_path())
        self.assertContains(public, "已纳入设计，首层设老年餐桌。")

    def test_keeping_a_comment_back_needs_a_reason_on_record(self):
        self.client.force_login(self.permitted)
        self.client.post(self.url(self.comment_a), {"decision": "reject", "reason": ""})
        self.assertEqual(NoticeComment.objects.get(pk=self.comment_a.pk).state, "pending")
        self.client.post(
            self.url(self.comment_a), {"decision": "reject", "reason": "含个人电话号码"}
        )
        comment = NoticeComment.objects.get(pk=self.comment_a.pk)
        self.assertEqual((comment.state, comment.moderation_reason), ("rejected", "含个人电话号码"))
        self.assertNotContains(self.client.get(self.notice_a.public_path()), "希望增加老年餐桌")


@override_settings(LINLI_PUBLIC_SUBMISSION_LIMIT=3)
class TestPublicComments(NoticeWorld):
    def comment(self, text="请考虑停车问题", **extra):
        data = {"text": text, "name": "", **solved_challenge(), **extra}
        return self.client.post(self.notice_a.public_path(), data)

    def test_anyone_comments_and_waits_for_moderation(self):
        response = self.comment()
        self.assertContains(response, "感谢您的意见")
        comment = NoticeComment.objects.get(text="请考虑停车问题")
        self.assertEqual(comment.state, "pending")
        self.assertNotContains(self.client.get(self.notice_a.public_path()), "请考虑停车问题")

    def test_without_the_challenge_nothing_is_saved(self):
        response = self.comment(challenge_0="x", challenge_1="1")
        self.assertIn("challenge", response.context["form"].errors)
        self.assertFalse(NoticeComment.objects.filter(text="请考虑停车问题").exists())

    def test_a_burst_of_comments_is_rate_limited(self):
        statuses = [self.comment(text=f"意见{i}").status_code for i in range(5)]
        self.assertEqual(statuses, [200, 200, 200, 429, 429])
        self.assertEqual(NoticeComment.objects.filter(text__startswith="意见").count(), 3)

    def test_after_the_period_no_comment_is_taken(self):
        PublicNotice.objects.filter(pk=self.notice_a.pk).update(closes_at=timezone.now())
        response = self.comment()
        self.assertNotContains(response, 'id="comment-form"')
        self.assertContains(response, "公示期已结束")
        self.assertFalse(NoticeComment.objects.filter(text="请考虑停车问题").exists())


class TestHomeToDo(NoticeWorld):
    def test_the_district_sees_comments_waiting(self):
        self.client.force_login(self.permitted)
        home = self.client.get(reverse("home"))
        self.assertContains(home, "审核项目公示的居民意见")
        self.assertContains(home, self.notice_a.get_absolute_url())
        self.assertNotContains(home, self.notice_b.get_absolute_url())
        self.client.force_login(self.unpermitted)
        self.assertNotContains(self.client.get(reverse("home")), "审核项目公示的居民意见")


class TestReadersOfResults(SurveyWorld):
    def test_a_reviewer_reads_the_results_without_the_desk_tools(self):
        reviewer = make_user(self.tree, Role.CITY_DEPARTMENT, self.tree.city, "reviewer")
        self.client.force_login(reviewer)
        page = self.client.get(self.survey_a.get_absolute_url())
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, 'id="codes"')
        self.assertNotContains(page, 'id="enter"')
        codes = reverse("participation:survey_codes", args=[self.survey_a.pk])
        self.assertEqual(self.client.get(codes).status_code, 403)
