"""``linli check APPLICATION.json``: eligibility and subsidy of an application (DESIGN §6)."""

from __future__ import annotations

import argparse
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from linli.commands import CommandError
from linli.commands.policy import pack_for_command
from linli.policy import (
    DEFAULT_POLICY,
    Application,
    ApplicationInputError,
    Evaluation,
    PolicyPack,
    evaluate,
    parse_application,
)
from linli.policy.vocabulary import ALLOCATIONS, SEVERITIES, en, zh


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check",
        help="check an application against a policy pack",
        description="Evaluate an application: a finding per rule with its citation, "
        "eligibility and the subsidy. Exit 0 when evaluated, 2 for invalid input.",
    )
    parser.add_argument("application", metavar="APPLICATION.json", type=Path)
    parser.add_argument(
        "--policy",
        default=DEFAULT_POLICY,
        help=f"pack id or path of a .toml pack (default: {DEFAULT_POLICY})",
    )
    parser.add_argument("--format", choices=("json", "text"), default="json")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    pack = pack_for_command(args.policy)
    data = read_json(args.application)
    try:
        application = parse_application(data)
        evaluation = evaluate(application, pack)
    except ApplicationInputError as error:
        raise CommandError(f"{args.application}: {error}") from error
    if args.format == "json":
        print(json.dumps(evaluation.to_dict(), ensure_ascii=False, indent=2))
    else:
        print("\n".join(report_lines(application, pack, evaluation)))
    return 0


def read_json(path: Path) -> Any:
    """Read a JSON file with numbers as ``Decimal`` (never float), rejecting NaN and Infinity."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"{path}: cannot read: {error}") from error
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        raise CommandError(
            f"{path}: malformed JSON at line {error.lineno} column {error.colno}: {error.msg}"
        ) from error
    except ValueError as error:
        raise CommandError(f"{path}: {error}") from error
    except RecursionError:
        raise CommandError(f"{path}: JSON nested too deeply to be an application") from None


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number JSON allows")


def report_lines(application: Application, pack: PolicyPack, evaluation: Evaluation) -> list[str]:
    """The readable Chinese report, English beside."""
    verdict = "符合申报条件 ELIGIBLE" if evaluation.eligible else "不符合申报条件 NOT ELIGIBLE"
    lines = [
        "政策校验报告 Policy check report",
        f"项目 Project: {application.name}（{application.city}）",
        f"政策 Policy: {pack.id} {pack.title_zh}",
        f"             {pack.title_en}",
        f"结论 Result: {verdict}",
        "",
        "检查项 Findings",
    ]
    for finding in evaluation.findings:
        mark = "通过 pass" if finding.passed else "未通过 FAIL"
        lines += [
            f"  [{mark}] [{zh(SEVERITIES, finding.severity)} {finding.severity}] {finding.rule}",
            f"      {finding.message_zh}",
            f"      {finding.message_en}",
            f"      依据 Source: {finding.source}",
        ]
    return [*lines, "", *_subsidy_lines(evaluation)]


def _subsidy_lines(evaluation: Evaluation) -> list[str]:
    subsidy = evaluation.subsidy
    if subsidy.cap_cny is None:
        cap = "本政策未规定补助 no subsidy in this policy"
    else:
        capped = "已封顶 capped" if subsidy.capped else "未封顶 not capped"
        cap = f"上限 cap {subsidy.cap_cny:,.2f}，{capped}"
    return [
        f"补助测算 Subsidy（{zh(ALLOCATIONS, subsidy.allocation)} "
        f"{en(ALLOCATIONS, subsidy.allocation)}）",
        f"  基本公共服务类 basic public:      {subsidy.basic_public_cny:>18,.2f} 元 CNY",
        f"  普惠非基本公共服务类 inclusive:   {subsidy.inclusive_cny:>18,.2f} 元 CNY",
        f"  便民商业类 commercial:            {subsidy.commercial_cny:>18,.2f} 元 CNY",
        f"  合计 total:                       {subsidy.total_cny:>18,.2f} 元 CNY（{cap}）",
    ]
