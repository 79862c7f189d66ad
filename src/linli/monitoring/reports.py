"""Periodic reports (调度表): one row per project, columns by stage, money and capacity, as a
programme office reports upward each month, quarter and year; as xlsx (openpyxl) and PDF
(WeasyPrint, Noto CJK). Generated on demand or by ``linli manage monitoring_report`` (cron),
each kept in :class:`PeriodicReport` as it was generated.

The report is an official table in Chinese whatever the reader's language, like the 批复.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from linli.audit.models import AuditAction
from linli.audit.services import audit_record
from linli.core.exports import FORMULA_TRIGGERS
from linli.core.permissions import require_in_scope, require_model_permission, restrict
from linli.funding.choices import ApplicationState, MilestoneKind, TrancheState
from linli.funding.models import Tranche
from linli.monitoring.dashboard import applications, delay_days
from linli.monitoring.models import Period, PeriodicReport, files_snapshot
from linli.registry.models import Jurisdiction, Level

S = ApplicationState
PERIOD_ZH = {Period.MONTHLY: "月报", Period.QUARTERLY: "季报", Period.ANNUAL: "年报"}
MILESTONE_COLUMNS = (
    (MilestoneKind.START, "开工"),
    (MilestoneKind.STRUCTURE, "主体完工"),
    (MilestoneKind.ACCEPTANCE, "竣工验收"),
    (MilestoneKind.OPERATION, "投入运营"),
)
TEN_THOUSAND = Decimal(10_000)


def period_bounds(period: str, on: date) -> tuple[date, date]:
    """The calendar month, quarter or year that contains ``on``."""
    if period == Period.MONTHLY:
        start = on.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    elif period == Period.QUARTERLY:
        first = 3 * ((on.month - 1) // 3) + 1
        start = date(on.year, first, 1)
        end = (date(on.year, first + 2, 1) + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    elif period == Period.ANNUAL:
        start, end = date(on.year, 1, 1), date(on.year, 12, 31)
    else:
        raise ValidationError(_("Period: choose monthly, quarterly or annual."))
    return start, end


def previous_period(period: str, today: date) -> tuple[date, date]:
    """The last complete period before ``today`` (what a scheduled run reports)."""
    start, _end = period_bounds(period, today)
    return period_bounds(period, start - timedelta(days=1))


def period_title(period: str, start: date) -> str:
    if period == Period.MONTHLY:
        return f"{start.year}年{start.month}月"
    if period == Period.QUARTERLY:
        return f"{start.year}年第{(start.month - 1) // 3 + 1}季度"
    return f"{start.year}年"


@dataclass(frozen=True)
class ReportRow:
    number: int
    name: str
    district: str
    street: str
    community: str
    construction: str
    stage: str
    investment: Decimal  # 万元
    milestones: list[str]  # date or ""
    planned_opening: str
    delay: str
    approved: Decimal  # 万元
    released: Decimal  # 万元
    released_in_period: Decimal  # 万元
    beds: int
    nursing_beds: int
    infant_slots: int
    seats: int
    floor_area: Decimal


def _wan(amount) -> Decimal:
    return (Decimal(amount or 0) / TEN_THOUSAND).quantize(Decimal("0.01"))


def _chain(node: Jurisdiction) -> dict[str, str]:
    names = {j.level: j.name for j in Jurisdiction.objects.get_ancestors(node)}
    names[node.level] = node.name
    return names


def report_rows(user, node: Jurisdiction, start: date, end: date) -> list[ReportRow]:
    """Projects past the street's draft, as the user may see them, as they stood at ``end``."""
    projects = (
        applications(user, node)
        .exclude(state__in=(S.DRAFT, S.RETURNED))
        .filter(created_at__date__lte=end)
        .select_related("jurisdiction", "community", "monitoring_plan", "ledger")
        .prefetch_related("functions", "milestones")
        .order_by("jurisdiction__path", "name")
    )
    window = (
        timezone.make_aware(datetime.combine(start, time.min)),
        timezone.make_aware(datetime.combine(end, time.max)),
    )
    in_period: dict[int, Decimal] = {}
    for tranche in restrict(Tranche.objects.all(), user).filter(
        application__in=projects, state=TrancheState.RELEASED, released_at__range=window
    ):
        in_period[tranche.application_id] = in_period.get(tranche.application_id, 0) + (
            tranche.amount_cny
        )
    rows = []
    with translation.override("zh-hans"):
        for number, project in enumerate(projects, start=1):
            place = _chain(project.community or project.jurisdiction)
            achieved = {
                m.kind: m.achieved_on for m in project.milestones.all() if m.achieved_on <= end
            }
            plan = getattr(project, "monitoring_plan", None)
            delay = delay_days(plan, achieved, min(end, date.today()))
            functions = list(project.functions.all())
            ledger = getattr(project, "ledger", None)
            rows.append(
                ReportRow(
                    number=number,
                    name=project.name,
                    district=place.get(Level.DISTRICT, ""),
                    street=place.get(Level.STREET, ""),
                    community=place.get(Level.COMMUNITY, ""),
                    construction=str(project.get_construction_display()),
                    stage=str(project.get_state_display()),
                    investment=_wan(project.total_investment_cny),
                    milestones=[
                        achieved[kind].isoformat() if kind in achieved else ""
                        for kind, _label in MILESTONE_COLUMNS
                    ],
                    planned_opening=plan.planned_opening.isoformat()
                    if plan and plan.planned_opening
                    else "",
                    delay="" if delay is None else ("按期" if delay <= 0 else f"滞后{delay}天"),
                    approved=_wan(ledger.approved_cny if ledger else 0),
                    released=_wan(ledger.released_cny if ledger else 0),
                    released_in_period=_wan(in_period.get(project.pk, 0)),
                    beds=sum(f.beds or 0 for f in functions),
                    nursing_beds=sum(f.nursing_beds or 0 for f in functions),
                    infant_slots=sum(f.infant_slots or 0 for f in functions),
                    seats=sum(f.seats or 0 for f in functions),
                    floor_area=project.gross_floor_area_m2,
                )
            )
    return rows


# (group, [(header, attribute or callable)]) — the 调度表's two header rows.
GROUPS = (
    (
        "项目基本情况",
        [
            ("序号", "number"),
            ("项目名称", "name"),
            ("区", "district"),
            ("街道", "street"),
            ("社区", "community"),
            ("建设方式", "construction"),
            ("总投资（万元）", "investment"),
        ],
    ),
    (
        "建设进度",
        [
            ("当前阶段", "stage"),
            *[(label, f"milestone:{i}") for i, (_k, label) in enumerate(MILESTONE_COLUMNS)],
            ("计划运营", "planned_opening"),
            ("进度", "delay"),
        ],
    ),
    (
        "资金（万元）",
        [
            ("批复补助", "approved"),
            ("累计下达", "released"),
            ("本期下达", "released_in_period"),
        ],
    ),
    (
        "服务能力",
        [
            ("养老床位", "beds"),
            ("护理型床位", "nursing_beds"),
            ("托位", "infant_slots"),
            ("助餐座位", "seats"),
            ("建筑面积（㎡）", "floor_area"),
        ],
    ),
)
SUMMED = (
    "investment",
    "approved",
    "released",
    "released_in_period",
    "beds",
    "nursing_beds",
    "infant_slots",
    "seats",
    "floor_area",
)


def _value(row: ReportRow, attribute: str):
    if attribute.startswith("milestone:"):
        return row.milestones[int(attribute.split(":")[1])]
    return getattr(row, attribute)


def totals(rows: list[ReportRow]) -> dict[str, Decimal]:
    return {a: sum((Decimal(getattr(r, a)) for r in rows), Decimal(0)) for a in SUMMED}


def report_title(node: Jurisdiction, period: str, start: date) -> str:
    when = f"{period_title(period, start)}{PERIOD_ZH[period]}"
    return f"{node.name}城市社区嵌入式服务设施建设工程调度表（{when}）"


def _put(sheet, row: int, column: int, value):
    """A cell whose text is never run as a formula (a project named "=…" stays text)."""
    cell = sheet.cell(row, column, value)
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def report_xlsx(node, period, start, end, rows, generated: datetime) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "调度表"
    columns = [column for _group, cols in GROUPS for column in cols]
    width = len(columns)
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.cell(1, 1, report_title(node, period, start)).font = Font(bold=True, size=14)
    sheet.cell(1, 1).alignment = centre
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    sheet.cell(
        2,
        1,
        f"统计期间：{start.isoformat()} 至 {end.isoformat()}"
        f"　　填报时间：{generated:%Y-%m-%d %H:%M}",
    )
    column = 1
    for group, cols in GROUPS:
        sheet.merge_cells(
            start_row=3, start_column=column, end_row=3, end_column=column + len(cols) - 1
        )
        sheet.cell(3, column, group)
        for offset, (header, _attr) in enumerate(cols):
            sheet.cell(4, column + offset, header)
        column += len(cols)
    for row_number in (3, 4):
        for c in range(1, width + 1):
            cell = sheet.cell(row_number, c)
            cell.font, cell.alignment, cell.border = Font(bold=True), centre, border
    for r, row in enumerate(rows, start=5):
        for c, (_header, attribute) in enumerate(columns, start=1):
            _put(sheet, r, c, _value(row, attribute)).border = border
    total_row = 5 + len(rows)
    sums = totals(rows)
    sheet.cell(total_row, 2, "合计").font = Font(bold=True)
    for c, (_header, attribute) in enumerate(columns, start=1):
        if attribute in sums:
            sheet.cell(total_row, c, sums[attribute]).font = Font(bold=True)
        sheet.cell(total_row, c).border = border
    for c in range(1, width + 1):
        sheet.column_dimensions[get_column_letter(c)].width = 22 if c == 2 else 11
    sheet.freeze_panes = "C5"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def report_html(node, period, start, end, rows, generated: datetime) -> str:
    headers = [(group, cols) for group, cols in GROUPS]
    with translation.override("zh-hans"):
        return _render_report(node, period, start, end, rows, generated, headers)


def _render_report(node, period, start, end, rows, generated, headers) -> str:
    return render_to_string(
        "monitoring/report.html",
        {
            "title": report_title(node, period, start),
            "start": start,
            "end": end,
            "generated": generated,
            "groups": headers,
            "rows": [[_value(row, a) for _g, cols in GROUPS for _h, a in cols] for row in rows],
            "totals": [totals(rows).get(a, "") for _g, cols in GROUPS for _h, a in cols],
        },
    )


def report_pdf(*args) -> bytes:
    from weasyprint import HTML

    return HTML(string=report_html(*args)).write_pdf()


def report_generate(*, actor, jurisdiction: Jurisdiction, period: str, on: date) -> PeriodicReport:
    """Generate and keep the 调度表 of ``jurisdiction`` for the period containing ``on``."""
    require_model_permission(actor, "add", PeriodicReport)
    require_in_scope(actor, jurisdiction)
    start, end = period_bounds(period, on)
    rows = report_rows(actor, jurisdiction, start, end)
    generated = timezone.localtime()
    parts = (jurisdiction, period, start, end, rows, generated)
    xlsx, pdf = report_xlsx(*parts), report_pdf(*parts)
    with transaction.atomic():
        report = PeriodicReport(
            jurisdiction=jurisdiction,
            period=period,
            period_start=start,
            period_end=end,
            projects=len(rows),
            xlsx=xlsx,
            pdf=pdf,
            created_by=actor,
        )
        report.full_clean(exclude=["xlsx", "pdf"])
        report.save()
        audit_record(
            actor=actor, action=AuditAction.CREATE, obj=report, after=files_snapshot(report)
        )
    return report
