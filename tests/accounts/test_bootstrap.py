from unittest import mock

from django.core.management import CommandError, call_command
from django.test import TestCase

from linli.accounts.models import User
from linli.audit.models import AuditRecord
from linli.registry.models import Jurisdiction


class TestBootstrap(TestCase):
    def run_bootstrap(self, *passwords):
        with mock.patch("getpass.getpass", side_effect=passwords):
            call_command("bootstrap", city="北京市", code="110000000000", stdout=mock.MagicMock())

    def test_creates_city_and_three_administrators(self):
        self.run_bootstrap(*["a-Long-enough-secret-1"] * 6)
        root = Jurisdiction.objects.get_root_nodes().get()
        self.assertEqual((root.name, root.level), ("北京市", "city"))
        roles = dict(User.objects.values_list("username", "role"))
        self.assertEqual(
            roles, {"sysadmin": "system_admin", "secadmin": "security_admin", "auditor": "auditor"}
        )
        self.assertEqual(AuditRecord.objects.count(), 4)
        self.assertTrue(AuditRecord.objects.first().request_id.startswith("cli-"))

    def test_weak_password_changes_nothing(self):
        with self.assertRaises(CommandError):
            self.run_bootstrap(*["a-Long-enough-secret-1"] * 4, "short", "short")
        self.assertFalse(Jurisdiction.objects.exists())
        self.assertFalse(User.objects.exists())

    def test_mismatched_passwords_are_refused(self):
        with self.assertRaises(CommandError):
            self.run_bootstrap("a-Long-enough-secret-1", "a-different-secret-22")
