"""Reads of participation: survey results, the need weights for planning, and an
application's consultation record. Every read goes through ``restrict``."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Q

from linli.core.permissions import restrict
from linli.core.vocabulary import label
from linli.participation.choices import CommentState, Hours, MonthlyPay
from linli.participation.models import NoticeComment, PublicNotice, Survey, SurveyResponse
from linli.participation.services import survey_communities
from linli.planning.needs import AREA, POINTS, need_weights
from linli.policy import vocabulary
from linli.registry.models import Community


@dataclass
class Need:
    scenario: str
    label: str
    points: float
    share: float
    first_choices: int


@dataclass
class AreaResult:
    """Results of one community, or of the whole surveyed area (``community`` None)."""

    name: str
    households: int
    responses: int
    needs: list[Need]
    community_pk: int | None = None

    @property
    def response_rate(self) -> float | None:
        return self.responses / self.households if self.households else None

    @property
    def response_percent(self) -> float | None:
        rate = self.response_rate
        return None if rate is None else round(rate * 100, 1)


@dataclass
class SurveyResults:
    area: AreaResult
    communities: list[AreaResult]
    hours: list[tuple[str, int]]
    monthly_pay: list[tuple[str, int]]
    who_needs: list[tuple[str, int]]
    comments: list[tuple[str, list[str]]] = field(default_factory=list)
    channels: dict[str, int] = field(default_factory=dict)


def _needs(answers: list[SurveyResponse], scenarios: list[str]) -> list[Need]:
    points = dict.fromkeys(scenarios, 0.0)
    firsts = Counter(a.first_choice for a in answers)
    for answer in answers:
        for place, code in enumerate(answer.ranking()):
            if code in points:
                points[code] += POINTS[place]
    total = sum(points.values()) or 1.0
    needs = [
        Need(code, label(vocabulary.SCENARIOS, code), p, p / total, firsts.get(code, 0))
        for code, p in points.items()
    ]
    return sorted(needs, key=lambda n: (-n.points, -n.first_choices, scenarios.index(n.scenario)))


def survey_results(survey: Survey, user) -> SurveyResults:
    """Ranked needs, response rates against households, and the answers' other questions."""
    answers = list(
        restrict(survey.responses.all(), user)
        .select_related("community")
        .order_by("submitted_at", "pk")
    )
    communities = list(survey_communities(survey))
    households = dict(
        Community.objects.filter(jurisdiction__in=communities).values_list(
            "jurisdiction_id", "households"
        )
    )
    by_community: dict[int, list[SurveyResponse]] = {}
    for answer in answers:
        by_community.setdefault(answer.community_id, []).append(answer)
    rows = [
        AreaResult(
            name=c.name,
            households=households.get(c.pk, 0),
            responses=len(by_community.get(c.pk, [])),
            needs=_needs(by_community.get(c.pk, []), survey.scenarios),
            community_pk=c.pk,
        )
        for c in communities
    ]
    area = AreaResult(
        name=survey.jurisdiction.name,
        households=sum(r.households for r in rows),
        responses=len(answers),
        needs=_needs(answers, survey.scenarios),
    )
    comments: dict[str, list[str]] = {}
    for answer in answers:
        if answer.comment.strip():
            comments.setdefault(answer.comment_scenario, []).append(answer.comment.strip())
    order = [*survey.scenarios, ""]
    grouped = [
        (label(vocabulary.SCENARIOS, code) if code else "", comments[code])
        for code in order
        if code in comments
    ]
    hours = Counter(a.hours for a in answers)
    pay = Counter(a.monthly_pay for a in answers)
    return SurveyResults(
        area=area,
        communities=rows,
        hours=[(str(choice.label), hours.get(choice.value, 0)) for choice in Hours],
        monthly_pay=[(str(choice.label), pay.get(choice.value, 0)) for choice in MonthlyPay],
        who_needs=[
            (
                str(SurveyResponse._meta.get_field(f).verbose_name),
                sum(getattr(a, f) for a in answers),
            )
            for f in ("needs_elder", "needs_infant", "needs_school_child")
        ],
        comments=grouped,
        channels=dict(Counter(a.channel for a in answers)),
    )


def surveys_for_planning(user):
    """Surveys whose answers may weigh a plan: those the user sees that have answers."""
    return (
        restrict(Survey.objects.all(), user)
        .filter(responses__isnull=False)
        .distinct()
        .select_related("jurisdiction")
    )


def survey_need_weights(survey: Survey, user) -> tuple:
    """The planning weights of a survey (community code × service) and what to show of them."""
    rankings: dict[str, list[list[str]]] = {}
    for answer in restrict(survey.responses.all(), user).select_related("community"):
        rankings.setdefault(answer.community.code, []).append(answer.ranking())
    weights = need_weights(rankings, list(vocabulary.SCENARIOS))
    shown = {
        "survey": survey.pk,
        "title": survey.title,
        "responses": sum(len(r) for r in rankings.values()),
        "area": {code: round(float(v), 3) for code, v in weights.loc[AREA].items()},
    }
    return weights, shown


# --- the consultation record of an application --------------------------------------------


@dataclass
class ConsultationRecord:
    survey: Survey | None
    results: SurveyResults | None
    notice: PublicNotice | None
    comments: list[NoticeComment]
    comment_counts: dict[str, int]


def consultation_record(application, user) -> ConsultationRecord:
    """The residents' side of an application's consultation: the newest survey of an area
    holding the community it serves (or its preparing office's area), and its public notice
    with the published comments and the district's answers."""
    node = application.community or application.jurisdiction
    ancestors = [node.path[:i] for i in range(node.steplen, len(node.path) + 1, node.steplen)]
    surveys = restrict(Survey.objects.all(), user).filter(
        Q(jurisdiction__path__in=ancestors) | Q(jurisdiction__path__startswith=node.path)
    )
    survey = (
        surveys.filter(responses__isnull=False)
        .distinct()
        .order_by("-closes_on", "-pk")
        .select_related("jurisdiction")
        .first()
    )
    notice = restrict(PublicNotice.objects.filter(application=application), user).first()
    comments, counts = [], {}
    if notice is not None:
        visible = restrict(notice.comments.all(), user)
        counts = {state: visible.filter(state=state).count() for state in CommentState.values}
        comments = list(visible.filter(state=CommentState.PUBLISHED))
    return ConsultationRecord(
        survey=survey,
        results=survey_results(survey, user) if survey else None,
        notice=notice,
        comments=comments,
        comment_counts=counts,
    )
