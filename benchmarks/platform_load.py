"""The platform under load: ``linli serve`` on PostgreSQL, 50 cities, 200 concurrent users.

One command (issue 16)::

    python benchmarks/platform_load.py [--database-url postgres://postgres@127.0.0.1:5432/linli_load]

1. **Data** (once; ``--reseed`` starts over): the database is created and migrated, the demo
   city loaded, then copied 49 times (its jurisdiction tree, communities and compounds) and
   filled up to 50 cities, 10 000 projects (funding applications with their functions) and
   100 000 facilities (with their services). The copies are written with ``bulk_create``,
   not through the services: this is test data for the web layer's reads, and writing
   200 000 audit records one by one would only make the set-up slow.
2. **Servers**: ``--servers`` ``linli serve`` processes (default 2, one per core, as behind
   nginx), on ports from ``--port`` up; the client spreads users over them as nginx would.
3. **Users**: ``--users`` (200) concurrent sessions of officials of every level of the 50 cities
   (city office, districts, streets), each reading its own scope in a loop for ``--duration``
   seconds: list pages (facilities, communities, projects, sites), detail pages (a facility, a
   community, a project), map layers (GeoJSON) and API lists, in the proportions of ``MIX``.
   Between two pages a user reads for ``--think`` seconds (uniform, default 3–10 s: people
   read what they open). The client
   is a bounded asyncio loop (one keep-alive connection per user, stdlib only, nothing
   leaves 127.0.0.1); every request is timed from sending to the last byte.

It prints requests, errors and the 50th/95th/99th percentile per kind of page, and checks the
target: p95 ≤ 150 ms on list and detail pages with zero errors.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import os
import random
import statistics
import subprocess
import sys
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CITIES = 50
PROJECTS = 10_000
FACILITIES = 100_000
TARGET_P95_MS = 150.0
MIX = {"list": 0.4, "detail": 0.4, "map": 0.1, "api": 0.1}  # what a user opens, by kind
PLAN_FILE = Path(__file__).resolve().parent / ".cache" / "platform-load" / "users.json"


# --- data --------------------------------------------------------------------------------


def _django() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.web.settings")
    django.setup()


def seed() -> None:
    """Run inside Django (``python platform_load.py seed``): fill the database."""
    _django()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection, transaction

    from linli.accounts.models import User
    from linli.accounts.roles import Role
    from linli.demo.loader import load_demo
    from linli.funding.models import Application, ApplicationFunction, Call
    from linli.registry.models import (
        Community,
        Compound,
        Facility,
        FacilityFunction,
        Jurisdiction,
    )

    call_command("migrate", interactive=False, verbosity=0)
    load_demo()
    (demo,) = Jurisdiction.objects.get_root_nodes()
    nodes = list(Jurisdiction.objects.get_tree(demo))
    roots = Jurisdiction.objects.get_root_nodes().count()
    with transaction.atomic():
        for k in range(roots + 1, CITIES + 1):
            _copy_city(k, demo, nodes, Jurisdiction, Community, Compound, Call)
        _fill(Facility, FacilityFunction, Application, ApplicationFunction, Call, Jurisdiction)
    cities = Jurisdiction.objects.get_root_nodes().count()
    projects, facilities = Application.objects.count(), Facility.objects.count()
    print(f"cities {cities}, projects {projects}, facilities {facilities}", flush=True)
    # Load-test officials: a city office, district and street officers in every city.
    password = make_password(None)
    with transaction.atomic():
        for city in Jurisdiction.objects.get_root_nodes():
            levels = [
                (Role.CITY_ADMIN, [city]),
                (Role.DISTRICT_OFFICER, list(city.get_children())),
                (Role.STREET_OFFICER, list(Jurisdiction.objects.filter(
                    path__startswith=city.path, level="street"))[:4]),
            ]  # fmt: skip
            for role, places in levels:
                for place in places:
                    User.objects.get_or_create(
                        username=f"load-{role}-{place.code}",
                        defaults={"role": role, "jurisdiction": place, "password": password,
                                  "must_change_password": False},
                    )  # fmt: skip
    # Fresh statistics after a bulk load, as after any large import (docs/operations.md).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def sessions() -> None:
    """Run inside Django before each load run: a fresh session for every load-test official,
    past the password and the second factor (signing 200 users in is not what is measured),
    and the pages each may open."""
    _django()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from linli.accounts.models import User
    from linli.funding.models import Application
    from linli.registry.models import Community, Facility

    call_command("migrate", interactive=False, verbosity=0)  # a database of an older release
    plan = []
    users = User.objects.filter(username__startswith="load-").select_related("jurisdiction")
    for user in users.order_by("pk"):
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, confirmed=True, defaults={"name": "authenticator"}
        )
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "linli.accounts.backends.RoleBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.create()
        scope = {"jurisdiction__path__startswith": user.jurisdiction.path}
        plan.append(
            {
                "user": user.username,
                "session": session.session_key,
                "facilities": _sample(Facility.objects.filter(**scope)),
                "communities": _sample(Community.objects.filter(**scope)),
                "projects": _sample(Application.objects.filter(**scope)),
            }
        )
    PLAN_FILE.parent.mkdir(parents=True, exist_ok=True)
    PLAN_FILE.write_text(json.dumps(plan))
    print(f"users {len(plan)}", flush=True)


def _sample(queryset, count: int = 50) -> list[int]:
    return list(queryset.order_by("?").values_list("pk", flat=True)[:count])


def _copy_city(k, demo, nodes, Jurisdiction, Community, Compound, Call) -> None:
    """The demo city's tree, communities, compounds and call, as city number ``k``."""
    step = Jurisdiction.steplen
    root_path = Jurisdiction._get_path(None, 1, k)
    code_prefix = f"{k + 49:02d}99"  # 51..99: never 41, the demo city's province
    copies, new_node = [], {}
    for node in nodes:
        clone = copy.copy(node)
        clone.pk = None
        clone.path = root_path + node.path[step:]
        clone.code = code_prefix + node.code[4:]
        clone.name = f"{node.name}{k}" if node.pk == demo.pk else node.name
        copies.append(clone)
    Jurisdiction.objects.bulk_create(copies, batch_size=2000)
    by_path = dict(
        Jurisdiction.objects.filter(path__startswith=root_path).values_list("path", "pk")
    )
    for node in nodes:
        new_node[node.pk] = by_path[root_path + node.path[step:]]
    for model in (Community, Compound):
        rows = []
        for row in model.objects.filter(jurisdiction__path__startswith=demo.path):
            row.pk = None
            row.jurisdiction_id = new_node[row.jurisdiction_id]
            rows.append(row)
        model.objects.bulk_create(rows, batch_size=2000)
    for call in Call.objects.filter(districts__path__startswith=demo.path).distinct():
        districts = [new_node[d.pk] for d in call.districts.all()]
        call.pk = None
        call.save()
        call.districts.set(districts)


def _fill(Facility, FacilityFunction, Application, ApplicationFunction, Call, Jurisdiction):
    """Every city up to FACILITIES / CITIES facilities and PROJECTS / CITIES projects, copies
    of the demo city's own placed in the same community of the copy."""
    rng = random.Random(16)
    (demo,) = [
        r
        for r in Jurisdiction.objects.get_root_nodes()
        if r.path == Jurisdiction._get_path(None, 1, 1)
    ]
    step = Jurisdiction.steplen
    demo_facilities = list(Facility.objects.filter(jurisdiction__path__startswith=demo.path))
    functions = defaultdict(list)
    for function in FacilityFunction.objects.filter(facility__in=demo_facilities):
        functions[function.facility_id].append(function)
    # Projects still with their district: no review, approval or ledger rows to copy.
    early = ("draft", "district_review")
    demo_projects = list(
        Application.objects.filter(jurisdiction__path__startswith=demo.path, state__in=early)
    )
    project_functions = defaultdict(list)
    for function in ApplicationFunction.objects.filter(application__in=demo_projects):
        project_functions[function.application_id].append(function)
    paths = dict(Jurisdiction.objects.values_list("pk", "path"))
    for city in Jurisdiction.objects.get_root_nodes():
        pk_of = dict(
            Jurisdiction.objects.filter(path__startswith=city.path).values_list("path", "pk")
        )

        def here(pk, city=city, pk_of=pk_of):  # the demo node's counterpart in this city
            return pk_of[city.path + paths[pk][step:]]

        have = Facility.objects.filter(jurisdiction__path__startswith=city.path).count()
        new = []
        for n in range(FACILITIES // CITIES - have):
            source = demo_facilities[n % len(demo_facilities)]
            clone = copy.copy(source)
            clone.pk = None
            clone.code = f"L{city.code[:4]}{n:06d}"
            clone.jurisdiction_id = here(source.jurisdiction_id)
            clone.lon += rng.uniform(-0.02, 0.02)
            clone.lat += rng.uniform(-0.02, 0.02)
            clone._source = source.pk
            new.append(clone)
        Facility.objects.bulk_create(new, batch_size=2000)
        _copy_children(FacilityFunction, functions, new, "facility_id")
        have = Application.objects.filter(jurisdiction__path__startswith=city.path).count()
        call = Call.objects.filter(districts__path__startswith=city.path).first()
        projects = []
        for n in range(PROJECTS // CITIES - have):
            source = demo_projects[n % len(demo_projects)]
            clone = copy.copy(source)
            clone.pk = None
            clone.name = f"{source.name} {n + 1}"
            clone.call_id = call.pk
            clone.jurisdiction_id = here(source.jurisdiction_id)
            clone.community_id = here(source.community_id) if source.community_id else None
            clone.site_id = None
            clone._source = source.pk
            projects.append(clone)
        Application.objects.bulk_create(projects, batch_size=2000)
        _copy_children(ApplicationFunction, project_functions, projects, "application_id")


def _copy_children(model, children: dict, clones: list, parent_field: str) -> None:
    """The rows of ``model`` under each clone's source (``clone._source``), under the clone."""
    copies = []
    for clone in clones:
        for child in children[clone._source]:
            copied = copy.copy(child)
            copied.pk = None
            setattr(copied, parent_field, clone.pk)
            copies.append(copied)
    model.objects.bulk_create(copies, batch_size=5000)


# --- load --------------------------------------------------------------------------------


class Connection:
    """One keep-alive HTTP/1.1 connection to 127.0.0.1 (GET only)."""

    def __init__(self, port: int, cookie: str) -> None:
        self.port = port
        self.cookie = cookie
        self.reader = self.writer = None

    async def get(self, target: str) -> tuple[int, int]:
        """Status and body length; reconnects when the server closed the connection."""
        for attempt in range(2):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
            request = (
                f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
                f"Cookie: {self.cookie}\r\nAccept-Language: zh-hans\r\n\r\n"
            )
            try:
                self.writer.write(request.encode())
                await self.writer.drain()
                return await self._response()
            except (ConnectionError, asyncio.IncompleteReadError):
                self.writer.close()
                self.writer = None
                if attempt:
                    raise
        raise AssertionError("unreachable")

    async def _response(self) -> tuple[int, int]:
        status = int((await self.reader.readuntil(b"\r\n")).split()[1])
        headers = {}
        while (line := await self.reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding") == "chunked":
            size = 0
            while (chunk := int((await self.reader.readuntil(b"\r\n")).strip(), 16)) > 0:
                await self.reader.readexactly(chunk + 2)
                size += chunk
            await self.reader.readuntil(b"\r\n")
        else:
            size = int(headers.get("content-length", 0))
            await self.reader.readexactly(size)
        if headers.get("connection") == "close":
            self.writer.close()
            self.writer = None
        return status, size

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def pages(user: dict) -> dict[str, list[str]]:
    """The pages of each kind a user of this plan opens."""
    details = [
        template.format(pk)
        for template, key in (
            ("/registry/facilities/{}/", "facilities"),
            ("/registry/communities/{}/", "communities"),
            ("/funding/applications/{}/", "projects"),
        )
        for pk in user[key][:20]
    ]
    return {
        "list": [
            "/registry/facilities/",
            "/registry/facilities/?page=2",
            "/registry/communities/",
            "/registry/sites/",
            "/funding/applications/",
        ],
        "detail": details,
        "map": ["/registry/map/facilities.geojson", "/registry/map/communities.geojson"],
        "api": ["/api/v1/facilities/?limit=50", "/api/v1/funding/applications/?limit=50"],
    }


async def user_loop(user, port, deadline, think, results, rng) -> None:
    connection = Connection(port, f"sessionid={user['session']}; django_language=zh-hans")
    choice = pages(user)
    kinds, weights = zip(*MIX.items(), strict=True)
    await asyncio.sleep(rng.uniform(0, think[1]))  # users do not all start at once
    try:
        while time.monotonic() < deadline:
            (kind,) = rng.choices(kinds, weights)
            path = rng.choice(choice[kind])
            started = time.perf_counter()
            try:
                status, _size = await asyncio.wait_for(connection.get(path), 30)
            except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError) as error:
                status = f"{type(error).__name__}"
            results[kind].append((time.perf_counter() - started, status, path))
            await asyncio.sleep(rng.uniform(*think))
    finally:
        connection.close()


async def load(plan, ports, users, duration, think) -> dict:
    results: dict[str, list] = defaultdict(list)
    deadline = time.monotonic() + duration
    chosen = [plan[i % len(plan)] for i in range(users)]
    await asyncio.gather(
        *(
            user_loop(user, ports[i % len(ports)], deadline, think, results, random.Random(i))
            for i, user in enumerate(chosen)
        )
    )
    return results


def percentile(values: list[float], q: float) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[q - 1]
        if len(values) > 1
        else values[0]
    )


def start_servers(env, ports) -> list[subprocess.Popen]:
    servers = [
        subprocess.Popen(
            [sys.executable, "-m", "linli", "serve", "--port", str(port), "--threads", "8"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for port in ports
    ]
    deadline = time.monotonic() + 120
    for port in ports:
        while True:
            try:
                with __import__("socket").create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"linli serve on port {port} did not start") from None
                time.sleep(0.3)
    return servers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs="?", default="run", choices=["run", "seed", "sessions"])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("LINLI_LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/linli_load"),
    )  # fmt: skip
    parser.add_argument("--reseed", action="store_true", help="drop the database and start over")
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8160)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--duration", type=float, default=120.0, help="seconds of load")
    parser.add_argument("--think", type=float, nargs=2, default=(3.0, 10.0), metavar=("MIN", "MAX"))
    args = parser.parse_args()
    if args.command != "run":
        {"seed": seed, "sessions": sessions}[args.command]()
        return
    data_dir = Path(__file__).resolve().parent / ".cache" / "platform-load" / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
        "LINLI_DATABASE_URL": args.database_url,
        "LINLI_DATA_DIR": str(data_dir),
        "LINLI_HTTPS": "false",
        "LINLI_SECRET_KEY": "load-test-" + "k" * 50,
        "LINLI_DB_CONN_MAX_AGE": "600",
    }
    url = urllib.parse.urlparse(args.database_url)
    name = url.path.lstrip("/")
    admin = args.database_url.rsplit("/", 1)[0] + "/postgres"
    import psycopg

    with psycopg.connect(admin, autocommit=True) as db:
        exists = db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and args.reseed:
            db.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            db.execute(f'CREATE DATABASE "{name}"')
    if not exists:
        started = time.perf_counter()
        subprocess.run([sys.executable, __file__, "seed"], env=env, check=True)
        print(f"data ready in {time.perf_counter() - started:.0f} s", flush=True)
    subprocess.run([sys.executable, __file__, "sessions"], env=env, check=True)
    plan = json.loads(PLAN_FILE.read_text())
    ports = [args.port + i for i in range(args.servers)]
    servers = start_servers(env, ports)
    try:
        print(
            f"== platform load: {args.users} users, {args.servers} linli serve processes on "
            f"PostgreSQL, {args.duration:g} s, think time {args.think[0]:g}–{args.think[1]:g} s, "
            f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        results = asyncio.run(load(plan, ports, args.users, args.duration, tuple(args.think)))
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
    report(results)
    print(f"load average at end {os.getloadavg()[0]:.1f}")


def _page_kind(path: str) -> str:
    """A path with its object's number replaced, so that detail pages group by kind."""
    return "/".join("<pk>" if part.isdigit() else part for part in path.split("/"))


def report(results: dict[str, list]) -> None:
    columns = ("requests", "errors", "p50 ms", "p95 ms", "p99 ms", "max ms")
    print(f"{'pages':<8}" + "".join(f"{c:>9}" for c in columns))
    verdicts = []
    for kind in ("list", "detail", "map", "api"):
        rows = results.get(kind, [])
        if not rows:
            continue
        times = [seconds * 1000 for seconds, _status, _path in rows]
        errors = [(status, path) for _s, status, path in rows if status != 200]
        p95 = percentile(times, 95)
        print(
            f"{kind:<8}{len(rows):>9}{len(errors):>8}{percentile(times, 50):>9.1f}{p95:>9.1f}"
            f"{percentile(times, 99):>9.1f}{max(times):>9.1f}"
        )
        for status, path in errors[:5]:
            print(f"    error {status}: {path}")
        if kind in ("list", "detail"):
            verdicts.append(p95 <= TARGET_P95_MS and not errors)
    by_page: dict[str, list[float]] = defaultdict(list)
    for rows in results.values():
        for seconds, _status, path in rows:
            by_page[_page_kind(path)].append(seconds * 1000)
    print("by page (detail pages grouped by kind):")
    for page, times in sorted(by_page.items(), key=lambda item: -percentile(item[1], 95)):
        print(
            f"  {page:<44}{len(times):>6}{percentile(times, 50):>9.1f}{percentile(times, 95):>9.1f}"
        )
    verdict = "meets" if all(verdicts) and verdicts else "MISSES"
    print(f"target p95 <= {TARGET_P95_MS:g} ms on list and detail pages, zero errors: {verdict}")


if __name__ == "__main__":
    main()
