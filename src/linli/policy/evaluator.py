"""Evaluate an application against a policy pack: findings, eligibility and subsidy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from linli.policy.application import Application
from linli.policy.checks import CHECKS, Outcome, not_applicable
from linli.policy.findings import Finding
from linli.policy.pack import PolicyPack, Rule, rule_titles
from linli.policy.subsidy import Subsidy, compute_subsidy
from linli.policy.vocabulary import CONSTRUCTIONS, KINDS, en, zh


@dataclass(frozen=True)
class Evaluation:
    """Every rule's finding and the subsidy, under one pack."""

    policy: str
    findings: tuple[Finding, ...]
    subsidy: Subsidy

    @property
    def eligible(self) -> bool:
        """No failed ``error`` and no failed ``override`` without a written justification."""
        return not any(finding.blocking for finding in self.findings)

    def to_dict(self) -> dict[str, Any]:
        """The DESIGN §6 ``linli check`` JSON answer."""
        return {
            "policy": self.policy,
            "eligible": self.eligible,
            "findings": [finding.to_dict() for finding in self.findings],
            "subsidy": self.subsidy.to_dict(),
        }


def evaluate(application: Application, pack: PolicyPack) -> Evaluation:
    """Check ``application`` against every rule of ``pack`` and compute its subsidy.

    Raises
    ------
    ApplicationInputError
        When ``inclusive_subsidy_rate`` lies outside the pack's range.
    """
    subsidy = compute_subsidy(application, pack)
    findings = tuple(_finding(rule, application, pack) for rule in pack.rules)
    return Evaluation(policy=pack.id, findings=findings, subsidy=subsidy)


def _finding(rule: Rule, application: Application, pack: PolicyPack) -> Finding:
    outcome = _outcome(rule, application, pack)
    title_zh, title_en = rule_titles(rule, pack)
    message_zh = f"{title_zh}：{outcome.detail_zh}"
    message_en = f"{title_en}: {outcome.detail_en}"
    justification = None
    if rule.severity == "override" and not outcome.passed:
        justification = application.justification(rule.id)
        if justification:
            message_zh += f"；已记录书面说明：{justification}"
            message_en += f"; justification recorded: {justification}"
        else:
            message_zh += f"；须在 overrides 中记录书面说明（rule: {rule.id}）"
            message_en += f"; needs a written justification in overrides (rule: {rule.id})"
    return Finding(
        rule=rule.id,
        severity=rule.severity,
        passed=outcome.passed,
        message_zh=message_zh,
        message_en=message_en,
        source=rule.source,
        justification=justification,
    )


def _outcome(rule: Rule, application: Application, pack: PolicyPack) -> Outcome:
    kind, construction = application.kind, application.construction
    if kind not in rule.kinds:
        return not_applicable(f"{zh(KINDS, kind)}项目", f"{en(KINDS, kind)} project")
    if construction not in rule.constructions:
        return not_applicable(
            f"{zh(CONSTRUCTIONS, construction)}项目", f"{en(CONSTRUCTIONS, construction)} project"
        )
    return CHECKS[rule.check].run(application, rule, pack)
