"""Public pages as an anonymous visitor: only what the city marked public, nothing personal;
the public flag is the city's, and audited."""

from __future__ import annotations

import struct
import zlib
from datetime import date

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from linli.audit.models import AuditRecord
from linli.funding import services as funding
from linli.funding.choices import AttachmentKind, MilestoneKind
from linli.monitoring import services
from linli.monitoring.models import ProjectPlan
from tests.monitoring.base import ProgrammeTestCase


def png_bytes() -> bytes:
    """A real 1×1 PNG."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


class PublicPagesTests(ProgrammeTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        city = cls.actors.city_admin
        # Street B's project starts construction with a photo as its evidence.
        photo = funding.attachment_add(
            actor=cls.actors.street_b,
            application=cls.other,
            kind=AttachmentKind.MILESTONE,
            upload=SimpleUploadedFile("工地.png", png_bytes(), content_type="image/png"),
        )
        cls.milestone = funding.milestone_record(
            actor=cls.actors.street_b,
            application=cls.other,
            kind=MilestoneKind.START,
            achieved_on=date.today(),
            evidence=photo,
        )
        cls.photo = photo
        services.project_publish(actor=city, application=cls.operating, public=True)
        services.project_publish(actor=city, application=cls.other, public=True)

    def test_index_lists_the_district_with_its_public_projects(self):
        response = self.client.get(reverse("progress:index"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "测试区")
        self.assertContains(response, reverse("progress:district", args=[self.tree.district.pk]))

    def test_district_page_lists_only_public_projects(self):
        response = self.client.get(reverse("progress:district", args=[self.tree.district.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "甲一社区邻里中心")
        self.assertContains(response, "乙一社区嵌入式服务综合体")
        self.assertNotContains(response, "甲一社区养老托育综合体")  # not marked public
        self.assertNotContains(response, "甲一社区一老一小服务站")
        approved = self.operating.ledger.approved_cny + self.other.ledger.approved_cny
        self.assertEqual(response.context["money"]["approved"], approved)

    def test_project_page_shows_what_where_money_milestones_and_operation(self):
        response = self.client.get(reverse("progress:project", args=[self.operating.pk]))
        self.assertEqual(response.status_code, 200)
        shown = response.context["project"]
        self.assertEqual(shown.approved_cny, self.operating.ledger.approved_cny)
        self.assertEqual(len(shown.milestones), 4)
        self.assertTrue(shown.operating)
        self.assertContains(response, "助餐 15 元/餐")  # inclusive prices once operating
        self.assertContains(response, "甲一社区")

    def test_nothing_personal_or_internal_is_shown(self):
        response = self.client.get(reverse("progress:project", args=[self.operating.pk]))
        text = response.content.decode()
        for private in (
            self.actors.street.username,
            self.actors.city_admin.username,
            "居民希望增加助餐和日间照料",  # consultation opinions
            "符合本部门要求",  # internal review comments
            "消防通道",  # safety assessment
            "区发改审",  # document numbers of internal approvals
        ):
            self.assertNotIn(private, text)

    def test_a_project_not_marked_public_is_not_found(self):
        for project in (self.building, self.review):
            response = self.client.get(reverse("progress:project", args=[project.pk]))
            self.assertEqual(response.status_code, 404)

    def test_withdrawn_project_disappears(self):
        services.project_publish(
            actor=self.actors.city_admin, application=self.operating, public=False
        )
        self.assertEqual(
            self.client.get(reverse("progress:project", args=[self.operating.pk])).status_code, 404
        )

    def test_milestone_photo_is_served_but_documents_are_not(self):
        url = reverse("progress:photo", args=[self.other.pk, self.photo.pk])
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "image/png")
        page = self.client.get(reverse("progress:project", args=[self.other.pk]))
        self.assertContains(page, url)
        pdf = self.operating.milestones.first().evidence
        blocked = reverse("progress:photo", args=[self.operating.pk, pdf.pk])
        self.assertEqual(self.client.get(blocked).status_code, 404)
        # a photo under another (public) project's address is not found either
        crossed = reverse("progress:photo", args=[self.operating.pk, self.photo.pk])
        self.assertEqual(self.client.get(crossed).status_code, 404)

    def test_only_the_city_marks_public_and_it_is_audited(self):
        with self.assertRaises(PermissionDenied):
            services.project_publish(
                actor=self.actors.street, application=self.building, public=True
            )
        self.assertFalse(ProjectPlan.objects.get(application=self.building).public)
        record = AuditRecord.objects.filter(
            object_type="monitoring.projectplan", after__public=True
        ).latest("pk")
        self.assertEqual(record.actor, self.actors.city_admin)
        self.assertTrue(record.after["public"])


class ProjectMonitoringViewTests(ProgrammeTestCase):
    """The officials' project pages four ways."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        from linli.accounts.roles import Role
        from linli.core.testing import make_user

        cls.auditor = make_user(cls.tree, Role.AUDITOR, cls.tree.street_a, "pm-auditor")

    def test_anonymous_is_sent_to_login(self):
        for url in (
            reverse("monitoring:project_list"),
            reverse("monitoring:project_detail", args=[self.building.pk]),
        ):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 302)
            self.assertTrue(response["Location"].startswith(reverse("login")))

    def test_without_permission_is_forbidden(self):
        self.client.force_login(self.auditor)
        for url in (
            reverse("monitoring:project_list"),
            reverse("monitoring:project_detail", args=[self.building.pk]),
        ):
            self.assertEqual(self.client.get(url).status_code, 403)
        publish = reverse("monitoring:project_publish", args=[self.building.pk])
        self.assertEqual(self.client.post(publish, {"public": "1"}).status_code, 403)

    def test_permitted_sees_and_saves_the_plan(self):
        self.client.force_login(self.actors.street)
        listing = self.client.get(reverse("monitoring:project_list"))
        self.assertContains(listing, "甲一社区养老托育综合体")
        self.assertNotContains(listing, "乙一社区嵌入式服务综合体")
        url = reverse("monitoring:project_detail", args=[self.building.pk])
        self.assertEqual(self.client.get(url).status_code, 200)
        response = self.client.post(
            url,
            {
                "planned_start": "2026-01-01",
                "planned_completion": "2026-06-30",
                "planned_opening": "2026-09-01",
                "cover_elderly_care": "1500",
            },
        )
        self.assertEqual(response.status_code, 302)
        plan = ProjectPlan.objects.get(application=self.building)
        self.assertEqual(plan.promised_coverage, {"elderly_care": 1500})
        self.assertEqual(str(plan.planned_opening), "2026-09-01")

    def test_completion_before_start_is_refused_naming_the_field(self):
        self.client.force_login(self.actors.street)
        url = reverse("monitoring:project_detail", args=[self.building.pk])
        response = self.client.post(
            url, {"planned_start": "2026-06-01", "planned_completion": "2026-01-01"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "计划竣工日期：不得早于计划开工日期")  # zh by default

    def test_out_of_scope_is_not_found(self):
        self.client.force_login(self.actors.street)
        url = reverse("monitoring:project_detail", args=[self.other.pk])
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_city_publishes_from_the_page(self):
        self.client.force_login(self.actors.city_admin)
        url = reverse("monitoring:project_publish", args=[self.building.pk])
        self.assertEqual(self.client.post(url, {"public": "1"}).status_code, 302)
        self.assertTrue(ProjectPlan.objects.get(application=self.building).public)
