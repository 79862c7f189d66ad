"""Production as documented: docs/operations.md's nginx server in front of ``linli serve``.

The nginx configuration and the systemd units are read out of docs/operations.md, so the guide
is what is tested. nginx (Debian's package) ends TLS on a loopback port and proxies to waitress
built exactly as ``linli serve`` builds it, with ``LINLI_TRUSTED_PROXY=127.0.0.1``. The client
connects from 127.0.0.2, so its address differs from the proxy's.

Without nginx the tests skip on a developer's machine and fail under ``CI=true``.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import ssl
import subprocess
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connections

from linli.accounts import credentials
from linli.accounts.roles import Role
from linli.audit.models import AuditRecord, SecurityEvent
from linli.core.testing import TEST_PASSWORD, make_tree, make_user
from linli.web import server

pytestmark = pytest.mark.django_db(transaction=True)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "operations.md"
HOST = "linli.example.gov.cn"
CLIENT = "127.0.0.2"  # the browser's address: not the proxy's


def documented(first_line: str) -> str:
    """The fenced block of docs/operations.md whose first line is ``first_line``."""
    for block in re.findall(r"```\w*\n(.*?)```", DOCS.read_text(), flags=re.S):
        if block.startswith(first_line):
            return block
    raise AssertionError(f"docs/operations.md has no block starting {first_line!r}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _require(binary: str) -> str:
    path = shutil.which(binary) or shutil.which(binary, path="/usr/sbin:/sbin")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{binary} is required under CI=true (.ci/run installs it)")
        pytest.skip(f"{binary} not installed")
    return path


class _SharedTestDatabase:
    """WSGI wrapper: requests in waitress's threads use the test's database connection on
    SQLite (an in-memory test database), as Django's own live server does; on PostgreSQL each
    request's connection is closed after it, so the test database can be dropped."""

    def __init__(self, application):
        self.application = application
        self.connection = connections["default"]
        self.shared = self.connection.vendor == "sqlite"

    def __call__(self, environ, start_response):
        if self.shared:
            connections["default"] = self.connection
        try:
            return self.application(environ, start_response)
        finally:
            if not self.shared:
                connections.close_all()


@pytest.fixture
def waitress(settings):
    """``linli serve``'s server, production settings, behind a proxy at 127.0.0.1."""
    settings.TRUSTED_PROXY = "127.0.0.1"
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.ALLOWED_HOSTS = [HOST, "127.0.0.1"]
    connection = connections["default"]
    if connection.vendor == "sqlite":
        connection.inc_thread_sharing()
    app = _SharedTestDatabase(WSGIHandler())  # built after the settings above
    wsgi = server.create(app, host="127.0.0.1", port=0)
    thread = threading.Thread(target=wsgi.run, daemon=True)
    thread.start()
    yield wsgi.effective_port
    wsgi.task_dispatcher.shutdown()
    from waitress import wasyncore

    wasyncore.close_all(wsgi._map)
    thread.join(timeout=5)
    if connection.vendor == "sqlite":
        connection.dec_thread_sharing()


@pytest.fixture
def nginx(waitress, tmp_path):
    """docs/operations.md's nginx server, on loopback ports, in front of ``waitress``."""
    binary = _require("nginx")
    _require("openssl")
    http_port, https_port = free_port(), free_port()
    cert, key = tmp_path / "fullchain.pem", tmp_path / "privkey.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", f"/CN={HOST}", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    site = (
        documented("# /etc/nginx/conf.d/linli.conf")
        .replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{waitress};")
        .replace("listen 80;", f"listen 127.0.0.1:{http_port};")
        .replace("listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;")
        .replace("/etc/linli/tls/fullchain.pem", str(cert))
        .replace("/etc/linli/tls/privkey.pem", str(key))
    )
    temp = {name: tmp_path / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for folder in temp.values():
        folder.mkdir()
    (tmp_path / "nginx.conf").write_text(
        f"""
daemon off;
worker_processes 1;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
{site}
}}
"""
    )
    process = subprocess.Popen(
        [binary, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", https_port), timeout=0.2).close()
            break
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"nginx did not start: {process.stderr.read().decode()}")
            time.sleep(0.05)
    yield http_port, https_port
    process.terminate()
    process.wait(timeout=10)


class Browser:
    """A client on 127.0.0.2 that keeps cookies, over HTTPS through nginx."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.context = ssl.create_default_context()
        self.context.check_hostname = False
        self.context.verify_mode = ssl.CERT_NONE

    def request(self, method: str, path: str, data=None, headers=None):
        connection = http.client.HTTPSConnection(
            "127.0.0.1", self.port, context=self.context, source_address=(CLIENT, 0), timeout=10
        )
        sent = {"Host": HOST, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            data = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **data}
            body = urlencode(data)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Origin"] = f"https://{HOST}"
            sent["Referer"] = f"https://{HOST}{path}"
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        response.text = response.read().decode()
        response.secure_cookie = {}  # cookie name → sent with the Secure flag
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
                response.secure_cookie[name] = bool(morsel["secure"])
        connection.close()
        return response


def test_https_behind_the_trusted_proxy_without_a_redirect_loop(nginx):
    http_port, https_port = nginx
    plain = http.client.HTTPConnection("127.0.0.1", http_port, source_address=(CLIENT, 0))
    plain.request("GET", "/login/", headers={"Host": HOST})
    redirect = plain.getresponse()
    assert redirect.status == 301
    assert redirect.headers["Location"].startswith(f"https://{HOST}/login/")

    browser = Browser(https_port)
    page = browser.request("GET", "/login/")
    assert page.status == 200, page.status  # Django sees HTTPS: no redirect to itself
    assert "max-age=31536000" in page.headers["Strict-Transport-Security"]
    assert page.secure_cookie["csrftoken"] is True


def test_the_audit_records_the_clients_address_and_nginxs_request_id(nginx):
    _http_port, https_port = nginx
    tree = make_tree()
    resident = make_user(tree, Role.RESIDENT, tree.community_a, "resident")
    request = credentials.credential_request_file(
        actor=tree.admin, user=resident, kind="api_token", reason="对接"
    ).request
    browser = Browser(https_port)
    browser.request("GET", "/login/")
    forged = {"X-Forwarded-For": "6.6.6.6", "X-Request-ID": "chosen-by-the-client-1"}
    failed = browser.request(
        "POST", "/login/", {"username": "resident", "password": "wrong"}, headers=forged
    )
    assert failed.status == 200
    event = SecurityEvent.objects.get(kind="login_failed", username="resident")
    assert event.client_ip == CLIENT
    assert event.request_id == failed.headers["X-Request-ID"] != forged["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", event.request_id)  # nginx's $request_id

    signed_in = browser.request(
        "POST", "/login/", {"username": "resident", "password": TEST_PASSWORD}, headers=forged
    )
    assert signed_in.status == 302, signed_in.text[:500]
    assert signed_in.secure_cookie["sessionid"] is True
    confirmed = browser.request(
        "POST", f"/accounts/me/token/{request.pk}/", {"decision": "confirm"}, headers=forged
    )
    assert confirmed.status == 200
    record = AuditRecord.objects.get(
        object_type="accounts.credentialrequest", object_id=str(request.pk), transition="approve"
    )
    assert (record.actor, record.client_ip) == (resident, CLIENT)
    assert SecurityEvent.objects.get(kind="login", username="resident").client_ip == CLIENT


def test_headers_from_anyone_but_the_proxy_are_ignored(waitress):
    """Straight to waitress from 127.0.0.3: the forged scheme, address and id count for
    nothing (Django redirects plain HTTP to HTTPS and picks its own request id)."""
    direct = http.client.HTTPConnection("127.0.0.1", waitress, source_address=("127.0.0.3", 0))
    direct.request(
        "GET",
        "/login/",
        headers={
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": "6.6.6.6",
            "X-Request-ID": "chosen-by-the-client-2",
        },
    )
    response = direct.getresponse()
    assert response.status == 301
    assert response.headers["Location"] == f"https://{HOST}/login/"
    assert response.headers["X-Request-ID"] != "chosen-by-the-client-2"


def test_the_proxys_headers_reach_django_from_the_proxy(waitress):
    """The same headers from the trusted address are believed (what nginx sends)."""
    tree = make_tree()
    make_user(tree, Role.RESIDENT, tree.community_a, "resident")
    proxy = http.client.HTTPConnection("127.0.0.1", waitress, source_address=("127.0.0.1", 0))
    headers = {
        "Host": HOST,
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": "198.51.100.23",
        "X-Request-ID": "0123456789abcdef0123456789abcdef",
    }
    proxy.request("GET", "/login/", headers=headers)
    response = proxy.getresponse()
    assert response.status == 200
    assert response.headers["X-Request-ID"] == headers["X-Request-ID"]


def test_idle_connections_do_not_stop_the_server(waitress):
    """Two hundred and fifty idle keep-alive connections (110 stopped the server before)."""
    idle = [socket.create_connection(("127.0.0.1", waitress)) for _ in range(250)]
    try:
        started = time.monotonic()
        probe = http.client.HTTPConnection("127.0.0.1", waitress, timeout=10)
        probe.request("GET", "/login/", headers={"Host": HOST, "X-Forwarded-Proto": "https"})
        assert probe.getresponse().status == 200
        assert time.monotonic() - started < 5
    finally:
        for connection in idle:
            connection.close()


def test_the_systemd_units_are_valid_as_written(tmp_path):
    analyze = _require("systemd-analyze")
    linli = shutil.which("linli")
    assert linli, "the linli command is installed with the package"
    for name in ("linli.service", "linli-digest.service", "linli-digest.timer"):
        unit = documented(f"# /etc/systemd/system/{name}")
        (tmp_path / name).write_text(
            unit.replace("/opt/linli/venv/bin/linli", linli)
            .replace("EnvironmentFile=/etc/linli/linli.env", "")
            .replace("User=linli", "User=root")
            .replace("Group=linli", "Group=root")
        )
    result = subprocess.run(
        [analyze, "verify", *(str(tmp_path / n) for n in ("linli.service", "linli-digest.timer"))],
        capture_output=True,
        text=True,
        env={**os.environ, "SYSTEMD_LOG_LEVEL": "warning"},
    )
    output = result.stdout + result.stderr
    # A missing program fails; an unknown key or section is only warned about, with the path.
    problems = [line for line in output.splitlines() if str(tmp_path) in line]
    assert result.returncode == 0 and problems == [], output
