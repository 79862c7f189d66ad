import re
import subprocess
import sys

from linli import __version__
from linli.accounts.roles import Role
from linli.cli import main
from linli.demo.accounts import DEMO_ACCOUNTS


def test_version(capsys):
    try:
        main(["--version"])
    except SystemExit as stop:
        assert stop.code == 0
    assert capsys.readouterr().out.strip() == f"linli {__version__}"


def test_demo_prepares_a_fresh_data_dir_and_manage_passes_through(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "LINLI_DATA_DIR": str(tmp_path / "data"), "HOME": str(tmp_path)}

    def linli(*args):
        return subprocess.run(
            [sys.executable, "-m", "linli", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )

    result = linli("demo", "--no-serve")
    assert result.returncode == 0, result.stderr
    data = tmp_path / "data"
    assert (data / "linli.sqlite3").exists()
    for private in (data, data / "secret_key", data / "linli.sqlite3"):
        assert private.stat().st_mode & 0o077 == 0, private
    for username in ("demo_city_admin", "demo_street_officer", "demo_auditor"):
        assert username in result.stdout
    assert "linli-demo-2026" in result.stdout
    # Each official's authenticator key is printed; the resident has none.
    keys = re.findall(r"^  (demo_\w+) .* ((?:[A-Z2-7]{4} ){7}[A-Z2-7]{4})$", result.stdout, re.M)
    officials = [spec.username for spec in DEMO_ACCOUNTS if spec.role != Role.RESIDENT]
    assert [username for username, _key in keys] == officials
    code = linli("demo", "--code", "demo_city_admin")
    assert code.returncode == 0 and re.fullmatch(r"\d{6}\n", code.stdout), code.stdout + code.stderr

    result = linli("manage", "showmigrations", "audit")
    assert result.returncode == 0, result.stderr
    assert "[X] 0002_append_only_triggers" in result.stdout
