"""Attachments (allow-list, size cap, magic bytes, generated names), the to-do queues of each
role, the land-use grace reminders, notifications and the daily digest."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta
from io import StringIO
from pathlib import Path
from unittest import mock

import time_machine
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse
from django.utils import translation

from linli.core.testing import make_tree
from linli.funding import attachments, services
from linli.funding.choices import ApplicationState
from linli.funding.models import Notification
from linli.funding.testing import advance, draft, make_actors, open_call, upload
from linli.web.todo import todo_for

S = ApplicationState


def _ooxml(part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"{part}document.xml", "<x/>")
    return buffer.getvalue()


class AttachmentTests(TestCase):
    def setUp(self):
        self.enterContext(translation.override("en"))  # messages are asserted in English

    @classmethod
    def setUpTestData(cls):
        cls.tree = make_tree()
        cls.actors = make_actors(cls.tree)
        cls.call = open_call(cls.actors.city_admin, [cls.tree.district])
        cls.application = draft(cls.actors.street, cls.call, "附件项目")

    def add(self, name, content):
        return services.attachment_add(
            actor=self.actors.street,
            application=self.application,
            kind="other",
            upload=upload(name, content),
        )

    def test_allowed_types_with_matching_content_are_kept_under_generated_names(self):
        for name, content in (
            ("图纸.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20),
            ("照片.JPG", b"\xff\xd8\xff\xe0" + b"0" * 20),
            ("方案.docx", _ooxml("word/")),
            ("概算.xlsx", _ooxml("xl/")),
        ):
            attachment = self.add(name, content)
            self.assertEqual(attachment.original_name, name)
            self.assertNotIn(Path(name).stem, attachment.stored_name)
            stored = attachments.stored_path(attachment.stored_name)
            self.assertTrue(stored.is_relative_to(Path(settings.MEDIA_ROOT)))
            self.assertEqual(stored.read_bytes(), content)

    def test_refused_files_leave_nothing_behind(self):
        before = set(attachments.storage_dir().glob("*"))
        for name, content, message in (
            ("脚本.exe", b"MZ", "only PDF"),
            ("假的.pdf", b"<html>not a pdf</html>", "not a valid PDF"),
            ("假的.docx", _ooxml("xl/"), "not a valid DOCX"),
            ("../../etc/passwd.png", b"root:x:0:0", "not a valid PNG"),
        ):
            with self.assertRaisesMessage(ValidationError, message):
                self.add(name, content)
        self.assertEqual(set(attachments.storage_dir().glob("*")), before)
        self.assertEqual(self.application.attachments.count(), 1)  # the consultation record

    def test_size_is_capped(self):
        with mock.patch.object(attachments, "MAX_BYTES", 10):
            with self.assertRaisesMessage(ValidationError, "larger than"):
                self.add("大.pdf", b"%PDF-" + b"0" * 20)


class QueueTests(TestCase):
    def setUp(self):
        self.enterContext(translation.override("en"))  # messages are asserted in English

    @classmethod
    def setUpTestData(cls):
        cls.tree = make_tree()
        cls.actors = make_actors(cls.tree)
        cls.call = open_call(cls.actors.city_admin, [cls.tree.district])
        cls.application = draft(cls.actors.street, cls.call, "待办项目")

    def titles(self, user):
        return [str(item.title) for item in todo_for(user)]

    def test_each_role_sees_what_waits_for_it(self):
        a = self.actors
        self.assertIn("Prepare and submit", self.titles(a.street))
        self.assertNotIn("Prepare and submit", self.titles(a.street_b))
        advance(a, self.application, S.DISTRICT_REVIEW)
        self.assertIn("Check and submit to the city", self.titles(a.district))
        advance(a, self.application, S.DISTRICT_SUBMITTED)
        self.assertIn("Assign departments for joint review", self.titles(a.city_admin))
        advance(a, self.application, S.JOINT_REVIEW)
        self.assertTrue(
            any(t.startswith("Joint review:") for t in self.titles(a.reviewers["finance"]))
        )
        advance(a, self.application, S.FUND_APP_SUBMITTED)
        self.assertIn("Approve the subsidy", self.titles(a.city_admin))

    def test_home_page_lists_the_queue(self):
        self.client.force_login(self.actors.street)
        self.assertContains(self.client.get(reverse("home")), self.application.name)

    def test_land_use_grace_expiry_is_reminded_half_a_year_ahead(self):
        advance(self.actors, self.application, S.FUND_APPROVED)
        expiry = self.application.subsidy_approval.land_use_grace_expiry
        self.assertEqual(expiry, date(expiry.year, expiry.month, expiry.day))
        reminder = "Land-use grace period ends"
        self.assertFalse(any(t.startswith(reminder) for t in self.titles(self.actors.district)))
        with time_machine.travel(expiry - timedelta(days=100)):
            self.assertTrue(any(t.startswith(reminder) for t in self.titles(self.actors.district)))


class NotificationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.tree = make_tree()
        cls.actors = make_actors(cls.tree)
        cls.actors.district.email = "district@example.gov.cn"
        cls.actors.district.save()
        cls.call = open_call(cls.actors.city_admin, [cls.tree.district])
        cls.application = draft(cls.actors.street, cls.call, "通知项目")

    def test_each_step_notifies_in_app_and_by_mail_after_commit(self):
        with self.captureOnCommitCallbacks(execute=True):
            services.application_submit(actor=self.actors.street, application=self.application)
        note = Notification.objects.get(recipient=self.actors.district)
        self.assertIn("通知项目", note.message)
        self.assertEqual(mail.outbox[-1].to, ["district@example.gov.cn"])
        self.assertFalse(Notification.objects.filter(recipient=self.actors.street_b).exists())

    def test_daily_digest(self):
        services.application_submit(actor=self.actors.street, application=self.application)
        out = StringIO()
        call_command("funding_digest", stdout=out)
        self.assertIn("digests sent: 1", out.getvalue())
        self.assertIn("通知项目", mail.outbox[-1].body)

    def test_land_use_grace_is_reminded_180_and_30_days_ahead(self):
        approved = advance(
            self.actors, draft(self.actors.street, self.call, "过渡期项目"), S.FUND_APPROVED
        )
        expiry = approved.subsidy_approval.land_use_grace_expiry
        self.assertIsNotNone(expiry)  # the sample project converts an existing building

        def reminders_on(day):
            with time_machine.travel(day):
                call_command("funding_digest", stdout=StringIO())
            return Notification.objects.filter(
                application=approved, message__contains="121号"
            ).count()

        self.assertEqual(reminders_on(expiry - timedelta(days=181)), 0)
        after_first = reminders_on(expiry - timedelta(days=180))
        self.assertGreater(after_first, 0)  # the district and the street
        self.assertEqual(reminders_on(expiry - timedelta(days=100)), after_first)
        self.assertEqual(reminders_on(expiry - timedelta(days=30)), 2 * after_first)

    def test_notification_page_marks_read(self):
        services.application_submit(actor=self.actors.street, application=self.application)
        self.client.force_login(self.actors.district)
        self.assertContains(self.client.get(reverse("funding:notifications")), "通知项目")
        self.client.post(reverse("funding:notifications"))
        self.assertFalse(Notification.objects.filter(read_at__isnull=True).exists())
