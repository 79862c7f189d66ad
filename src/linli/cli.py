"""The ``linli`` command line.

Each command group lives in its own module under :mod:`linli.commands` and adds its
sub-parsers in ``register(subparsers)``; a handler returns the exit code. Input errors
raise :class:`linli.commands.CommandError` and exit 2 with the message on stderr.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from linli import __version__
from linli.commands import CommandError

COMMAND_MODULES = ("platform", "check", "policy", "plan", "backup")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="linli",
        description="linli 邻里 — community embedded service facilities platform",
    )
    parser.add_argument("--version", action="version", version=f"linli {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"linli.commands.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except CommandError as error:
        print(f"linli: error: {error}", file=sys.stderr)
        return 2
