"""``linli plan …``: planning on the walking network."""

from __future__ import annotations

import argparse

from linli.commands import plan_access, plan_batch, plan_diagnose, plan_sites


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("plan", help="accessibility, diagnosis and site planning")
    plan_commands = parser.add_subparsers(dest="plan_command", metavar="PLAN_COMMAND")
    plan_access.register(plan_commands)
    plan_diagnose.register(plan_commands)
    plan_sites.register(plan_commands)
    plan_batch.register(plan_commands)
