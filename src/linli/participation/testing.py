"""Surveys and answers for tests, made through the services."""

from __future__ import annotations

from datetime import timedelta

from captcha.models import CaptchaStore
from django.utils import timezone

from linli.participation import services
from linli.participation.models import Survey

ANSWER = {
    "first_choice": "elderly_care",
    "second_choice": "community_meals",
    "third_choice": "",
    "hours": "weekday_day",
    "monthly_pay": "1-100",
    "needs_elder": True,
    "comment": "",
    "comment_scenario": "",
}


def make_survey(actor, area, title: str = "社区服务需求调查") -> Survey:
    today = timezone.localdate()
    return services.survey_create(
        actor=actor,
        title=title,
        jurisdiction=area,
        opens_on=today - timedelta(days=1),
        closes_on=today + timedelta(days=30),
    )


def solved_challenge(prefix: str = "challenge") -> dict:
    """The POST fields of a solved challenge (what a person reads off the picture)."""
    key = CaptchaStore.generate_key()
    return {f"{prefix}_0": key, f"{prefix}_1": CaptchaStore.objects.get(hashkey=key).response}


def answer_many(actor, survey: Survey, community, rankings: list[list[str]]) -> None:
    """One paper answer per ranking, each under a fresh household code of ``community``."""
    codes = services.household_codes_issue(
        actor=actor, survey=survey, community=community, count=len(rankings)
    )
    for code, ranking in zip(codes, rankings, strict=True):
        choices = [*ranking, "", ""][:3]
        services.response_enter(
            actor=actor,
            survey=survey,
            household_code=code.code,
            answers={
                **ANSWER,
                "first_choice": choices[0],
                "second_choice": choices[1],
                "third_choice": choices[2],
            },
        )
