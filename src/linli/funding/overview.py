"""The funding workflow's key figures on the home page: projects and money."""

from __future__ import annotations

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.core.permissions import has_permission, restrict
from linli.funding.choices import ApplicationState
from linli.funding.models import Application, Ledger
from linli.web.overview import Figure, count, ten_thousand_yuan

S = ApplicationState
_FUNDED = (S.FUND_APPROVED, S.IN_CONSTRUCTION, S.OPERATING)
_IN_REVIEW = (S.DISTRICT_REVIEW, S.DISTRICT_SUBMITTED, S.JOINT_REVIEW)


def funding_overview(user) -> list[Figure]:
    figures = []
    if has_permission(user, Application, "view"):
        states = restrict(Application.objects.all(), user).aggregate(
            n=Count("pk"),
            in_review=Count("pk", filter=Q(state__in=_IN_REVIEW)),
            funded=Count("pk", filter=Q(state__in=_FUNDED)),
            operating=Count("pk", filter=Q(state=S.OPERATING)),
        )
        figures.append(
            Figure(
                gettext_lazy("Funding applications"),
                count(states["n"]),
                reverse("funding:application_list"),
                _("%(review)s in review, %(funded)s funded, %(operating)s in operation")
                % {
                    "review": count(states["in_review"]),
                    "funded": count(states["funded"]),
                    "operating": count(states["operating"]),
                },
            )
        )
    if has_permission(user, Ledger, "view"):
        money = restrict(Ledger.objects.all(), user).aggregate(
            approved=Sum("approved_cny"), released=Sum("released_cny")
        )
        figures.append(
            Figure(
                gettext_lazy("Subsidy approved (10 000 CNY)"),
                ten_thousand_yuan(money["approved"]),
                reverse("funding:tranche_list"),
                _("%(released)s released") % {"released": ten_thousand_yuan(money["released"])},
            )
        )
    return figures
