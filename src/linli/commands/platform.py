"""``linli demo``, ``linli serve`` and ``linli manage``: the web platform."""

from __future__ import annotations

import argparse
import os


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.web.settings")
    import django

    django.setup()


def _add_server_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on")
    parser.add_argument(
        "--threads", type=int, default=None, help="worker threads (LINLI_SERVE_THREADS, 8)"
    )


def register(subparsers: argparse._SubParsersAction) -> None:
    demo = subparsers.add_parser(
        "demo", help="create the data dir, load the demo city and accounts, and serve"
    )
    _add_server_options(demo)
    demo.add_argument("--no-serve", action="store_true", help="prepare everything, then exit")
    demo.add_argument(
        "--code",
        metavar="USERNAME",
        help="print the current two-factor code of a demo account (as its authenticator would)",
    )
    demo.set_defaults(handler=run_demo)

    serve = subparsers.add_parser("serve", help="serve the platform (production WSGI server)")
    _add_server_options(serve)
    serve.set_defaults(handler=run_serve)

    manage = subparsers.add_parser("manage", help="run a Django management command", add_help=False)
    manage.add_argument("arguments", nargs=argparse.REMAINDER)
    manage.set_defaults(handler=run_manage)


def run_demo(args: argparse.Namespace) -> int:
    # The demo serves plain HTTP on this machine; production sits behind TLS.
    os.environ.setdefault("LINLI_HTTPS", "false")
    # The demo city's own measures are the installation's pack (targets, pilots, defaults).
    from linli.demo.policy import DEMO_POLICY

    os.environ.setdefault("LINLI_POLICY", DEMO_POLICY)
    _django_setup()
    from django.conf import settings
    from django.core.management import call_command

    from linli.demo.loader import load_demo

    settings.DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    if args.code:
        return _print_demo_code(args.code)
    accounts = load_demo()
    print(f"linli demo — data in {settings.DATA_DIR}")
    print("演示账号 / demo accounts — 密码 password:", accounts[0].password if accounts else "")
    for account in accounts:
        key = account.totp_key or "—（居民无需 / residents: none）"
        print(f"  {account.username:<30}  {account.role_label:<22}  {account.scope:<6}  {key}")
    print(
        "两步验证 / two-factor sign-in: 把密钥加入任一验证器应用（TOTP），或另开终端运行\n"
        "  add the key to any authenticator app (TOTP), or in another terminal run\n"
        "  linli demo --code demo_city_admin"
    )
    if args.no_serve:
        return 0
    return _serve(args)


def _print_demo_code(username: str) -> int:
    """The code a demo account's authenticator shows now (the demo's keys are printed anyway;
    a real installation has no such shortcut: only ``linli demo`` offers it)."""
    import sys

    from linli.accounts import twofactor
    from linli.accounts.models import User

    user = User.objects.filter(username=username, username__startswith="demo_").first()
    device = twofactor.authenticator(user) if user else None
    if device is None:
        print(f"{username}: no demo account with an authenticator", file=sys.stderr)
        return 2
    print(twofactor.current_code(device))
    return 0


def run_serve(args: argparse.Namespace) -> int:
    _django_setup()
    return _serve(args)


def _serve(args: argparse.Namespace) -> int:
    from django.conf import settings

    from linli.jobs.runner import recover_jobs
    from linli.web import server
    from linli.web.wsgi import application

    queued, failed = recover_jobs()
    if queued:
        print(f"{queued} unfinished job(s) of a stopped server queued again")
    if failed:
        print(f"{failed} job(s) whose server stopped too often marked as interrupted")
    waitress = server.create(application, host=args.host, port=args.port, threads=args.threads)
    server.prepare_memory()
    host = f"[{args.host}]" if ":" in args.host else args.host
    proxy = settings.TRUSTED_PROXY or "none"
    print(
        f"linli serving on http://{host}:{args.port}/ (trusted proxy: {proxy}; Ctrl+C to stop)",
        flush=True,
    )
    try:
        waitress.run()
    except KeyboardInterrupt:
        pass
    finally:
        waitress.close()
    return 0


def run_manage(args: argparse.Namespace) -> int:
    _django_setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["linli manage", *args.arguments])
    return 0
