"""Demo data for monitoring: plans and promises for the funded projects (one late), the projects
the city publishes, a street's own gap diagnosis (so the street's dashboard has coverage), the
documents of the project in operation, this month's 调度表 and a first measurement of promises.
Everything through the services, by the demo's own accounts. Called by the demo loader after
the district's diagnosis."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from linli.accounts.models import User
from linli.accounts.roles import Role
from linli.demo.accounts import demo_username
from linli.demo.policy import DEMO_POLICY
from linli.funding.choices import ApplicationState, TrancheState
from linli.funding.models import Application
from linli.jobs.services import job_submit
from linli.monitoring import services
from linli.monitoring.documents import document_draft
from linli.monitoring.models import DocumentKind, Period, ProjectPlan
from linli.monitoring.promise import flags_raise
from linli.monitoring.reports import report_generate
from linli.plans.handlers import DIAGNOSE

S = ApplicationState
FUNDED = (S.FUND_APPROVED, S.IN_CONSTRUCTION, S.OPERATING)


def load_monitoring_demo() -> None:
    if ProjectPlan.objects.exists():
        return
    city = User.objects.get(username=demo_username(Role.CITY_ADMIN))
    district = User.objects.get(username=demo_username(Role.DISTRICT_OFFICER))
    street = User.objects.get(username=demo_username(Role.STREET_OFFICER))
    today = timezone.localdate()
    job_submit(
        actor=street,
        kind=DIAGNOSE,
        jurisdiction=street.jurisdiction,
        params={"policy": DEMO_POLICY},
        inline=True,
    )
    for project in Application.objects.filter(state__in=FUNDED).order_by("pk"):
        late = project.state == S.IN_CONSTRUCTION  # the one under construction runs late
        services.plan_save(
            actor=street,
            application=project,
            planned_start=today - timedelta(days=60 if late else 10),
            planned_completion=today - timedelta(days=20) if late else today + timedelta(days=90),
            planned_opening=today - timedelta(days=5) if late else today + timedelta(days=120),
            promised_coverage={"elderly_care": 1200, "infant_care": 800},
        )
        if project.state != S.FUND_APPROVED:
            services.project_publish(actor=city, application=project, public=True)
    for project in Application.objects.filter(state=S.OPERATING):
        for kind in (DocumentKind.DECLARATION, DocumentKind.FUND_REPORT):
            document_draft(actor=district, application=project, kind=kind)
        document_draft(actor=city, application=project, kind=DocumentKind.APPROVAL)
        for tranche in project.tranches.filter(state=TrancheState.RELEASED):
            document_draft(
                actor=city,
                application=project,
                kind=DocumentKind.RELEASE_NOTICE,
                tranche=tranche,
            )
    report_generate(actor=city, jurisdiction=city.jurisdiction, period=Period.MONTHLY, on=today)
    report_generate(
        actor=district, jurisdiction=district.jurisdiction, period=Period.QUARTERLY, on=today
    )
    flags_raise(actor=city)
