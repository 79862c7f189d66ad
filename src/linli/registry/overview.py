"""The registry's key figures on the home page: residents, facilities and candidate sites."""

from __future__ import annotations

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.core.permissions import has_permission, restrict
from linli.registry.choices import FacilityStatus, SiteStatus
from linli.registry.models import CandidateSite, Community, Facility
from linli.web.overview import Figure, count


def registry_overview(user) -> list[Figure]:
    figures = []
    if has_permission(user, Community, "view"):
        totals = restrict(Community.objects.all(), user).aggregate(
            n=Count("pk"), people=Sum("population"), aged=Sum("aged_60_plus")
        )
        figures.append(
            Figure(
                gettext_lazy("Communities"),
                count(totals["n"]),
                reverse("registry:community_list"),
                _("%(people)s residents, %(aged)s aged 60+")
                % {"people": count(totals["people"]), "aged": count(totals["aged"])},
            )
        )
    if has_permission(user, Facility, "view"):
        by_status = restrict(Facility.objects.all(), user).aggregate(
            operating=Count("pk", filter=Q(status=FacilityStatus.OPERATING)),
            building=Count("pk", filter=Q(status=FacilityStatus.UNDER_CONSTRUCTION)),
            planned=Count("pk", filter=Q(status=FacilityStatus.PLANNED)),
        )
        figures.append(
            Figure(
                gettext_lazy("Facilities in operation"),
                count(by_status["operating"]),
                reverse("registry:facility_list"),
                _("%(building)s under construction, %(planned)s planned")
                % {
                    "building": count(by_status["building"]),
                    "planned": count(by_status["planned"]),
                },
            )
        )
    if has_permission(user, CandidateSite, "view"):
        available = restrict(
            CandidateSite.objects.filter(status=SiteStatus.AVAILABLE), user
        ).aggregate(n=Count("pk"), area=Sum("floor_area_m2"))
        figures.append(
            Figure(
                gettext_lazy("Candidate sites available"),
                count(available["n"]),
                reverse("registry:candidatesite_list"),
                _("%(area)s m² of floor area") % {"area": count(available["area"])},
            )
        )
    return figures
