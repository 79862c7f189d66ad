"""Documents drafted from the platform's data: the 申报书, the 资金申请报告 at 概算 depth, the
批复 and the 资金下达通知 of each release.

Each document is built once as a list of plain blocks (title, heading, paragraph, table, map,
signature) and written twice from them: as Word (python-docx), for the official to edit, and as
PDF (WeasyPrint, Noto CJK), for reading and printing. The official then uploads the edited draft
and the signed scan; every version is kept (:class:`DocumentVersion`), nothing is overwritten.
Documents are official texts in Chinese whatever the reader's language.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from linli.audit.models import AuditAction
from linli.audit.services import audit_record
from linli.core.permissions import require_model_permission, require_permission
from linli.funding.choices import TrancheState
from linli.funding.letters import NATIONAL_PLAN, basis, yuan, yuan_in_capitals
from linli.funding.models import Application, FundReport, SubsidyApproval, Tranche
from linli.monitoring.models import (
    Document,
    DocumentKind,
    DocumentVersion,
    VersionStage,
    files_snapshot,
)
from linli.policy import load_pack
from linli.registry.models import Community, Facility, Jurisdiction, Level

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# Who drafts each document: the project's own offices prepare the application and the report,
# the city writes the approval and the release notice (政策解读 四.2).
CITY_DOCUMENTS = (DocumentKind.APPROVAL, DocumentKind.RELEASE_NOTICE)


@dataclass
class Draft:
    """A document as blocks: ``(kind, payload)`` with kinds title, subtitle, heading, para,
    table (headers, rows), image (PNG bytes, caption), sign (lines)."""

    title: str
    blocks: list[tuple[str, object]] = field(default_factory=list)

    def add(self, kind: str, payload) -> None:
        self.blocks.append((kind, payload))


def _ancestor(node: Jurisdiction, level: str) -> Jurisdiction | None:
    if node.level == level:
        return node
    return Jurisdiction.objects.get_ancestors(node).filter(level=level).first()


def _place(application: Application) -> str:
    site = application.site
    if site is not None:
        where = site.address or site.name
        return f"{where}（东经 {site.lon:.5f}°，北纬 {site.lat:.5f}°）"
    return application.location or "—"


def _area(value) -> str:
    return "—" if value is None else f"{Decimal(value):,.2f}"


def _functions_table(application: Application, estimates: dict[int, Decimal] | None = None):
    rows = []
    for f in application.functions.all():
        capacity = "，".join(
            f"{label}{value}"
            for label, value in (
                ("床位", f.beds),
                ("护理型床位", f.nursing_beds),
                ("托位", f.infant_slots),
                ("座位", f.seats),
            )
            if value
        )
        money = estimates.get(f.pk) if estimates is not None else f.investment_cny
        rows.append(
            [
                f.get_scenario_display(),
                f.get_category_display(),
                _area(f.floor_area_m2),
                yuan(money),
                capacity or "—",
            ]
        )
    return (["服务功能", "类别", "面积（㎡）", "投资（元）", "服务能力"], rows)


def _findings(application: Application) -> list[str]:
    lines = []
    for finding in application.evaluation.get("findings", []):
        mark = "符合" if finding.get("passed") else "不符合"
        source = finding.get("source") or ""
        lines.append(f"{mark}：{finding.get('message_zh', '')}（依据：{source}）")
    return lines


def _subsidy(application: Application) -> dict:
    return application.evaluation.get("subsidy", {}) or {}


def _coverage_lines(actor, application: Application) -> list[str]:
    """The diagnosis figures of the community the project serves (10-minute circle)."""
    from django.conf import settings

    from linli.core.vocabulary import label
    from linli.monitoring.dashboard import latest_coverage
    from linli.planning.gaps import PRIORITY_SCENARIOS, standards_from_pack
    from linli.policy import vocabulary

    if application.community is None:
        return []
    circle = standards_from_pack(load_pack(settings.POLICY_PACK)).gap_circle_m
    lines = []
    for scenario in PRIORITY_SCENARIOS:
        rows = latest_coverage(actor, application.community, scenario, circle)
        if rows and rows[0].total:
            share = rows[0].covered / rows[0].total
            lines.append(
                f"{label(vocabulary.SCENARIOS, scenario)}：{circle:g} 米步行范围内居民占 "
                f"{share:.0%}（{rows[0].covered:,.0f} / {rows[0].total:,.0f} 人）"
            )
    return lines


def declaration(actor, application: Application) -> Draft:
    """申报书: project, site, functions, consultation, planning evidence, policy findings,
    investment and funding mix."""
    draft = Draft(f"{application.name}申报书")
    draft.add("title", draft.title)
    draft.add("subtitle", f"申报单位：{application.jurisdiction.name}")
    draft.add("heading", "一、项目基本情况")
    facts = [
        ("项目名称", application.name),
        ("申报单位", application.jurisdiction.name),
        ("服务社区", application.community.name if application.community else "—"),
        ("建设地点", _place(application)),
        ("设施类型", application.get_kind_display()),
        ("建设方式", application.get_construction_display()),
        ("空间来源", application.get_space_source_display()),
        ("建筑面积（㎡）", _area(application.gross_floor_area_m2)),
        ("居民活动面积（㎡）", _area(application.resident_activity_area_m2)),
        ("总投资（元）", yuan(application.total_investment_cny)),
        ("运营模式", application.get_operating_model_display()),
        ("运营主体", application.operator.name if application.operator else "待定"),
    ]
    draft.add("table", (["项目", "内容"], [list(pair) for pair in facts]))
    draft.add("heading", "二、服务功能")
    draft.add("table", _functions_table(application))
    draft.add("heading", "三、居民和企业意见征询")
    draft.add(
        "para",
        f"征询周边居民 {application.consulted_residents} 人、辖区企业 "
        f"{application.consulted_enterprises} 家。"
        f"主要意见：{application.consultation_opinions or '无'}",
    )
    draft.add("heading", "四、规划依据")
    evidence = application.planning_evidence or {}
    if evidence.get("residents_gaining") is not None:
        draft.add(
            "para",
            f"本项目选址来自区级选址方案（第 {evidence.get('rank', '—')} 位），建成后新增 "
            f"{evidence.get('walking_distance_m', '—')} 米步行范围内可达居民约 "
            f"{evidence['residents_gaining']:,} 人。",
        )
    lines = _coverage_lines(actor, application)
    if lines:
        draft.add("para", "所在社区现状（最新缺口诊断）：")
        for line in lines:
            draft.add("para", line)
    else:
        draft.add("para", "所在社区尚无缺口诊断结果。")
    picture = site_map(application)
    if picture:
        draft.add("image", (picture, "项目选址与周边设施示意图"))
    draft.add("heading", "五、政策符合性审查")
    findings = _findings(application)
    for line in findings or ["尚未进行政策检查。"]:
        draft.add("para", line)
    draft.add("heading", "六、投资与资金构成")
    subsidy = _subsidy(application)
    total = application.total_investment_cny
    requested = Decimal(subsidy.get("total_cny") or 0)
    draft.add(
        "table",
        (
            ["资金来源", "金额（元）"],
            [
                ["申请市级补助", yuan(requested)],
                ["区级及社会资金", yuan(total - requested)],
                ["合计", yuan(total)],
            ],
        ),
    )
    draft.add("sign", [application.jurisdiction.name, _today_zh()])
    return draft


def fund_report(actor, application: Application) -> Draft:
    """资金申请报告 at 概算 depth: estimates per function, the feasibility approval it rests on,
    the subsidy requested and the funding mix."""
    report = FundReport.objects.filter(application=application).first()
    estimates = (
        {item.function_id: item.estimate_cny for item in report.items.all()} if report else None
    )
    district = _ancestor(application.jurisdiction, Level.DISTRICT)
    draft = Draft(f"{application.name}资金申请报告")
    draft.add("title", draft.title)
    draft.add("subtitle", f"报送单位：{(district or application.jurisdiction).name}发展改革部门")
    draft.add("heading", "一、项目概况")
    draft.add(
        "para",
        f"{application.name}位于{_place(application)}，{application.get_construction_display()}，"
        f"建筑面积 {_area(application.gross_floor_area_m2)} 平方米，总投资 "
        f"{yuan(application.total_investment_cny)} 元。",
    )
    feasibility = getattr(application, "feasibility", None)
    draft.add("heading", "二、可行性研究报告批复情况")
    if feasibility is not None:
        draft.add(
            "para",
            f"项目可行性研究报告已由{(district or application.jurisdiction).name}批复"
            f"（{feasibility.document_no}，{feasibility.approved_on:%Y年%m月%d日}），"
            f"批复总投资 {yuan(feasibility.approved_investment_cny)} 元。",
        )
    else:
        draft.add("para", "可行性研究报告尚未批复。")
    draft.add("heading", "三、投资概算")
    headers, rows = _functions_table(application, estimates)
    total = sum((v for v in (estimates or {}).values()), Decimal(0)) if estimates else None
    rows.append(
        ["合计", "", "", yuan(total if total is not None else application.total_investment_cny), ""]
    )
    draft.add("table", (headers, rows))
    draft.add("heading", "四、申请补助资金")
    subsidy = _subsidy(application)
    draft.add(
        "para",
        f"按政策测算，基本公共服务类功能补助 {yuan(subsidy.get('basic_public_cny'))} 元，"
        f"普惠非基本公共服务类功能补助 {yuan(subsidy.get('inclusive_cny'))} 元，"
        f"申请市级补助合计 {yuan(subsidy.get('total_cny'))} 元。",
    )
    draft.add("heading", "五、运营安排")
    draft.add(
        "para",
        f"运营模式：{application.get_operating_model_display()}。"
        f"普惠价格：{application.price_schedule or '待定'}",
    )
    draft.add(
        "sign", [f"{(district or application.jurisdiction).name}发展和改革委员会", _today_zh()]
    )
    return draft


def approval(actor, application: Application) -> Draft:
    """批复: the same content as the approval letter of the funding app, as blocks."""
    approval = SubsidyApproval.objects.filter(application=application).first()
    if approval is None:
        raise ValidationError(_("Approval letter: the subsidy has not been approved yet."))
    pack = load_pack(application.call.policy_id)
    city = _ancestor(application.jurisdiction, Level.CITY)
    district = _ancestor(application.jurisdiction, Level.DISTRICT) or application.jurisdiction
    draft = Draft(f"关于{application.name}资金申请报告的批复")
    draft.add("title", draft.title)
    draft.add("subtitle", approval.letter_no)
    draft.add("para", f"{district.name}发展改革委：")
    draft.add(
        "para",
        f"你区报送的{application.jurisdiction.name}{application.name}资金申请报告收悉。经研究，依据"
        f"{basis(pack, city)}，现批复如下：",
    )
    draft.add(
        "para",
        f"一、同意安排市政府固定资产投资补助资金人民币{yuan_in_capitals(approval.total_cny)}"
        f"（¥{yuan(approval.total_cny)}）。"
        f"其中基本公共服务类功能补助 {yuan(approval.basic_public_cny)} 元，"
        f"普惠非基本公共服务类功能补助 {yuan(approval.inclusive_cny)} 元。",
    )
    draft.add("para", "二、市级资金按照本批复和工程进度分批下达，累计下达金额不超过批复金额。")
    draft.add(
        "sign",
        [f"{city.name if city else ''}发展和改革委员会", f"{approval.approved_on:%Y年%m月%d日}"],
    )
    return draft


def release_notice(actor, application: Application, tranche: Tranche) -> Draft:
    """资金下达通知 of one release: the amount, the milestone it pays for, the running total."""
    if tranche.application_id != application.pk or tranche.state not in (
        TrancheState.APPROVED,
        TrancheState.RELEASED,
    ):
        raise ValidationError(
            _("Release notice: choose a tranche of this project that the city has approved.")
        )
    city = _ancestor(application.jurisdiction, Level.CITY)
    district = _ancestor(application.jurisdiction, Level.DISTRICT) or application.jurisdiction
    ledger = application.ledger
    released_before = sum(
        (
            t.amount_cny
            for t in application.tranches.filter(state=TrancheState.RELEASED).exclude(pk=tranche.pk)
            if (t.released_at or timezone.now()) <= (tranche.released_at or timezone.now())
        ),
        Decimal(0),
    )
    after = released_before + tranche.amount_cny
    draft = Draft(f"关于下达{application.name}市级补助资金的通知")
    draft.add("title", draft.title)
    draft.add("para", f"{district.name}发展改革委：")
    draft.add(
        "para",
        f"根据{NATIONAL_PLAN}和项目资金申请报告批复，按照项目建设进度"
        f"（{tranche.milestone.get_kind_display()}，{tranche.milestone.achieved_on:%Y年%m月%d日}），"
        f"现下达{application.name}市级补助资金人民币{yuan_in_capitals(tranche.amount_cny)}"
        f"（¥{yuan(tranche.amount_cny)}）。",
    )
    draft.add(
        "table",
        (
            ["项目", "金额（元）"],
            [
                ["批复补助", yuan(ledger.approved_cny)],
                ["此前累计下达", yuan(released_before)],
                ["本次下达", yuan(tranche.amount_cny)],
                ["累计下达", yuan(after)],
                ["尚未下达", yuan(ledger.approved_cny - after)],
            ],
        ),
    )
    draft.add("para", "请督促项目单位专款专用，加快建设进度，按期投入运营。")
    draft.add("sign", [f"{city.name if city else ''}发展和改革委员会", _today_zh()])
    return draft


def _today_zh() -> str:
    today = timezone.localdate()
    return f"{today.year}年{today.month}月{today.day}日"


# --- the sketch map ----------------------------------------------------------------------


def site_map(application: Application, size: int = 640) -> bytes | None:
    """A sketch of the site among the community boundaries and facilities of its street, as
    PNG (Pillow, a WeasyPrint dependency): enough for a 申报书's 示意图, no tiles needed."""
    from PIL import Image, ImageDraw

    site = application.site
    node = application.community or application.jurisdiction
    street = _ancestor(node, Level.STREET)
    if site is None or street is None:
        return None
    communities = Community.objects.filter(
        jurisdiction__path__startswith=street.path, boundary__isnull=False
    )
    facilities = Facility.objects.filter(jurisdiction__path__startswith=street.path)
    rings = []
    for community in communities:
        geometry = community.boundary or {}
        polygons = geometry.get("coordinates", [])
        if geometry.get("type") == "Polygon":
            polygons = [polygons]
        rings += [polygon[0] for polygon in polygons if polygon]
    points = [(p[0], p[1]) for ring in rings for p in ring]
    points += [(f.lon, f.lat) for f in facilities] + [(site.lon, site.lat)]
    west, east = min(x for x, _y in points), max(x for x, _y in points)
    south, north = min(y for _x, y in points), max(y for _x, y in points)
    span = max(east - west, north - south, 1e-4) * 1.1
    cx, cy = (west + east) / 2, (south + north) / 2

    def xy(lon, lat):
        return (
            size / 2 + (lon - cx) / span * size,
            size / 2 - (lat - cy) / span * size,
        )

    image = Image.new("RGB", (size, size), "white")
    pen = ImageDraw.Draw(image)
    for ring in rings:
        pen.polygon([xy(x, y) for x, y in ring], outline="#495057", fill="#f1f3f5")
    for facility in facilities:
        x, y = xy(facility.lon, facility.lat)
        pen.ellipse((x - 5, y - 5, x + 5, y + 5), fill="#1c7ed6")
    x, y = xy(site.lon, site.lat)
    pen.rectangle((x - 8, y - 8, x + 8, y + 8), fill="#e03131")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


# --- writers -----------------------------------------------------------------------------


def to_docx(draft: Draft) -> bytes:
    from docx import Document as WordDocument
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    word = WordDocument()
    style = word.styles["Normal"]
    style.font.name = "仿宋"
    style.font.size = Pt(14)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋")
    for kind, payload in draft.blocks:
        if kind == "title":
            paragraph = word.add_paragraph()
            run = paragraph.add_run(payload)
            run.bold, run.font.size = True, Pt(20)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif kind == "subtitle":
            word.add_paragraph(payload).alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif kind == "heading":
            word.add_paragraph().add_run(payload).bold = True
        elif kind == "para":
            word.add_paragraph(payload).paragraph_format.first_line_indent = Pt(28)
        elif kind == "table":
            headers, rows = payload
            table = word.add_table(rows=1, cols=len(headers))
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, headers, strict=True):
                cell.text = str(text)
            for row in rows:
                for cell, text in zip(table.add_row().cells, row, strict=True):
                    cell.text = str(text)
        elif kind == "image":
            picture, caption = payload
            word.add_picture(io.BytesIO(picture), width=Cm(12))
            word.add_paragraph(caption).alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif kind == "sign":
            for line in payload:
                word.add_paragraph(line).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def to_pdf(draft: Draft) -> bytes:
    import base64

    from weasyprint import HTML

    blocks = []
    for kind, payload in draft.blocks:
        if kind == "image":
            picture, caption = payload
            payload = (base64.b64encode(picture).decode(), caption)
        blocks.append((kind, payload))
    with translation.override("zh-hans"):
        html = render_to_string("monitoring/document.html", {"draft": draft, "blocks": blocks})
    return HTML(string=html).write_pdf()


BUILDERS = {
    DocumentKind.DECLARATION: declaration,
    DocumentKind.FUND_REPORT: fund_report,
    DocumentKind.APPROVAL: approval,
}


def build(actor, application: Application, kind: str, tranche: Tranche | None = None) -> Draft:
    with translation.override("zh-hans"):
        if kind == DocumentKind.RELEASE_NOTICE:
            if tranche is None:
                raise ValidationError(_("Release notice: choose the tranche it announces."))
            return release_notice(actor, application, tranche)
        return BUILDERS[kind](actor, application)


# --- services ------------------------------------------------------------------------------


def _require_office(actor, kind: str) -> None:
    level = actor.jurisdiction.level if actor.jurisdiction else ""
    if kind in CITY_DOCUMENTS and level != Level.CITY:
        raise PermissionDenied(_("The approval and the release notice are drafted by the city."))
    if kind not in CITY_DOCUMENTS and level not in (Level.DISTRICT, Level.STREET):
        raise PermissionDenied(_("This document is drafted by the district or the street."))


def _version(document, stage, name, content_type, content, actor) -> DocumentVersion:
    version = DocumentVersion.objects.create(
        document=document,
        stage=stage,
        file_name=name[:200],
        content_type=content_type,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        created_by=actor,
    )
    audit_record(actor=actor, action=AuditAction.CREATE, obj=version, after=files_snapshot(version))
    return version


def document_draft(
    *, actor, application: Application, kind: str, tranche: Tranche | None = None
) -> Document:
    """Draft (or draft again) a document from the data: a Word and a PDF version, kept."""
    require_model_permission(actor, "add", Document)
    require_permission(actor, "view", application)
    if kind not in DocumentKind.values:
        raise ValidationError(_("Document: choose one of the four kinds."))
    _require_office(actor, kind)
    if tranche is not None:
        tranche = Tranche.objects.select_related("milestone").get(pk=tranche.pk)
    draft = build(actor, application, kind, tranche)
    word, pdf = to_docx(draft), to_pdf(draft)
    with transaction.atomic():
        document, created = Document.objects.get_or_create(
            application=application,
            kind=kind,
            tranche=tranche if kind == DocumentKind.RELEASE_NOTICE else None,
        )
        if created:
            audit_record(
                actor=actor, action=AuditAction.CREATE, obj=document, after=files_snapshot(document)
            )
        stem = draft.title
        _version(document, VersionStage.DRAFT, f"{stem}（草稿）.docx", DOCX_TYPE, word, actor)
        _version(document, VersionStage.DRAFT, f"{stem}（草稿）.pdf", "application/pdf", pdf, actor)
    return document


_SIGNED_TYPES = {
    "pdf": ("application/pdf", lambda data: data.startswith(b"%PDF-")),
    "jpg": ("image/jpeg", lambda data: data.startswith(b"\xff\xd8\xff")),
    "jpeg": ("image/jpeg", lambda data: data.startswith(b"\xff\xd8\xff")),
    "png": ("image/png", lambda data: data.startswith(b"\x89PNG\r\n\x1a\n")),
}


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def document_upload(*, actor, document: Document, stage: str, upload) -> DocumentVersion:
    """Keep an official's edited draft (Word) or the signed scan (PDF, JPG, PNG)."""
    require_model_permission(actor, "sign", Document)
    require_permission(actor, "view", document)
    _require_office(actor, document.kind)
    name = Path(upload.name).name
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("File %(name)s: larger than %(mb)s MB; upload a smaller file.")
            % {"name": name, "mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
    data = b"".join(upload.chunks())
    if stage == VersionStage.EDITED:
        if extension != "docx" or not _is_docx(data):
            raise ValidationError(
                _("File %(name)s: the edited draft must be a Word document (.docx).")
                % {"name": name}
            )
        content_type = DOCX_TYPE
    elif stage == VersionStage.SIGNED:
        kind = _SIGNED_TYPES.get(extension)
        if kind is None or not kind[1](data):
            raise ValidationError(
                _("File %(name)s: the signed version must be a PDF, JPG or PNG scan.")
                % {"name": name}
            )
        content_type = kind[0]
    else:
        raise ValidationError(_("Version: choose the edited draft or the signed version."))
    with transaction.atomic():
        return _version(document, stage, name, content_type, data, actor)
