"""What waits on the home page: comments to moderate (the district), surveys taking answers
(the offices that run them). Read through ``restrict`` with the permission of the step."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.permissions import restrict
from linli.participation.choices import CommentState, SurveyState
from linli.participation.models import NoticeComment, PublicNotice, Survey
from linli.web.todo import TodoItem


def participation_todo(user) -> list[TodoItem]:
    items = []
    if restrict(NoticeComment.objects.all(), user, "moderate").exists():
        notices = (
            restrict(PublicNotice.objects.all(), user)
            .annotate(waiting=Count("comments", filter=Q(comments__state=CommentState.PENDING)))
            .filter(waiting__gt=0)
            .select_related("application")
            .order_by("closes_at")
        )
        items += [
            TodoItem(
                _("Moderate comments on the public notice"),
                notice.get_absolute_url(),
                f"{notice.application} · {notice.waiting}",
            )
            for notice in notices
        ]
    today = timezone.localdate()
    surveys = restrict(Survey.objects.all(), user, "change").filter(
        state=SurveyState.OPEN, opens_on__lte=today, closes_on__gte=today
    )
    items += [
        TodoItem(_("Needs survey taking answers"), survey.get_absolute_url(), survey.title)
        for survey in surveys.order_by("closes_on")[:5]
    ]
    return items
