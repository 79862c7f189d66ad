"""Home-page figures from residents' use: places taken and the residents' ratings, over the
last four weeks, in the user's scope (operators: their own facilities)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Avg, Count, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.core.permissions import has_permission, restrict
from linli.residents.models import Rating, Session
from linli.residents.utilisation import WINDOW_DAYS
from linli.web.overview import Figure, count


def _link(user) -> str:
    if getattr(user, "operator_scoped", False):
        return reverse("residents:session_list")
    if user.has_perm("jobs.view_job"):
        return reverse("plans:diagnosis_list")
    return reverse("home")


def residents_overview(user) -> list[Figure]:
    today = timezone.localdate()
    since = today - dt.timedelta(days=WINDOW_DAYS)
    figures = []
    if has_permission(user, Session, "view") and not user.has_perm("residents.portal_resident"):
        held = restrict(Session.objects.filter(date__gte=since, date__lt=today), user).aggregate(
            taken=Sum("booked"), offered=Sum("capacity")
        )
        offered = held["offered"] or 0
        share = f"{100 * (held['taken'] or 0) / offered:.0f}%" if offered else "—"
        figures.append(
            Figure(
                gettext_lazy("Places taken in booked sessions"),
                share,
                _link(user),
                _("%(taken)s of %(offered)s places, last four weeks")
                % {"taken": count(held["taken"]), "offered": count(offered)},
            )
        )
    if has_permission(user, Rating, "view") and not user.has_perm("residents.portal_resident"):
        rated = restrict(Rating.objects.filter(created_at__date__gte=since), user).aggregate(
            mean=Avg("stars"), n=Count("pk")
        )
        figures.append(
            Figure(
                gettext_lazy("Residents' rating of visits"),
                f"{rated['mean']:.1f} ★" if rated["mean"] is not None else "—",
                _link(user),
                _("%(n)s ratings, last four weeks") % {"n": count(rated["n"])},
            )
        )
    return figures
