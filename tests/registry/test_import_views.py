"""Import pages, four ways: anonymous, without permission, permitted, permitted out of scope."""

from __future__ import annotations

import io
import os
import time

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from linli.accounts.roles import Role
from linli.audit.models import AuditRecord
from linli.core.testing import make_user
from linli.registry.models import Community
from tests.registry.importing import ImportTestCase, headers


class TestImportViews(ImportTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.auditor = make_user(cls.tree, Role.AUDITOR, cls.tree.street_a, "auditor")

    def upload(self, rows, name="社区.xlsx", source="wgs84"):
        content = self.xlsx(rows, "upload.xlsx").read_bytes()
        return self.client.post(
            reverse("registry_import:start"),
            {"kind": "community", "source": source, "file": SimpleUploadedFile(name, content)},
        )

    def test_anonymous_is_sent_to_login(self):
        for url in (
            reverse("registry_import:start"),
            reverse("registry_import:template", args=["community"]),
        ):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 302)
            self.assertTrue(response["Location"].startswith(reverse("login")))
        response = self.client.post(reverse("registry_import:confirm"))
        self.assertTrue(response["Location"].startswith(reverse("login")))

    def test_without_permission_is_forbidden(self):
        self.client.force_login(self.auditor)
        self.assertEqual(self.client.get(reverse("registry_import:start")).status_code, 403)
        template = reverse("registry_import:template", args=["community"])
        self.assertEqual(self.client.get(template).status_code, 403)
        self.assertEqual(self.upload([headers("community"), self.community_row()]).status_code, 403)
        self.assertFalse(Community.objects.exists())

    def test_permitted_previews_then_imports(self):
        self.client.force_login(self.officer)
        page = self.client.get(reverse("registry_import:start"))
        self.assertContains(page, reverse("registry_import:template", args=["facility"]))
        template = self.client.get(reverse("registry_import:template", args=["community"]))
        self.assertEqual(load_workbook(io.BytesIO(template.content)).sheetnames, ["社区", "说明"])

        preview = self.upload([headers("community"), self.community_row()])
        self.assertContains(preview, "990101001002 甲二社区")
        self.assertFalse(Community.objects.exists())  # a preview writes nothing
        stored = settings.DATA_DIR / "uploads" / self.client.session["registry_import"]["stored"]
        self.assertTrue(stored.exists())
        self.assertNotIn("社区", stored.name)  # a generated name, never the user's

        audits = AuditRecord.objects.count()
        response = self.client.post(reverse("registry_import:confirm"), REMOTE_ADDR="10.9.8.7")
        self.assertRedirects(response, reverse("registry_import:start"))
        community = Community.objects.get()
        self.assertEqual(AuditRecord.objects.count() - audits, 2)  # the node and the community
        record = AuditRecord.objects.get(object_type="registry.community")
        self.assertEqual((record.actor, record.client_ip), (self.officer, "10.9.8.7"))
        self.assertEqual(community.jurisdiction.name, "甲二社区")
        self.assertFalse(stored.exists())  # the upload is gone once applied
        # Confirming again has nothing pending.
        self.assertRedirects(
            self.client.post(reverse("registry_import:confirm")), reverse("registry_import:start")
        )

    def test_permitted_out_of_scope_rows_are_problems(self):
        self.client.force_login(self.officer)
        row = self.community_row(
            "990101002002", "乙二社区", 街道代码="990101002000", 街道名称="乙街道"
        )
        preview = self.upload([headers("community"), row])
        self.assertContains(preview, "990101002000")
        self.assertContains(preview, "社区.xlsx")
        self.assertNotContains(preview, reverse("registry_import:confirm"))
        before = self.counts()
        response = self.client.post(reverse("registry_import:confirm"))
        self.assertEqual(response.status_code, 200)  # the problems again, nothing applied
        self.assert_nothing_changed(before)

    def test_a_bad_file_type_is_refused_by_the_form(self):
        self.client.force_login(self.officer)
        response = self.client.post(
            reverse("registry_import:start"),
            {"kind": "community", "source": "wgs84", "file": SimpleUploadedFile("a.exe", b"MZ")},
        )
        self.assertEqual(response.status_code, 200)
        self.assertFalse(
            (settings.DATA_DIR / "uploads").exists()
            and any(p.suffix == ".exe" for p in (settings.DATA_DIR / "uploads").iterdir())
        )

    def test_abandoned_previews_are_pruned(self):
        self.client.force_login(self.officer)
        folder = settings.DATA_DIR / "uploads"
        folder.mkdir(parents=True, exist_ok=True)
        two_days_ago = time.time() - 2 * 24 * 3600
        abandoned, recent = folder / "abandoned.xlsx", folder / "recent.xlsx"
        for path in (abandoned, recent):
            path.write_bytes(b"x")
        os.utime(abandoned, (two_days_ago, two_days_ago))
        self.upload([headers("community"), self.community_row()])
        self.assertFalse(abandoned.exists())
        self.assertTrue(recent.exists())  # another user may still be previewing it
        recent.unlink()

    def test_confirming_a_pruned_preview_asks_for_the_file_again(self):
        self.client.force_login(self.officer)
        self.upload([headers("community"), self.community_row()])
        (settings.DATA_DIR / "uploads" / self.client.session["registry_import"]["stored"]).unlink()
        response = self.client.post(reverse("registry_import:confirm"), follow=True)
        self.assertRedirects(response, reverse("registry_import:start"))
        self.assertContains(response, "请重新上传文件")
        self.assertFalse(Community.objects.exists())
        self.assertNotIn("registry_import", self.client.session)
