"""Surveys: one answer per household, the challenge, the rate limit, the desk, the results."""

from django.core.exceptions import ValidationError
from django.test import TestCase, override_settings
from django.urls import reverse

from linli.accounts.roles import Role
from linli.audit.models import AuditRecord
from linli.core.testing import make_tree, make_user
from linli.participation import services
from linli.participation.models import SubmissionAttempt, SurveyResponse
from linli.participation.selectors import survey_results
from linli.participation.testing import ANSWER, answer_many, make_survey, solved_challenge
from linli.registry.testing import make_registry


class SurveyTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.tree = make_tree()
        make_registry(cls.tree)
        cls.worker = make_user(cls.tree, Role.COMMUNITY_WORKER, cls.tree.community_a, "worker")
        cls.survey = make_survey(cls.worker, cls.tree.community_a)
        cls.codes = services.household_codes_issue(
            actor=cls.worker, survey=cls.survey, community=cls.tree.community_a, count=3
        )

    def post_answer(self, code: str, **changes):
        data = {**ANSWER, "household_code": code, **solved_challenge(), **changes}
        data = {k: v for k, v in data.items() if v is not False}
        return self.client.post(self.survey.public_path(), data)


class TestOneAnswerPerHousehold(SurveyTestCase):
    def test_a_household_answers_by_its_code_without_an_account(self):
        response = self.post_answer(self.codes[0].code.lower())  # typed in lower case
        self.assertRedirects(
            response, reverse("participation_public:survey_thanks", args=[self.survey.token])
        )
        answer = SurveyResponse.objects.get()
        self.assertEqual(
            (answer.community, answer.channel, answer.ranking()),
            (self.tree.community_a, "online", ["elderly_care", "community_meals"]),
        )
        self.assertTrue(AuditRecord.objects.filter(object_type="participation.surveyresponse"))

    def test_a_second_answer_from_the_same_household_is_refused(self):
        self.post_answer(self.codes[0].code)
        response = self.post_answer(self.codes[0].code, first_choice="health")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "该户已填写过本次调查")
        self.assertEqual(SurveyResponse.objects.count(), 1)
        # At the desk too: the paper form of a household that answered online is refused.
        with self.assertRaisesMessage(ValidationError, "已填写过"):
            services.response_enter(
                actor=self.worker,
                survey=self.survey,
                household_code=self.codes[0].code,
                answers=ANSWER,
            )

    def test_a_signed_in_resident_is_the_household(self):
        resident = make_user(self.tree, Role.RESIDENT, self.tree.community_a, "resident")
        first = services.response_submit(survey=self.survey, answers=ANSWER, resident=resident)
        self.assertEqual(first.household, f"account:{resident.pk}")
        with self.assertRaisesMessage(ValidationError, "已填写过"):
            services.response_submit(survey=self.survey, answers=ANSWER, resident=resident)

    def test_an_unknown_code_is_refused_naming_the_field(self):
        response = self.post_answer("ZZZZZZZZ")
        self.assertEqual(response.context["form"].errors["household_code"][0][:6], "该户码不是本")
        self.assertFalse(SurveyResponse.objects.exists())

    def test_without_the_challenge_nothing_is_saved(self):
        data = {**ANSWER, "household_code": self.codes[0].code}
        data.update(challenge_0="nokey", challenge_1="42")
        response = self.client.post(self.survey.public_path(), data)
        self.assertEqual(response.status_code, 200)
        self.assertIn("challenge", response.context["form"].errors)
        self.assertFalse(SurveyResponse.objects.exists())

    def test_a_ranking_may_not_repeat_a_service(self):
        response = self.post_answer(self.codes[0].code, second_choice="elderly_care")
        self.assertIn("second_choice", response.context["form"].errors)
        self.assertFalse(SurveyResponse.objects.exists())

    def test_a_closed_survey_takes_no_answers(self):
        closed = services.survey_close(actor=self.worker, survey=self.survey)
        with self.assertRaisesMessage(ValidationError, "不接受填写"):
            services.response_submit(
                survey=closed, answers=ANSWER, household_code=self.codes[0].code
            )


@override_settings(LINLI_PUBLIC_SUBMISSION_LIMIT=5)
class TestRateLimit(SurveyTestCase):
    def test_a_burst_of_submissions_is_refused(self):
        statuses = [self.post_answer(self.codes[i % 3].code).status_code for i in range(8)]
        # Three households answer (the 4th and 5th are duplicates); then the address waits.
        self.assertEqual(statuses[:3], [302, 302, 302])
        self.assertEqual(statuses[3:5], [200, 200])
        self.assertEqual(statuses[5:], [429, 429, 429])
        self.assertEqual(SurveyResponse.objects.count(), 3)
        self.assertContains(self.post_answer(self.codes[0].code), "请十分钟后再试", status_code=429)

    def test_another_address_is_not_held_back(self):
        for _ in range(6):
            self.post_answer(self.codes[0].code)
        other = self.client.post(
            self.survey.public_path(),
            {**ANSWER, "household_code": self.codes[1].code, **solved_challenge()},
            REMOTE_ADDR="10.1.2.3",
        )
        self.assertEqual(other.status_code, 302)

    def test_the_address_is_not_stored(self):
        self.post_answer(self.codes[0].code)
        self.assertNotIn("127.0.0.1", SubmissionAttempt.objects.get().client)


class TestResults(SurveyTestCase):
    def test_ranked_needs_and_response_rate(self):
        answer_many(
            self.worker,
            self.survey,
            self.tree.community_a,
            [["health", "fitness"], ["health"], ["elderly_care", "health"]],
        )
        results = survey_results(self.survey, self.worker)
        area = results.area
        self.assertEqual((area.responses, area.households), (3, 1200))
        self.assertEqual(
            [n.scenario for n in area.needs[:3]], ["health", "elderly_care", "fitness"]
        )
        self.assertEqual(area.needs[0].points, 3 + 3 + 2)
        self.assertEqual(results.communities[0].responses, 3)
        self.assertEqual(results.channels, {"paper": 3})

    def test_free_text_is_grouped_by_the_service_it_concerns(self):
        codes = services.household_codes_issue(
            actor=self.worker, survey=self.survey, community=self.tree.community_a, count=2
        )
        for code, text in zip(codes, ["食堂价格要实惠", "希望晚上开放"], strict=True):
            services.response_enter(
                actor=self.worker,
                survey=self.survey,
                household_code=code.code,
                answers={**ANSWER, "comment": text, "comment_scenario": "community_meals"},
            )
        results = survey_results(self.survey, self.worker)
        self.assertEqual(results.comments, [("社区助餐", ["食堂价格要实惠", "希望晚上开放"])])
