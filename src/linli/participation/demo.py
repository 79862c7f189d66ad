"""Demo data for participation: a closed needs survey of the demo street with a few hundred
believable answers (online and paper), an open survey of the demo community, and public
notices of two proposed projects with moderated, answered comments. Made through the services
by the demo city's own accounts. Called by :func:`linli.demo.loader._load` after the funding
demo."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from linli.accounts.models import User
from linli.accounts.roles import Role
from linli.demo.accounts import demo_username
from linli.funding.models import Application
from linli.participation import services
from linli.participation.models import Survey
from linli.registry.models import Community

SEED = 2026
ANSWERS_PER_COMMUNITY = (18, 34)
# What residents write, by the service it concerns.
COMMENTS = {
    "elderly_care": [
        "希望有日间照料，白天老人有人看护",
        "老人行动不便，希望能上门助浴",
        "家里有失能老人，需要短期托养",
    ],
    "community_meals": [
        "老年餐桌价格要实惠，菜品清淡一些",
        "希望助餐点中午十一点就开门",
        "能否给独居老人送餐",
    ],
    "infant_care": ["双职工家庭，孩子两岁没人带，希望有普惠托育", "托育班能开到晚上六点半吗"],
    "child_afterschool": ["孩子放学三点半，家长六点才下班，需要课后托管", "希望托管时能辅导作业"],
    "health": ["希望家门口能量血压、开常用药", "社区医生能否每周来坐诊"],
    "fitness": ["缺少室内健身场地，冬天没处锻炼", "希望有适合老年人的健身器材"],
    "culture_leisure": ["希望有阅览室和书法活动室"],
    "child_play": ["小区里没有儿童游乐设施"],
    "home_services": ["希望有家电维修和理发等便民服务"],
}
NOTICE_COMMENTS = (
    (
        "王阿姨",
        "希望助餐点中午十一点就开门，老人吃饭早。",
        True,
        "已按意见调整：助餐时段 11:00–13:00。",
    ),
    (
        "",
        "施工期间请注意噪音，晚上不要施工。",
        True,
        "施工时间限定为工作日 8:00–18:00，夜间不施工。",
    ),
    (
        "李先生",
        "托育班的收费标准是多少？",
        True,
        "按普惠价格收费，低于周边市场价 20% 以上，开业前公示。",
    ),
    ("", "加微信领红包 vx123456", False, "广告，与项目无关"),
)


def _user(role: str) -> User:
    return User.objects.get(username=demo_username(role))


def _ranking(rng: random.Random, community: Community, scenarios: list[str]) -> list[str]:
    """A household's three most needed services: older communities lean to elderly care and
    meals, younger ones to infant and after-school care."""
    population = max(community.population, 1)
    elders = community.aged_60_plus / population
    young = (community.aged_0_2 + community.aged_3_5 + community.aged_6_12) / population
    weights = {
        "elderly_care": 1 + 8 * elders,
        "community_meals": 1 + 7 * elders,
        "infant_care": 1 + 10 * young,
        "child_afterschool": 1 + 9 * young,
        "health": 1.6,
        "fitness": 1.0,
        "culture_leisure": 0.6,
        "child_play": 0.5 + 3 * young,
        "home_services": 0.7,
    }
    pool = [s for s in scenarios if s in weights]
    chosen: list[str] = []
    for _ in range(3):
        pick = rng.choices(pool, weights=[weights[s] for s in pool])[0]
        chosen.append(pick)
        pool.remove(pick)
    return chosen


def _answers(rng: random.Random, community: Community, ranking: list[str]) -> dict:
    comment_on = rng.choice(ranking) if rng.random() < 0.3 else ""
    return {
        "first_choice": ranking[0],
        "second_choice": ranking[1],
        "third_choice": ranking[2] if rng.random() < 0.8 else "",
        "hours": rng.choices(
            ["weekday_day", "weekday_evening", "weekend", "any"], weights=[4, 3, 2, 2]
        )[0],
        "monthly_pay": rng.choices(
            ["0", "1-100", "101-300", "301-800", "800+"], weights=[2, 5, 4, 2, 1]
        )[0],
        "needs_elder": "elderly_care" in ranking or rng.random() < 0.2,
        "needs_infant": "infant_care" in ranking,
        "needs_school_child": "child_afterschool" in ranking,
        "comment": rng.choice(COMMENTS[comment_on]) if comment_on else "",
        "comment_scenario": comment_on,
    }


def _survey(actor, area, title, days_open, rng, answer_range) -> Survey:
    today = timezone.localdate()
    survey = services.survey_create(
        actor=actor,
        title=title,
        jurisdiction=area,
        opens_on=today - timedelta(days=days_open),
        closes_on=today + timedelta(days=14),
    )
    for node in services.survey_communities(survey):
        community = Community.objects.filter(jurisdiction=node).first()
        if community is None:
            continue
        count = rng.randint(*answer_range)
        codes = services.household_codes_issue(
            actor=actor, survey=survey, community=node, count=count + 20
        )
        for index, code in enumerate(codes[:count]):
            answers = _answers(rng, community, _ranking(rng, community, survey.scenarios))
            if index % 3 == 0:  # about a third on paper at the community desk
                services.response_enter(
                    actor=actor, survey=survey, household_code=code.code, answers=answers
                )
            else:
                services.response_submit(survey=survey, answers=answers, household_code=code.code)
    return survey


def load_participation_demo() -> None:
    """Seed the surveys and notices (once: a second run keeps what is there)."""
    if Survey.objects.exists():
        return
    rng = random.Random(SEED)
    street_officer = _user(Role.STREET_OFFICER)
    worker = _user(Role.COMMUNITY_WORKER)
    street = street_officer.jurisdiction
    survey = _survey(
        street_officer, street, f"{street.name}居民服务需求调查", 30, rng, ANSWERS_PER_COMMUNITY
    )
    services.survey_close(actor=street_officer, survey=survey)
    community = worker.jurisdiction
    _survey(worker, community, f"{community.name}一老一小服务需求调查", 5, rng, (9, 12))
    district = _user(Role.DISTRICT_OFFICER)
    for application in Application.objects.filter(
        jurisdiction=street, state__in=["district_review", "joint_review"]
    ).order_by("pk"):
        notice = services.notice_publish(
            actor=district,
            application=application,
            summary=(
                f"拟在{application.community or application.jurisdiction}建设“{application.name}”，"
                "利用闲置用房改造，提供社区助餐、养老服务和普惠托育等服务，"
                "建筑面积约 1000 平方米，计划明年建成投入运营。欢迎居民和周边单位提出意见。"
            ),
        )
        for name, text, publish, reply in NOTICE_COMMENTS:
            comment = services.comment_submit(notice=notice, text=text, name=name)
            services.comment_moderate(
                actor=district, comment=comment, publish=publish, reason="" if publish else reply
            )
            if publish:
                services.comment_answer(actor=district, comment=comment, answer=reply)
