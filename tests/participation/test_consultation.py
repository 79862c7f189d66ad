"""The survey summary and the public notice become the application's consultation record,
beside the enterprise consultation, on the application and in the joint review."""

from django.test import TestCase
from django.urls import reverse

from linli.accounts.roles import Department
from linli.core.testing import make_tree
from linli.funding.choices import ApplicationState
from linli.funding.testing import advance, draft, make_actors, open_call
from linli.participation import services
from linli.participation.testing import answer_many, make_survey
from linli.registry.testing import make_registry


class TestConsultationRecord(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.tree = tree = make_tree()
        make_registry(tree)
        cls.actors = make_actors(tree)
        worker = cls.actors.street
        # The street's survey covers the community the project serves.
        cls.survey = make_survey(worker, tree.street_a, "甲街道居民服务需求调查")
        answer_many(
            worker,
            cls.survey,
            tree.community_a,
            [["community_meals", "elderly_care"], ["community_meals"], ["infant_care"]],
        )
        call = open_call(cls.actors.city_admin, [tree.district])
        cls.application = draft(cls.actors.street, call, "甲一邻里中心", tree.community_a)
        notice = services.notice_publish(
            actor=cls.actors.district, application=cls.application, summary="拟建甲一邻里中心。"
        )
        comment = services.comment_submit(notice=notice, text="希望助餐点中午十一点开门。")
        services.comment_moderate(
            actor=cls.actors.district, comment=comment, publish=True, reason="与项目相关"
        )
        services.comment_answer(
            actor=cls.actors.district, comment=comment, answer="已按意见调整开放时间。"
        )
        kept_back = services.comment_submit(notice=notice, text="广告：出售二手家具")
        services.comment_moderate(
            actor=cls.actors.district, comment=kept_back, publish=False, reason="与项目无关的广告"
        )
        advance(cls.actors, cls.application, ApplicationState.JOINT_REVIEW)

    def assert_record(self, page):
        self.assertContains(page, 'id="consultation-record"')
        self.assertContains(page, "甲街道居民服务需求调查")
        self.assertContains(page, "1200 户中 3 户填写")
        self.assertContains(page, "1. 社区助餐")
        self.assertContains(page, "希望助餐点中午十一点开门。")
        self.assertContains(page, "已按意见调整开放时间。")
        self.assertContains(page, "已公开意见 1 条，不予公开 1 条，待审核 0 条")
        self.assertNotContains(page, "出售二手家具")
        # The enterprise consultation stays beside it.
        self.assertContains(page, "居民 320 人，企业 12 家")

    def test_on_the_application(self):
        self.client.force_login(self.actors.street)
        self.assert_record(self.client.get(self.application.get_absolute_url()))

    def test_in_the_joint_review(self):
        reviewer = self.actors.reviewers[Department.CIVIL_AFFAIRS]
        review = self.application.reviews.filter(department=Department.CIVIL_AFFAIRS).first()
        self.client.force_login(reviewer)
        page = self.client.get(reverse("funding:review_edit", args=[review.pk]))
        self.assertEqual(page.status_code, 200)
        self.assert_record(page)

    def test_an_office_without_the_survey_in_scope_sees_only_what_it_may(self):
        # Street B's officer cannot open the application at all (another street's project).
        self.client.force_login(self.actors.street_b)
        self.assertEqual(self.client.get(self.application.get_absolute_url()).status_code, 404)
