"""Use and satisfaction per facility and scenario, as the gap diagnosis counts them.

Method (docs/architecture.md, "Back into planning"):

- **Utilisation** ``u`` = places used / places offered over the last :data:`WINDOW_DAYS` days.
  From bookings: places taken in the sessions held (confirmed, attended, no-show) over the
  places the weekly timetable offered on those days. From the operator's monthly use records
  (the latest month): beds occupied / beds, infant places filled / infant slots. Where both
  exist, the higher counts.
- **Effective supply**: a facility full every day cannot take the residents the diagnosis
  assigns it, so it counts as less supply in the 2SFCA: its capacity is multiplied by
  ``f = 1`` while ``u ≤ FULL_FROM`` (0.9), falling linearly to ``MIN_FACTOR`` (0.5) at ``u = 1``
  and staying there above (a waiting list). The physical counts (beds per 1 000 aged 60+,
  infant slots per 1 000) are not changed: they measure what was built.
- **Satisfaction**: the mean of the residents' ratings (1–5 stars) of visits in the window and
  their number; shown beside the diagnosis, not folded into the supply.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Avg, Count, Sum
from django.utils import timezone

WINDOW_DAYS = 28
FULL_FROM = 0.9
MIN_FACTOR = 0.5
_HELD = ("confirmed", "attended", "no_show")


@dataclass(frozen=True)
class Use:
    utilisation: float | None  # None: nothing recorded
    factor: float
    satisfaction: float | None
    ratings: int


def supply_factor(utilisation: float | None) -> float:
    if utilisation is None or utilisation <= FULL_FROM:
        return 1.0
    return max(MIN_FACTOR, 1.0 - (utilisation - FULL_FROM) * (1.0 - MIN_FACTOR) / (1 - FULL_FROM))


def _weekdays_in(start: dt.date, end: dt.date) -> dict[int, int]:
    counts: dict[int, int] = defaultdict(int)
    day = start
    while day < end:
        counts[day.weekday()] += 1
        day += dt.timedelta(days=1)
    return counts


def facility_use(facility_ids, today: dt.date | None = None) -> dict[tuple[int, str], Use]:
    """``{(facility id, scenario): Use}`` for the facilities given (read by the planning
    tables, which already hold only what the user may see)."""
    from linli.operations.models import TimetableSlot, UseRecord
    from linli.registry.models import FacilityFunction
    from linli.residents.models import Rating, Session

    facility_ids = list(facility_ids)
    today = today or timezone.localdate()
    start = today - dt.timedelta(days=WINDOW_DAYS)
    used: dict[tuple[int, str], float] = defaultdict(float)
    offered: dict[tuple[int, str], float] = defaultdict(float)
    weekdays = _weekdays_in(start, today)
    for slot in TimetableSlot.objects.filter(
        service__facility_id__in=facility_ids, service__published=True
    ).select_related("service"):
        key = (slot.service.facility_id, slot.service.scenario)
        offered[key] += weekdays.get(slot.weekday, 0) * slot.service.capacity_per_slot
    taken = (
        Session.objects.filter(
            service__facility_id__in=facility_ids, date__gte=start, date__lt=today
        )
        .values("service__facility_id", "service__scenario")
        .annotate(places=Sum("bookings__party_size", filter=_held_filter()))
    )
    for row in taken:
        used[(row["service__facility_id"], row["service__scenario"])] += row["places"] or 0
    utilisation = {key: used[key] / offered[key] for key in offered if offered[key] > 0}
    # The operator's monthly figures, where they measure a capacity (beds, infant places).
    capacity = {
        (f.facility_id, f.scenario): f
        for f in FacilityFunction.objects.filter(facility_id__in=facility_ids)
    }
    latest = {}
    for record in UseRecord.objects.filter(facility_id__in=facility_ids).order_by("month"):
        latest[(record.facility_id, record.scenario)] = record
    for key, record in latest.items():
        function = capacity.get(key)
        if function is None:
            continue
        shares = []
        if function.beds and record.beds_occupied:
            shares.append(record.beds_occupied / function.beds)
        if function.infant_slots and record.infant_places_filled:
            shares.append(record.infant_places_filled / function.infant_slots)
        if shares:
            utilisation[key] = max([utilisation.get(key, 0.0), *shares])
    ratings = (
        Rating.objects.filter(
            booking__session__service__facility_id__in=facility_ids,
            booking__session__date__gte=start,
        )
        .values("booking__session__service__facility_id", "booking__session__service__scenario")
        .annotate(mean=Avg("stars"), n=Count("pk"))
    )
    rated = {
        (r["booking__session__service__facility_id"], r["booking__session__service__scenario"]): (
            float(r["mean"]),
            r["n"],
        )
        for r in ratings
    }
    keys = set(utilisation) | set(rated)
    return {
        key: Use(
            utilisation=utilisation.get(key),
            factor=supply_factor(utilisation.get(key)),
            satisfaction=rated.get(key, (None, 0))[0],
            ratings=rated.get(key, (None, 0))[1],
        )
        for key in keys
    }


def _held_filter():
    from django.db.models import Q

    return Q(bookings__state__in=_HELD)
