"""The policy engine: the programme's rules as versioned packs; eligibility and subsidy.

No Django here. The rest of the platform calls::

    pack = load_pack("beijing-2024")
    evaluation = evaluate(parse_application(data), pack)
    evaluation.to_dict()  # the DESIGN §6 JSON answer
"""

from linli.policy.application import Application, ApplicationInputError, parse_application
from linli.policy.evaluator import Evaluation, evaluate
from linli.policy.findings import Finding
from linli.policy.pack import (
    PolicyPack,
    PolicyPackError,
    Rule,
    Standard,
    list_packs,
    load_pack,
    load_snapshot,
)
from linli.policy.subsidy import Subsidy

DEFAULT_POLICY = "beijing-2024"

__all__ = [
    "DEFAULT_POLICY",
    "Application",
    "ApplicationInputError",
    "Evaluation",
    "Finding",
    "PolicyPack",
    "PolicyPackError",
    "Rule",
    "Standard",
    "Subsidy",
    "evaluate",
    "list_packs",
    "load_pack",
    "load_snapshot",
    "parse_application",
]
