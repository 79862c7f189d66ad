"""Findings: one per rule of the pack, passed or failed, with its citation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Finding:
    """The result of one rule on one application.

    ``justification`` is the written reason recorded for a failed ``override`` rule (原则上).
    """

    rule: str
    severity: str
    passed: bool
    message_zh: str
    message_en: str
    source: str
    justification: str | None = None

    @property
    def blocking(self) -> bool:
        """Whether this finding makes the project ineligible."""
        if self.passed:
            return False
        return self.severity == "error" or (self.severity == "override" and not self.justification)

    def to_dict(self) -> dict[str, Any]:
        """The DESIGN §6 finding object."""
        return {
            "rule": self.rule,
            "severity": self.severity,
            "passed": self.passed,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
            "source": self.source,
        }
