"""What waits for each role on its home page (registered in :class:`FundingConfig.ready`).

Each queue is read through ``restrict`` with the permission of the step it leads to, so a user
sees only the items that are theirs to act on, in their scope.
"""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.permissions import restrict
from linli.funding.choices import ApplicationState, ReviewDecision, TrancheState
from linli.funding.models import (
    Application,
    ChangeRequest,
    Review,
    SubsidyApproval,
    Tranche,
)
from linli.web.todo import TodoItem

S = ApplicationState
REMIND_DAYS = 180  # land-use grace expiry: remind half a year ahead

# (permission on Application, states, only the preparing office's own, title)
_APPLICATION_QUEUES = (
    ("submit", (S.DRAFT, S.RETURNED), True, _("Prepare and submit")),
    ("forward", (S.DISTRICT_REVIEW,), False, _("Check and submit to the city")),
    ("assign", (S.DISTRICT_SUBMITTED,), False, _("Assign departments for joint review")),
    ("report", (S.SELECTED,), False, _("Record the feasibility approval (可研批复)")),
    ("submit", (S.FS_APPROVED,), True, _("Prepare the fund application report (概算)")),
    ("submit", (S.FUND_APPROVED, S.IN_CONSTRUCTION), True, _("Record construction progress")),
)


def _item(title, application: Application) -> TodoItem:
    return TodoItem(
        title=title,
        url=application.get_absolute_url(),
        detail=f"{application.name} · {application.jurisdiction}",
    )


def funding_todo(user) -> list[TodoItem]:
    if not user.is_authenticated:
        return []
    items: list[TodoItem] = []
    applications = Application.objects.select_related("jurisdiction")
    for perm, states, own_office, title in _APPLICATION_QUEUES:
        queue = restrict(applications, user, perm).filter(state__in=states)
        if own_office:
            queue = queue.filter(jurisdiction=user.jurisdiction)
        items.extend(_item(title, application) for application in queue[:20])
    for review in (
        restrict(Review.objects.select_related("application__jurisdiction"), user, "change")
        .filter(
            department=user.department,
            decision=ReviewDecision.PENDING,
            application__state=S.JOINT_REVIEW,
        )
        .order_by("application", "dimension")[:20]
    ):
        items.append(
            TodoItem(
                _("Joint review: %(dimension)s") % {"dimension": review.get_dimension_display()},
                reverse("funding:review_edit", args=[review.pk]),
                review.application.name,
            )
        )
    decidable = restrict(applications, user, "decide").filter(state=S.JOINT_REVIEW)
    for application in decidable.exclude(reviews__decision=ReviewDecision.PENDING)[:20]:
        items.append(_item(_("Joint review complete: select, reject or return"), application))
    reported = restrict(applications, user, "report").filter(
        state=S.FS_APPROVED, fund_report__isnull=False
    )
    for application in reported[:20]:
        items.append(_item(_("Report the fund application to the city"), application))
    for application in restrict(applications, user, "decide").filter(state=S.FUND_APP_SUBMITTED)[
        :20
    ]:
        items.append(_item(_("Approve the subsidy"), application))
    for action, state, title in (
        ("verify", TrancheState.REQUESTED, _("Verify a tranche request")),
        ("approve", TrancheState.VERIFIED, _("Approve a tranche")),
        ("release", TrancheState.APPROVED, _("Release a tranche")),
    ):
        tranches = restrict(
            Tranche.objects.select_related("application__jurisdiction"), user, action
        )
        for tranche in tranches.filter(state=state)[:20]:
            amount = f"{tranche.amount_cny:,.2f}"
            items.append(
                _item(
                    _("%(step)s: %(amount)s CNY") % {"step": title, "amount": amount},
                    tranche.application,
                )
            )
    for change in restrict(ChangeRequest.objects.all(), user, "decide").filter(state="requested"):
        items.append(_item(_("Decide a change request"), change.application))
    soon = timezone.localdate() + timedelta(days=REMIND_DAYS)
    expiring = restrict(SubsidyApproval.objects.select_related("application__jurisdiction"), user)
    due = expiring.filter(
        land_use_grace_expiry__gte=timezone.localdate(), land_use_grace_expiry__lte=soon
    ).order_by("land_use_grace_expiry")
    for approval in due[:20]:
        items.append(
            TodoItem(
                _("Land-use grace period ends on %(date)s (121号 三(十))")
                % {"date": approval.land_use_grace_expiry},
                approval.application.get_absolute_url(),
                approval.application.name,
            )
        )
    return items
