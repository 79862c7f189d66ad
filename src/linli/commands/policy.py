"""``linli policy list`` and ``linli policy show ID``: the policy packs and their cited rules."""

from __future__ import annotations

import argparse
import json

from linli.commands import CommandError
from linli.policy import PolicyPack, PolicyPackError, list_packs, load_pack, schema
from linli.policy.pack import Standard, rule_titles
from linli.policy.vocabulary import (
    CATEGORIES,
    CONFIDENCES,
    CONSTRUCTIONS,
    KINDS,
    SCENARIOS,
    SEVERITIES,
    en,
    zh,
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("policy", help="list, show and validate policy packs")
    commands = parser.add_subparsers(dest="policy_command", metavar="POLICY_COMMAND")
    listing = commands.add_parser("list", help="list the available policy packs")
    listing.set_defaults(handler=run_list)
    show = commands.add_parser("show", help="show a pack's rules with their citations")
    show.add_argument("policy", metavar="ID", help="pack id, or the path of a .toml pack")
    show.set_defaults(handler=run_show)
    validate = commands.add_parser(
        "validate",
        help="check a pack against the pack format (exit 0 if valid, 2 with every problem)",
        description="Load a pack (id or .toml path) with its parents and check every key: "
        "unknown keys, wrong types, numbers out of range, params a check does not take, "
        "changed values that keep a parent's citation. Prints the pack's content hash.",
    )
    validate.add_argument("policy", metavar="PACK", help="pack id, or the path of a .toml pack")
    validate.set_defaults(handler=run_validate)
    schema_cmd = commands.add_parser("schema", help="print the JSON Schema of a pack file")
    schema_cmd.set_defaults(handler=run_schema)


def pack_for_command(policy: str) -> PolicyPack:
    """Load a pack for a command, turning pack problems into a :class:`CommandError`."""
    try:
        return load_pack(policy)
    except PolicyPackError as error:
        raise CommandError(str(error)) from error


def run_list(args: argparse.Namespace) -> int:
    try:
        packs = list_packs()
    except PolicyPackError as error:
        raise CommandError(str(error)) from error
    for pack in packs:
        extends = f"  extends {pack.extends}" if pack.extends else ""
        print(f"{pack.id}  [{pack.jurisdiction} {pack.status}]{extends}")
        print(f"    {pack.title_zh}")
        print(f"    {pack.title_en}")
    return 0


def run_validate(args: argparse.Namespace) -> int:
    pack = pack_for_command(args.policy)
    print(
        f"政策包有效 valid: {pack.id} ({len(pack.rules)} rules, "
        f"{len(pack.files)} file(s)) version {pack.version}"
    )
    return 0


def run_schema(args: argparse.Namespace) -> int:
    print(json.dumps(schema.PackFile.model_json_schema(), ensure_ascii=False, indent=2))
    return 0


def run_show(args: argparse.Namespace) -> int:
    print("\n".join(show_lines(pack_for_command(args.policy))))
    return 0


def show_lines(pack: PolicyPack) -> list[str]:
    """A pack as readable text: header, sources, scenarios, rules, subsidy and standards."""
    return [
        *_header(pack),
        "",
        *_sources(pack),
        "",
        *_scenarios(pack),
        "",
        *_rules(pack),
        "",
        *_subsidy(pack),
        *_standards(pack),
        *_funding_steps(pack),
    ]


def _header(pack: PolicyPack) -> list[str]:
    return [
        f"{pack.id}: {pack.title_zh}",
        f"{' ' * len(pack.id)}  {pack.title_en}",
        f"辖区 jurisdiction: {pack.jurisdiction}   状态 status: {pack.status}   "
        f"生效 effective: {pack.effective_from or '—'}   继承 extends: {pack.extends or '—'}",
    ]


def _sources(pack: PolicyPack) -> list[str]:
    lines = ["依据文件 Sources"]
    for source in pack.sources:
        number = f" {source.number}" if source.number else ""
        issued = f" ({source.issued})" if source.issued else ""
        lines.append(f"  - {source.title}{number}{issued} [{source.confidence}]")
    return lines


def _scenarios(pack: PolicyPack) -> list[str]:
    lines = ["服务场景与类别 Scenarios and categories"]
    for code, categories in pack.scenarios.items():
        allowed = ", ".join(f"{zh(CATEGORIES, c)} {c}" for c in categories)
        lines.append(f"  {code:<18} {zh(SCENARIOS, code)} / {en(SCENARIOS, code)}: {allowed}")
    return lines


def _rules(pack: PolicyPack) -> list[str]:
    lines = ["规则 Rules"]
    for rule in pack.rules:
        title_zh, title_en = rule_titles(rule, pack)
        applies = ", ".join(
            [f"{zh(KINDS, k)} {k}" for k in rule.kinds]
            + [f"{zh(CONSTRUCTIONS, c)} {c}" for c in rule.constructions]
        )
        lines += [
            f"  {rule.id}  [{zh(SEVERITIES, rule.severity)} {rule.severity}] "
            f"[{rule.confidence} {zh(CONFIDENCES, rule.confidence)}]  适用 applies to: {applies}",
            f"      {title_zh}",
            f"      {title_en}",
            f"      依据 source: {rule.source}",
        ]
        if rule.quote:
            lines.append(f"      原文 quote: {rule.quote}")
    return lines


def _subsidy(pack: PolicyPack) -> list[str]:
    scheme = pack.subsidy
    if scheme is None:
        return ["补助 Subsidy: 本政策包未规定补助比例 / this pack sets no subsidy rates", ""]
    return [
        f"补助 Subsidy [{scheme.confidence}] — {scheme.source}",
        f"  基本公共服务类 basic public: {scheme.basic_public_rate:.0%}",
        f"  普惠非基本公共服务类 inclusive: {scheme.inclusive_rate_min:.0%}–"
        f"{scheme.inclusive_rate_max:.0%} (default {scheme.inclusive_rate_default:.0%})",
        "  便民商业类 commercial: 0%",
        f"  上限 cap: {scheme.cap_cny:,.2f} 元 CNY (basic + inclusive)",
        "",
    ]


def _standards(pack: PolicyPack) -> list[str]:
    sections = (
        ("生活圈 Life circles", pack.life_circles),
        ("面积标准 Area standards", pack.area_standards),
        ("配置比例 Capacity ratios", pack.capacity_ratios),
        ("选址优先权重 Priority weights", pack.priority_weights),
    )
    lines: list[str] = []
    for title, standards in sections:
        lines.append(title)
        lines += [_standard_line(key, standard) for key, standard in standards.items()]
        lines.append("")
    return lines


def _standard_line(key: str, standard: Standard) -> str:
    return (
        f"  {key}: {standard.value:g} {standard.unit} [{standard.confidence}] — {standard.source}"
    )


def _funding_steps(pack: PolicyPack) -> list[str]:
    if not pack.funding_steps:
        return []
    lines = ["资金流程 Funding steps"]
    lines += [
        f"  {i}. {step.name_zh} / {step.name_en} ({step.code}) — {step.source}"
        for i, step in enumerate(pack.funding_steps, start=1)
    ]
    return lines
