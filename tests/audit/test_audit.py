"""The audit trail: every service write leaves a record; records cannot change."""

from django.core import checks
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.test import TestCase, override_settings
from django.urls import reverse

from linli.accounts.roles import Role
from linli.audit.apps import check_retention
from linli.audit.models import AppendOnlyError, AuditRecord, SecurityEvent
from linli.audit.services import security_event_record
from linli.core.testing import FourWayTestCase, ViewTestCases, make_tree, make_user, xlsx_rows
from linli.registry.services import jurisdiction_update


class TestEveryWriteIsAudited(TestCase):
    def test_tree_and_accounts_made_through_services_are_all_recorded(self):
        tree = make_tree()
        user = make_user(tree, Role.RESIDENT, tree.community_a, "resident")
        jurisdiction_update(
            actor=tree.admin, node=tree.street_a, name="甲新街道", code=tree.street_a.code
        )
        records = AuditRecord.objects.order_by("id")
        # root + 2 administrators + 5 nodes; the resident: asked for, approved, password set;
        # one update
        self.assertEqual(records.count(), 13)
        accounts = records.filter(object_type="accounts.user", action="create")
        self.assertEqual(accounts.last().object_repr, str(user))
        update = records.get(action="update", object_type="registry.jurisdiction")
        self.assertEqual((update.before["name"], update.after["name"]), ("甲街道", "甲新街道"))
        self.assertEqual(update.actor, tree.admin)
        self.assertTrue(all(r.request_id for r in records))

    def test_password_hashes_never_enter_the_log(self):
        tree = make_tree()
        make_user(tree, Role.RESIDENT, tree.community_a, "resident")
        for record in AuditRecord.objects.filter(object_type="accounts.user"):
            self.assertEqual(record.after["password"], "***")

    def test_a_refused_write_leaves_no_record(self):
        tree = make_tree()
        make_user(tree, Role.RESIDENT, tree.community_a, "resident")
        count = AuditRecord.objects.count()
        with self.assertRaises(ValidationError):
            make_user(tree, Role.RESIDENT, tree.community_a, "resident")  # username taken
        self.assertEqual(AuditRecord.objects.count(), count)


class TestAppendOnly(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_tree()
        cls.record = AuditRecord.objects.first()
        cls.event = security_event_record(kind="login", username="someone")

    def test_models_refuse_change_and_deletion(self):
        for row in (self.record, self.event):
            row.object_repr = "tampered"
            with self.assertRaises(AppendOnlyError):
                row.save()
            with self.assertRaises(AppendOnlyError):
                row.delete()
        for model in (AuditRecord, SecurityEvent):
            with self.assertRaises(AppendOnlyError):
                model.objects.all().update(request_id="x")
            with self.assertRaises(AppendOnlyError):
                model.objects.all().delete()
        self.assertEqual(
            AuditRecord.objects.get(pk=self.record.pk).request_id, self.record.request_id
        )

    def test_database_refuses_raw_updates_on_postgresql(self):
        if connection.vendor != "postgresql":
            self.skipTest("the database trigger exists on PostgreSQL only")
        for statement in (
            "UPDATE audit_auditrecord SET object_repr = 'x'",
            "DELETE FROM audit_securityevent",
        ):
            with self.assertRaises(DatabaseError), transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(statement)


class TestRetention(TestCase):
    def test_retention_under_180_days_is_an_error(self):
        with override_settings(AUDIT_RETENTION_DAYS=179):
            errors = check_retention(None)
        self.assertEqual([e.id for e in errors], ["linli.E001"])
        with override_settings(AUDIT_RETENTION_DAYS=180):
            self.assertEqual(check_retention(None), [])

    def test_check_is_registered(self):
        with override_settings(AUDIT_RETENTION_DAYS=30):
            ids = [e.id for e in checks.run_checks(tags=[checks.Tags.security])]
        self.assertIn("linli.E001", ids)


class TestAuditTrailView(ViewTestCases.ListView):
    """The audit trail is not scoped by jurisdiction: the auditor sees all of it."""

    url_name = "audit:auditrecord_list"
    permitted_role = Role.AUDITOR
    unpermitted_role = Role.SYSTEM_ADMIN

    def in_scope(self):
        return AuditRecord.objects.get(object_repr=self.tree.community_a.name).object_repr

    def out_of_scope(self):
        return "no such object anywhere"

    def test_filters_and_export(self):
        self.client.force_login(self.permitted)
        response = self.client.get(reverse(self.url_name), {"q": "甲一社区", "export": "xlsx"})
        rows = xlsx_rows(response.content)
        self.assertEqual(rows[0][:3], ("时间", "操作人", "操作"))
        self.assertEqual(len(rows), 2)
        self.assertEqual(rows[1][6], "甲一社区")
        self.assertIn('"name": "甲一社区"', rows[1][10])

    def test_filter_by_action(self):
        self.client.force_login(self.permitted)
        response = self.client.get(reverse(self.url_name), {"action": "update", "export": "xlsx"})
        self.assertEqual(len(xlsx_rows(response.content)), 1)  # header only


class TestSecurityLogView(ViewTestCases.ListView):
    url_name = "audit:securityevent_list"
    permitted_role = Role.AUDITOR
    unpermitted_role = Role.CITY_ADMIN

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        security_event_record(kind="login_failed", username="mallory")

    def in_scope(self):
        return "mallory"

    def out_of_scope(self):
        return "nobody-at-all"

    def test_security_admin_reads_the_security_log(self):
        admin = make_user(self.tree, Role.SECURITY_ADMIN, self.tree.city, "sec")
        self.client.force_login(admin)
        self.assertEqual(self.client.get(reverse(self.url_name)).status_code, 200)
        self.assertEqual(self.client.get(reverse("audit:auditrecord_list")).status_code, 403)


class TestAuditorSeesNothingElse(FourWayTestCase):
    permitted_role = Role.AUDITOR

    def test_auditor_cannot_browse_the_registry(self):
        self.client.force_login(self.permitted)
        self.assertEqual(self.client.get(reverse("registry:jurisdiction_list")).status_code, 403)
