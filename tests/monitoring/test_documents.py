"""Documents drafted from data: Word read back with python-docx, PDF read back with pypdfium2
and rendered to an image; the edited and signed versions kept beside the draft; pages four ways."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document as WordDocument

from linli.accounts.roles import Role
from linli.audit.models import AuditRecord
from linli.core.testing import make_user
from linli.funding import services as funding
from linli.funding.choices import MilestoneKind
from linli.funding.testing import PDF_BYTES
from linli.monitoring.documents import document_draft, document_upload
from linli.monitoring.models import DocumentKind, DocumentVersion, VersionStage
from tests.monitoring.base import ProgrammeTestCase

pdfium = pytest.importorskip("pypdfium2")


def word_text(content: bytes) -> str:
    word = WordDocument(io.BytesIO(content))
    cells = [c.text for t in word.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in word.paragraphs] + cells)


def pdf_text(content: bytes) -> str:
    document = pdfium.PdfDocument(content)
    text = "".join(page.get_textpage().get_text_range() for page in document)
    return text.replace("\r", "").replace("\n", "")


def versions(document, stage, suffix):
    return document.versions.filter(stage=stage, file_name__endswith=suffix)


class DraftedDocumentTests(ProgrammeTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        start = cls.operating.milestones.get(kind=MilestoneKind.START)
        cls.tranche = funding.tranche_request(
            actor=cls.actors.street, milestone=start, amount_cny=Decimal("250000.00")
        )
        funding.tranche_verify(actor=cls.actors.district, tranche=cls.tranche)
        funding.tranche_approve(actor=cls.actors.city_admin, tranche=cls.tranche)
        funding.tranche_release(actor=cls.actors.city_admin, tranche=cls.tranche)
        street, city = cls.actors.street, cls.actors.city_admin
        # drafted by the district, which sees its own diagnosis of the district
        cls.declaration = document_draft(
            actor=cls.actors.district, application=cls.operating, kind=DocumentKind.DECLARATION
        )
        cls.fund_report = document_draft(
            actor=street, application=cls.operating, kind=DocumentKind.FUND_REPORT
        )
        cls.approval = document_draft(
            actor=city, application=cls.operating, kind=DocumentKind.APPROVAL
        )
        cls.notice = document_draft(
            actor=city,
            application=cls.operating,
            kind=DocumentKind.RELEASE_NOTICE,
            tranche=cls.tranche,
        )

    def content(self, document, suffix):
        return bytes(versions(document, VersionStage.DRAFT, suffix).get().content)

    def test_declaration_reads_back_in_chinese(self):
        for text in (
            word_text(self.content(self.declaration, ".docx")),
            pdf_text(self.content(self.declaration, ".pdf")),
        ):
            self.assertIn("甲一社区邻里中心申报书", text)
            self.assertIn("居民和企业意见征询", text)
            self.assertIn("居民希望增加助餐和日间照料", text)  # the consultation record
            self.assertIn("婴幼儿托育", text)
            self.assertIn("政策符合性审查", text)
            self.assertIn("依据", text)  # findings carry their citations
            self.assertIn("步行范围内居民占", text)  # the diagnosis figures
            self.assertNotIn("\ufffd", text)
        word = WordDocument(io.BytesIO(self.content(self.declaration, ".docx")))
        self.assertEqual(len(word.inline_shapes), 1)  # the site sketch map

    def test_fund_report_is_at_estimate_depth(self):
        text = word_text(self.content(self.fund_report, ".docx"))
        self.assertIn("投资概算", text)
        self.assertIn("区发改审〔2026〕12号", text)  # the feasibility approval it rests on
        self.assertIn("2,000,000.00", text)  # an estimate per function
        self.assertIn("5,000,000.00", text)  # the estimates' total

    def test_approval_and_release_notice(self):
        approval = pdf_text(self.content(self.approval, ".pdf"))
        self.assertIn("关于甲一社区邻里中心资金申请报告的批复", approval)
        letter_no = self.operating.subsidy_approval.letter_no
        self.assertIn(letter_no, approval)
        notice = word_text(self.content(self.notice, ".docx"))
        self.assertIn("关于下达甲一社区邻里中心市级补助资金的通知", notice)
        self.assertIn("贰拾伍万元整", notice)
        self.assertIn("250,000.00", notice)
        self.assertIn("开工", notice)

    def test_pdf_page_is_inked(self):
        page = pdfium.PdfDocument(self.content(self.declaration, ".pdf"))[0]
        image = page.render(scale=1).to_pil().convert("L")
        width, height = image.size
        title_band = image.crop((0, 0, width, height // 6))
        self.assertGreater(sum(title_band.histogram()[:128]), 500)

    def test_edited_and_signed_versions_are_kept_and_audited(self):
        edited = WordDocument(io.BytesIO(self.content(self.declaration, ".docx")))
        edited.add_paragraph("经办人补充：已核对选址。")
        buffer = io.BytesIO()
        edited.save(buffer)
        document_upload(
            actor=self.actors.district,
            document=self.declaration,
            stage=VersionStage.EDITED,
            upload=SimpleUploadedFile("申报书修改稿.docx", buffer.getvalue()),
        )
        document_upload(
            actor=self.actors.district,
            document=self.declaration,
            stage=VersionStage.SIGNED,
            upload=SimpleUploadedFile("申报书签章件.pdf", PDF_BYTES),
        )
        stages = list(self.declaration.versions.values_list("stage", flat=True))
        self.assertEqual(stages, ["draft", "draft", "edited", "signed"])
        kept = self.declaration.versions.get(stage=VersionStage.EDITED)
        self.assertIn("经办人补充", word_text(bytes(kept.content)))
        record = AuditRecord.objects.filter(
            object_type="monitoring.documentversion", object_id=str(kept.pk)
        ).get()
        self.assertEqual(record.after["content"], kept.sha256)

    def test_bad_uploads_are_refused_naming_the_file(self):
        with self.assertRaisesMessage(ValidationError, "修改稿.pdf"):
            document_upload(
                actor=self.actors.street,
                document=self.declaration,
                stage=VersionStage.EDITED,
                upload=SimpleUploadedFile("修改稿.pdf", PDF_BYTES),
            )
        with self.assertRaisesMessage(ValidationError, "签章件.pdf"):
            document_upload(
                actor=self.actors.street,
                document=self.declaration,
                stage=VersionStage.SIGNED,
                upload=SimpleUploadedFile("签章件.pdf", b"not a pdf"),
            )
        self.assertEqual(self.declaration.versions.count(), 2)

    def test_offices_draft_their_own_documents(self):
        with self.assertRaises(PermissionDenied):
            document_draft(
                actor=self.actors.street, application=self.operating, kind=DocumentKind.APPROVAL
            )
        with self.assertRaises(PermissionDenied):
            document_draft(
                actor=self.actors.street_b,
                application=self.operating,
                kind=DocumentKind.DECLARATION,
            )
        with self.assertRaises(ValidationError):  # no subsidy approved yet
            document_draft(
                actor=self.actors.city_admin, application=self.review, kind=DocumentKind.APPROVAL
            )


class DocumentViewTests(ProgrammeTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.auditor = make_user(cls.tree, Role.AUDITOR, cls.tree.street_a, "doc-auditor")
        cls.inside = document_draft(
            actor=cls.actors.street, application=cls.building, kind=DocumentKind.DECLARATION
        )
        cls.outside = document_draft(
            actor=cls.actors.street_b, application=cls.other, kind=DocumentKind.DECLARATION
        )

    def urls(self, document):
        version = document.versions.first()
        return [
            reverse("monitoring:document_detail", args=[document.pk]),
            reverse("monitoring:version_download", args=[version.pk]),
        ]

    def test_anonymous_is_sent_to_login(self):
        for url in self.urls(self.inside):
            self.assertEqual(self.client.get(url).status_code, 302)

    def test_without_permission_is_forbidden(self):
        self.client.force_login(self.auditor)
        for url in self.urls(self.inside):
            self.assertEqual(self.client.get(url).status_code, 403)
        create = reverse("monitoring:document_create", args=[self.building.pk])
        self.assertEqual(self.client.post(create, {"kind": "declaration"}).status_code, 403)

    def test_permitted_drafts_sees_and_uploads(self):
        self.client.force_login(self.actors.street)
        page = self.client.get(reverse("monitoring:project_detail", args=[self.building.pk]))
        self.assertContains(page, reverse("monitoring:document_create", args=[self.building.pk]))
        response = self.client.post(
            reverse("monitoring:document_create", args=[self.building.pk]),
            {"kind": "fund_report"},
        )
        self.assertEqual(response.status_code, 302)
        detail, download = self.urls(self.inside)
        self.assertContains(self.client.get(detail), "申报书")
        self.assertEqual(self.client.get(download).status_code, 200)
        upload = self.client.post(
            reverse("monitoring:document_upload", args=[self.inside.pk]),
            {"stage": "signed", "file": SimpleUploadedFile("签章.pdf", PDF_BYTES)},
        )
        self.assertEqual(upload.status_code, 302)
        self.assertTrue(self.inside.versions.filter(stage="signed").exists())

    def test_out_of_scope_is_not_found(self):
        self.client.force_login(self.actors.street)
        for url in self.urls(self.outside):
            self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(
            DocumentVersion.objects.restrict(self.actors.street)
            .filter(document=self.outside)
            .count(),
            0,
        )
