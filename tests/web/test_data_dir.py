"""The data directory and what the platform writes into it are its service account's only:
directories 0700, files 0600, whichever code path writes them (等保: data confidentiality)."""

import stat
import tempfile
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase, override_settings

from linli.funding.attachments import store_upload, stored_path
from linli.web.checks import check_data_dir, check_https_proxy


def mode(path) -> int:
    return stat.S_IMODE(Path(path).stat().st_mode)


class TestPrivateFiles(SimpleTestCase):
    def test_an_uploaded_attachment_and_its_folder_are_private(self):
        pdf = SimpleUploadedFile("批复.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
        fields = store_upload(pdf)
        path = stored_path(fields["stored_name"])
        self.addCleanup(path.unlink)
        self.assertEqual(mode(path), 0o600)
        self.assertEqual(mode(path.parent), 0o700)

    def test_files_saved_through_django_storage_are_private(self):
        name = default_storage.save("checks/private.txt", ContentFile(b"x"))
        self.addCleanup(default_storage.delete, name)
        self.assertEqual(mode(default_storage.path(name)), 0o600)
        self.assertEqual(mode(Path(default_storage.path(name)).parent), 0o700)

    def test_any_file_the_process_writes_is_private(self):
        from django.conf import settings

        path = settings.DATA_DIR / "cache" / "probe.bin"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
        self.addCleanup(path.unlink)
        self.assertEqual(mode(path), 0o600)


class TestDeployChecks(SimpleTestCase):
    def test_an_open_data_dir_is_reported(self):
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        folder.chmod(0o755)
        with override_settings(DATA_DIR=folder):
            [warning] = check_data_dir(None)
            self.assertEqual(warning.id, "linli.W101")
            folder.chmod(0o700)
            self.assertEqual(check_data_dir(None), [])

    def test_https_without_a_trusted_proxy_is_reported(self):
        with override_settings(HTTPS=True, TRUSTED_PROXY=""):
            [warning] = check_https_proxy(None)
            self.assertEqual(warning.id, "linli.W102")
        with override_settings(HTTPS=True, TRUSTED_PROXY="127.0.0.1"):
            self.assertEqual(check_https_proxy(None), [])
