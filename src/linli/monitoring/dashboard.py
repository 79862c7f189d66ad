"""The programme dashboard's figures, each the total of a list one can open.

A :class:`Measure` names the rows a figure sums (read through ``restrict`` and limited to
the chosen node of the jurisdiction tree) and how one row counts. The figure is an aggregate
in the database where the rows are model rows; the drill-down page lists the same rows and
adds them up, so a test can hold every figure to its list on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.core.permissions import has_permission, restrict
from linli.core.vocabulary import label
from linli.funding.choices import ApplicationState, MilestoneKind
from linli.funding.models import Application, Ledger, Milestone
from linli.jobs.models import Job, JobStatus
from linli.monitoring.models import ProjectPlan
from linli.planning.gaps import Standards, standards_from_pack
from linli.policy import load_pack, vocabulary
from linli.registry.choices import FacilityStatus
from linli.registry.models import Community, FacilityFunction, Jurisdiction

S = ApplicationState
SCENARIOS = tuple(vocabulary.SCENARIOS)
BUILT = (FacilityStatus.OPERATING, FacilityStatus.SUSPENDED)
FUNDED = (S.FUND_APPROVED, S.IN_CONSTRUCTION, S.OPERATING)
# Milestones and the planned date each is held to.
PLANNED = {
    MilestoneKind.START: "planned_start",
    MilestoneKind.ACCEPTANCE: "planned_completion",
    MilestoneKind.OPERATION: "planned_opening",
}
# Weight of each milestone in construction progress (投资完成进度, a share of the work).
PROGRESS = {
    MilestoneKind.START: Decimal("0.25"),
    MilestoneKind.STRUCTURE: Decimal("0.25"),
    MilestoneKind.ACCEPTANCE: Decimal("0.25"),
    MilestoneKind.OPERATION: Decimal("0.25"),
}
DELAY_BUCKETS = (
    ("on_schedule", gettext_lazy("On schedule")),
    ("up_to_30", gettext_lazy("Up to 30 days late")),
    ("31_to_90", gettext_lazy("31 to 90 days late")),
    ("over_90", gettext_lazy("More than 90 days late")),
    ("no_plan", gettext_lazy("No planned dates")),
)


@dataclass(frozen=True)
class Row:
    """One line of a drill-down list: what it is, where to see it, what it adds."""

    label: str
    url: str
    amount: Decimal
    detail: str = ""


@dataclass
class Measure:
    key: str
    title: Callable[[str], str]
    rows: Callable[[object, Jurisdiction, str], list[Row]]
    value: Callable[[object, Jurisdiction, str], Decimal]
    permission: tuple[type, ...] = field(default_factory=tuple)

    def allowed(self, user) -> bool:
        return all(has_permission(user, model, "view") for model in self.permission)


MEASURES: dict[str, Measure] = {}


def _measure(key, title, *models):
    def register(pair):
        rows, value = pair
        MEASURES[key] = Measure(key, title, rows, value, models)
        return pair

    return register


def number(value) -> Decimal:
    return Decimal(value or 0)


# --- where: the chosen node ------------------------------------------------------------


def in_node(prefix: str, node: Jurisdiction) -> Q:
    return Q(**{f"{prefix}path__startswith": node.path})


def applications(user, node: Jurisdiction) -> QuerySet[Application]:
    """Projects prepared in the node, or serving a community in it."""
    return restrict(Application.objects.all(), user).filter(
        in_node("jurisdiction__", node) | in_node("community__", node)
    )


def _functions(user, node, statuses, scenario=None) -> QuerySet[FacilityFunction]:
    queryset = restrict(FacilityFunction.objects.all(), user).filter(
        in_node("facility__jurisdiction__", node), facility__status__in=statuses
    )
    return queryset.filter(scenario=scenario) if scenario else queryset


def _communities(user, node) -> QuerySet[Community]:
    return restrict(Community.objects.all(), user).filter(in_node("jurisdiction__", node))


def _facility_row(function: FacilityFunction, amount) -> Row:
    facility = function.facility
    return Row(
        facility.name,
        facility.get_absolute_url(),
        number(amount),
        facility.jurisdiction.name,
    )


# --- facilities by scenario --------------------------------------------------------------


def _facilities(statuses):
    def rows(user, node, scenario):
        functions = _functions(user, node, statuses, scenario).select_related(
            "facility__jurisdiction"
        )
        return [_facility_row(f, 1) for f in functions.order_by("facility__code")]

    def value(user, node, scenario):
        return number(_functions(user, node, statuses, scenario).count())

    return rows, value


_measure(
    "facilities_built",
    lambda p: _("Facilities built: %(s)s") % {"s": label(vocabulary.SCENARIOS, p)},
    FacilityFunction,
)(_facilities(BUILT))
_measure(
    "facilities_operating",
    lambda p: _("Facilities operating: %(s)s") % {"s": label(vocabulary.SCENARIOS, p)},
    FacilityFunction,
)(_facilities((FacilityStatus.OPERATING,)))


# --- capacity -----------------------------------------------------------------------------


def _capacity(column):
    def rows(user, node, _param):
        functions = (
            _functions(user, node, (FacilityStatus.OPERATING,))
            .filter(**{f"{column}__gt": 0})
            .select_related("facility__jurisdiction")
            .order_by("facility__code", "scenario")
        )
        return [_facility_row(f, getattr(f, column)) for f in functions]

    def value(user, node, _param):
        total = _functions(user, node, (FacilityStatus.OPERATING,)).aggregate(n=Sum(column))
        return number(total["n"])

    return rows, value


for _column, _title in (
    ("infant_slots", gettext_lazy("Infant slots (托位) in operating facilities")),
    ("beds", gettext_lazy("Elderly-care beds in operating facilities")),
    ("nursing_beds", gettext_lazy("Nursing beds in operating facilities")),
):
    _measure(_column, lambda p, t=_title: str(t), FacilityFunction)(_capacity(_column))


def _community_figure(column):
    def rows(user, node, _param):
        communities = _communities(user, node).select_related("jurisdiction")
        return [
            Row(c.jurisdiction.name, c.get_absolute_url(), number(getattr(c, column)))
            for c in communities
        ]

    def value(user, node, _param):
        return number(_communities(user, node).aggregate(n=Sum(column))["n"])

    return rows, value


for _column, _title in (
    ("population", gettext_lazy("Residents")),
    ("households", gettext_lazy("Households")),
    ("service_area_m2", gettext_lazy("Community service facility area (m²)")),
):
    _measure(_column, lambda p, t=_title: str(t), Community)(_community_figure(_column))


# --- pilots ---------------------------------------------------------------------------

# Order of a project's progress, to say how far a pilot community has come.
_STATE_ORDER = [
    S.REJECTED,
    S.CARRIED,
    S.DRAFT,
    S.RETURNED,
    S.DISTRICT_REVIEW,
    S.DISTRICT_SUBMITTED,
    S.JOINT_REVIEW,
    S.RESERVE,
    S.SELECTED,
    S.FS_APPROVED,
    S.FUND_APP_SUBMITTED,
    S.FUND_APPROVED,
    S.IN_CONSTRUCTION,
    S.OPERATING,
]
NO_PROJECT = "none"


def pilot_states(user, node) -> dict[int, str]:
    """Each pilot community of the node → the public status of its furthest project."""
    pilots = _communities(user, node).filter(pilot=True)
    furthest: dict[int, str] = {c.jurisdiction_id: NO_PROJECT for c in pilots}
    if has_permission(user, Application, "view"):
        projects = restrict(Application.objects.all(), user).filter(community_id__in=furthest)
        for community_id, state in projects.values_list("community_id", "state"):
            current = furthest[community_id]
            if current == NO_PROJECT or _STATE_ORDER.index(state) > _STATE_ORDER.index(current):
                furthest[community_id] = state
    return furthest


def pilot_state_label(state: str) -> str:
    if state == NO_PROJECT:
        return _("No project yet")
    return str(ApplicationState(state).label)


def _pilot_rows(user, node, state):
    states = pilot_states(user, node)
    communities = _communities(user, node).filter(pilot=True).select_related("jurisdiction")
    return [
        Row(c.jurisdiction.name, c.get_absolute_url(), Decimal(1), pilot_state_label(s))
        for c in communities
        if (s := states[c.jurisdiction_id]) == state or not state
    ]


def _pilot_value(user, node, state):
    if not state:
        return number(_communities(user, node).filter(pilot=True).count())
    return number(sum(1 for s in pilot_states(user, node).values() if s == state))


_measure(
    "pilots",
    lambda p: (
        _("Pilot communities: %(state)s") % {"state": pilot_state_label(p)}
        if p
        else _("Pilot communities")
    ),
    Community,
)((_pilot_rows, _pilot_value))


# --- money ------------------------------------------------------------------------------


def _ledgers(user, node) -> QuerySet[Ledger]:
    return restrict(Ledger.objects.all(), user).filter(
        in_node("application__jurisdiction__", node) | in_node("application__community__", node)
    )


def _ledger_row(ledger: Ledger, amount) -> Row:
    application = ledger.application
    return Row(application.name, application.get_absolute_url(), number(amount))


def _money(column):
    def rows(user, node, _param):
        ledgers = _ledgers(user, node).select_related("application").order_by("application__name")
        return [_ledger_row(ledger, getattr(ledger, column)) for ledger in ledgers]

    def value(user, node, _param):
        return number(_ledgers(user, node).aggregate(n=Sum(column))["n"])

    return rows, value


_measure("approved_cny", lambda p: _("Subsidy approved (CNY)"), Ledger)(_money("approved_cny"))
_measure("released_cny", lambda p: _("Subsidy released (CNY)"), Ledger)(_money("released_cny"))


def progress_share(kinds: Iterable[str]) -> Decimal:
    return sum((PROGRESS[k] for k in set(kinds) if k in PROGRESS), Decimal(0))


def _progress_rows(user, node, _param):
    ledgers = list(_ledgers(user, node).select_related("application").order_by("application__name"))
    achieved: dict[int, list[str]] = {}
    for application_id, kind in Milestone.objects.filter(
        application_id__in=[ledger.application_id for ledger in ledgers]
    ).values_list("application_id", "kind"):
        achieved.setdefault(application_id, []).append(kind)
    rows = []
    for ledger in ledgers:
        share = progress_share(achieved.get(ledger.application_id, []))
        earned = (ledger.approved_cny * share).quantize(Decimal("0.01"))
        rows.append(replace(_ledger_row(ledger, earned), detail=f"{share:.0%}"))
    return rows


def _progress_value(user, node, param):
    return sum((row.amount for row in _progress_rows(user, node, param)), Decimal(0))


_measure(
    "progress_cny",
    lambda p: _("Subsidy earned by construction progress (CNY)"),
    Ledger,
    Milestone,
)((_progress_rows, _progress_value))


# --- projects by stage and by delay ---------------------------------------------------------


def _stage_rows(user, node, state):
    projects = applications(user, node).filter(state=state).order_by("name")
    return [Row(a.name, a.get_absolute_url(), Decimal(1), a.get_state_display()) for a in projects]


def _stage_value(user, node, state):
    return number(applications(user, node).filter(state=state).count())


_measure(
    "stage",
    lambda p: _("Projects: %(state)s") % {"state": ApplicationState(p).label},
    Application,
)((_stage_rows, _stage_value))


def delay_days(plan: ProjectPlan | None, achieved: dict[str, date], today: date) -> int | None:
    """The largest delay of a milestone against its planned date (negative: ahead), or None
    when the project has no planned dates. A milestone not yet reached whose date has passed
    is late by the days since."""
    if plan is None:
        return None
    delays = []
    for kind, attribute in PLANNED.items():
        planned = getattr(plan, attribute)
        if planned is None:
            continue
        reached = achieved.get(kind)
        if reached is not None:
            delays.append((reached - planned).days)
        elif today > planned:
            delays.append((today - planned).days)
        else:
            delays.append(0)
    return max(delays) if delays else None


def delay_bucket(days: int | None) -> str:
    if days is None:
        return "no_plan"
    if days <= 0:
        return "on_schedule"
    if days <= 30:
        return "up_to_30"
    return "31_to_90" if days <= 90 else "over_90"


def project_delays(user, node, today: date | None = None) -> list[tuple[Application, int | None]]:
    """Every funded project of the node with its delay in days (None: no planned dates)."""
    today = today or date.today()
    projects = list(
        applications(user, node).filter(state__in=FUNDED).select_related("monitoring_plan")
    )
    achieved: dict[int, dict[str, date]] = {}
    for application_id, kind, on in Milestone.objects.filter(application__in=projects).values_list(
        "application_id", "kind", "achieved_on"
    ):
        achieved.setdefault(application_id, {})[kind] = on
    return [
        (a, delay_days(getattr(a, "monitoring_plan", None), achieved.get(a.pk, {}), today))
        for a in sorted(projects, key=lambda a: a.name)
    ]


def _delay_rows(user, node, bucket):
    return [
        Row(
            a.name,
            a.get_absolute_url(),
            Decimal(1),
            "—" if days is None else _("%(days)s days") % {"days": days},
        )
        for a, days in project_delays(user, node)
        if delay_bucket(days) == bucket
    ]


def _delay_value(user, node, bucket):
    return number(sum(1 for _a, days in project_delays(user, node) if delay_bucket(days) == bucket))


_measure(
    "delay",
    lambda p: _("Funded projects: %(bucket)s") % {"bucket": dict(DELAY_BUCKETS)[p]},
    Application,
)((_delay_rows, _delay_value))


# --- coverage from the latest diagnosis -----------------------------------------------------


@dataclass(frozen=True)
class CoverageRow:
    community: str
    name: str
    job: Job
    covered: Decimal
    total: Decimal


def diagnoses(user, node) -> QuerySet[Job]:
    """Finished diagnoses the user may see, about the node, an ancestor or a part of it."""
    from linli.plans.handlers import DIAGNOSE

    ancestors = [node.path[:end] for end in range(node.steplen, len(node.path) + 1, node.steplen)]
    return (
        restrict(Job.objects.all(), user)
        .filter(kind=DIAGNOSE, status=JobStatus.SUCCEEDED)
        .filter(Q(jurisdiction__path__in=ancestors) | in_node("jurisdiction__", node))
        .order_by("-finished_at", "-pk")
    )


def latest_coverage(
    user, node, scenario: str, circle: float, before=None, since=None
) -> list[CoverageRow]:
    """Per community of the node, its coverage in the newest diagnosis that holds it (finished
    before the day ``before``, or on or after the day ``since``, when given): residents within
    ``circle`` metres of ``scenario``."""
    codes = dict(_communities(user, node).values_list("jurisdiction__code", "jurisdiction__name"))
    jobs = diagnoses(user, node)
    if before is not None:
        jobs = jobs.filter(finished_at__date__lt=before)
    if since is not None:
        jobs = jobs.filter(finished_at__date__gte=since)
    rows: dict[str, CoverageRow] = {}
    for job in jobs.only("pk", "finished_at", "jurisdiction", "result"):
        for record in (job.result or {}).get("coverage", []):
            code = str(record["community_id"])
            if (
                code in codes
                and code not in rows
                and record["scenario"] == scenario
                and abs(float(record["life_circle_m"]) - circle) < 0.5
            ):
                rows[code] = CoverageRow(
                    code,
                    codes[code],
                    job,
                    Decimal(str(round(record["covered_weight"], 2))),
                    Decimal(str(round(record["total_weight"], 2))),
                )
    return sorted(rows.values(), key=lambda r: r.community)


def _coverage_param(param: str) -> tuple[str, float]:
    scenario, _sep, circle = param.partition(":")
    if scenario not in SCENARIOS:
        raise ValueError(param)
    return scenario, float(circle)


def _coverage(column):
    def rows(user, node, param):
        scenario, circle = _coverage_param(param)
        return [
            Row(r.name, reverse("plans:diagnosis_detail", args=[r.job.pk]), getattr(r, column))
            for r in latest_coverage(user, node, scenario, circle)
        ]

    def value(user, node, param):
        scenario, circle = _coverage_param(param)
        return sum(
            (getattr(r, column) for r in latest_coverage(user, node, scenario, circle)),
            Decimal(0),
        )

    return rows, value


def _coverage_title(text):
    def title(param):
        scenario, circle = _coverage_param(param)
        return text % {"s": label(vocabulary.SCENARIOS, scenario), "m": f"{circle:g}"}

    return title


_measure(
    "covered",
    lambda p: _coverage_title(_("Residents within %(m)s m of %(s)s"))(p),
    Job,
    Community,
)(_coverage("covered"))
_measure(
    "diagnosed",
    lambda p: _coverage_title(_("Residents diagnosed (%(s)s, %(m)s m)"))(p),
    Job,
    Community,
)(_coverage("total"))


# --- the page: figures with their links ------------------------------------------------------


def figure_url(key: str, node: Jurisdiction, param: str = "") -> str:
    query = {"node": node.pk}
    if param:
        query["param"] = param
    return f"{reverse('monitoring:figure', args=[key])}?{urlencode(query)}"


@dataclass(frozen=True)
class Figure:
    key: str
    param: str
    value: Decimal
    url: str


class Dashboard:
    """The dashboard of one node for one user; figures are computed when first asked for."""

    def __init__(self, user, node: Jurisdiction, today: date | None = None):
        self.user, self.node, self.today = user, node, today or date.today()

    def figure(self, key: str, param: str = "") -> Figure | None:
        measure = MEASURES[key]
        if not measure.allowed(self.user):
            return None
        value = measure.value(self.user, self.node, param)
        return Figure(key, param, value, figure_url(key, self.node, param))

    def figures(self) -> list[Figure]:
        """Every figure the page shows, for the test that holds each to its list."""
        found = [
            *[f for row in self.facilities for f in row[1:] if f],
            *[f for f in self.capacity_figures if f],
            *[f for _label, f in self.pilots if f],
            *[f for _label, f in self.money if f],
            *[f for _label, f in self.stages if f],
            *[f for _label, f in self.delays if f],
            *[f for row in self.coverage for cell in row[1:] if cell for f in cell if f],
        ]
        return found

    @cached_property
    def standards(self) -> Standards:
        return standards_from_pack(load_pack(settings.POLICY_PACK))

    @cached_property
    def facilities(self):
        """(scenario label, built, operating) per scenario."""
        return [
            (
                label(vocabulary.SCENARIOS, s),
                self.figure("facilities_built", s),
                self.figure("facilities_operating", s),
            )
            for s in SCENARIOS
        ]

    @cached_property
    def capacity(self) -> dict[str, Figure | None]:
        keys = (
            "infant_slots",
            "population",
            "beds",
            "nursing_beds",
            "service_area_m2",
            "households",
        )
        return {key: self.figure(key) for key in keys}

    @property
    def capacity_figures(self):
        return list(self.capacity.values())

    @cached_property
    def ratios(self) -> list[dict]:
        """The three capacity ratios against the pack's targets, each with its two figures."""
        c, s = self.capacity, self.standards

        def ratio(numerator, denominator, scale):
            if not (c[numerator] and c[denominator]) or not c[denominator].value:
                return None
            return c[numerator].value / c[denominator].value * scale

        return [
            dict(
                label=_("Infant slots per 1 000 residents"),
                value=ratio("infant_slots", "population", 1000),
                targets=[s.infant_slots_per_1000_people],
                parts=(c["infant_slots"], c["population"]),
                percent=False,
            ),
            dict(
                label=_("Nursing-bed share of elderly-care beds"),
                value=ratio("nursing_beds", "beds", 1),
                targets=[s.nursing_bed_share],
                parts=(c["nursing_beds"], c["beds"]),
                percent=True,
            ),
            dict(
                label=_("Community service area per 100 households (m²)"),
                value=ratio("service_area_m2", "households", 100),
                targets=[s.area_per_100_households, s.area_per_100_households_target],
                parts=(c["service_area_m2"], c["households"]),
                percent=False,
            ),
        ]

    @cached_property
    def pilots(self):
        states = [NO_PROJECT, *reversed(_STATE_ORDER)]
        present = set(pilot_states(self.user, self.node).values())
        total = self.figure("pilots")
        return [(_("All pilot communities"), total)] + [
            (pilot_state_label(s), self.figure("pilots", s)) for s in states if s in present
        ]

    @cached_property
    def money(self):
        labels = (_("Approved"), _("Released"), _("Earned by progress"))
        keys = ("approved_cny", "released_cny", "progress_cny")
        return [(text, self.figure(key)) for text, key in zip(labels, keys, strict=True)]

    @cached_property
    def stages(self):
        if not has_permission(self.user, Application, "view"):
            return []
        counts = dict(
            applications(self.user, self.node)
            .values_list("state")
            .annotate(n=Count("pk"))
            .values_list("state", "n")
        )
        return [
            (ApplicationState(s).label, self.figure("stage", s))
            for s in reversed(_STATE_ORDER)
            if counts.get(s)
        ]

    @cached_property
    def delays(self):
        if not has_permission(self.user, Application, "view"):
            return []
        return [(text, self.figure("delay", key)) for key, text in DELAY_BUCKETS]

    @cached_property
    def circles(self) -> tuple[float, ...]:
        return self.standards.life_circles_m

    @cached_property
    def coverage(self):
        """(scenario label, [(covered, diagnosed) per circle]) for the scenarios diagnosed."""
        if not MEASURES["covered"].allowed(self.user) or not diagnoses(self.user, self.node):
            return []
        return [
            (
                label(vocabulary.SCENARIOS, s),
                *[
                    (self.figure("covered", f"{s}:{c:g}"), self.figure("diagnosed", f"{s}:{c:g}"))
                    for c in self.circles
                ],
            )
            for s in SCENARIOS
        ]

    def chart_data(self) -> dict:
        """What the ECharts blocks draw; each bar carries the link of its list."""

        def point(fig):
            return {"value": float(fig.value), "url": fig.url} if fig else None

        return {
            "facilities": {
                "categories": [row[0] for row in self.facilities],
                "series": [
                    {"name": _("Built"), "data": [point(row[1]) for row in self.facilities]},
                    {"name": _("Operating"), "data": [point(row[2]) for row in self.facilities]},
                ],
            },
            "money": {
                "categories": [text for text, _f in self.money],
                "data": [point(f) for _t, f in self.money],
            },
            "stages": {
                "categories": [str(text) for text, _f in self.stages],
                "data": [point(f) for _t, f in self.stages],
            },
            "coverage": {
                "categories": [row[0] for row in self.coverage],
                "series": [
                    {
                        "name": _("%(m)s m") % {"m": f"{circle:g}"},
                        "data": [
                            {
                                "value": round(share(row[i + 1]) * 100, 1),
                                "url": row[i + 1][0].url,
                            }
                            if row[i + 1][0]
                            else None
                            for row in self.coverage
                        ],
                    }
                    for i, circle in enumerate(self.circles)
                ],
            },
        }


def share(cell) -> float:
    covered, diagnosed = cell
    if not covered or not diagnosed or not diagnosed.value:
        return 0.0
    return float(covered.value / diagnosed.value)


def before_and_after(user, node, scenarios=("elderly_care", "infant_care")) -> list[dict]:
    """For each project in operation: its community's share within the 10-minute circle in
    the newest diagnosis before it opened and in the newest one since."""
    if not (has_permission(user, Application, "view") and has_permission(user, Job, "view")):
        return []
    circle = standards_from_pack(load_pack(settings.POLICY_PACK)).gap_circle_m
    opened = (
        applications(user, node)
        .filter(state=S.OPERATING, community__isnull=False)
        .select_related("community")
    )
    out = []
    for project in opened:
        milestone = project.milestones.filter(kind=MilestoneKind.OPERATION).first()
        if milestone is None:
            continue
        community = project.community
        shares = []
        for scenario in scenarios:
            before = _share_of(user, community, scenario, circle, before=milestone.achieved_on)
            after = _share_of(user, community, scenario, circle, since=milestone.achieved_on)
            shares.append((label(vocabulary.SCENARIOS, scenario), before, after))
        out.append(dict(project=project, opened=milestone.achieved_on, shares=shares))
    return out


def _share_of(user, community, scenario, circle, **when):
    rows = latest_coverage(user, community, scenario, circle, **when)
    if not rows or not rows[0].total:
        return None
    return float(rows[0].covered / rows[0].total)


def dashboard_url(node: Jurisdiction) -> str:
    return f"{reverse('monitoring:dashboard')}?{urlencode({'node': node.pk})}"
