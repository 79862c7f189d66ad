"""The bridge from a funding application to the policy engine (:mod:`linli.policy`).

The engine takes the DESIGN §6 JSON form; this module builds it from the application's fields
(or from a form's unsaved data) and keeps the answer as the application's snapshot.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from linli.policy import (
    ApplicationInputError,
    PolicyPack,
    evaluate,
    load_pack,
    load_snapshot,
    parse_application,
)
from linli.registry.models import Community, Jurisdiction

_FUNCTION_FIELDS = ("scenario", "category", "floor_area_m2", "investment_cny")
_CAPACITY_FIELDS = ("beds", "nursing_beds", "infant_slots", "seats")


def _number(value: Any) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


def policy_input(
    *,
    fields: Mapping[str, Any],
    functions: Iterable[Mapping[str, Any]],
    overrides: Iterable[Mapping[str, str]] = (),
    community: Jurisdiction | None = None,
    inclusive_rate: Decimal | None = None,
) -> dict[str, Any]:
    """The DESIGN §6 application from plain field values (a model's or a form's)."""
    data: dict[str, Any] = {
        "name": fields.get("name") or "—",
        "city": fields.get("city") or "—",
        "kind": fields.get("kind") or "",
        "construction": fields.get("construction") or "",
        "gross_floor_area_m2": _number(fields.get("gross_floor_area_m2")),
        "total_investment_cny": _number(fields.get("total_investment_cny")),
        "resident_activity_area_m2": _number(fields.get("resident_activity_area_m2")),
        "functions": [
            {
                **{
                    key: _number(f.get(key)) if key.endswith(("_m2", "_cny")) else f.get(key)
                    for key in _FUNCTION_FIELDS
                },
                "capacity": {
                    key: f.get(key) for key in _CAPACITY_FIELDS if f.get(key) not in (None, "")
                },
            }
            for f in functions
        ],
        # A justification counts unless the functions reviewer has refused it.
        "overrides": [
            {"rule": o["rule"], "reason": o["reason"]}
            for o in overrides
            if (o.get("reason") or "").strip() and o.get("decision") != "refused"
        ],
        "government_built": bool(fields.get("government_built")),
    }
    if inclusive_rate is not None:
        data["inclusive_subsidy_rate"] = Decimal(inclusive_rate)
    record = Community.objects.filter(jurisdiction=community).first() if community else None
    if record is not None:
        data["community"] = {
            "households": record.households,
            "population": record.population,
            "service_area_m2": record.service_area_m2,
        }
    return data


def call_pack(call) -> PolicyPack:
    """The pack a call opened with: the version pinned in the call (its files as they were),
    whatever the pack files on disk say now; a call without a pin (opened before pins were
    kept) uses the pack as it is now."""
    if call.policy_snapshot:
        return load_snapshot(call.policy_snapshot)
    return load_pack(call.policy_id)


def run_policy(call, data: dict[str, Any]) -> dict[str, Any]:
    """The engine's answer as JSON under the call's pinned pack; input the engine refuses
    gives ``{"error": message}``."""
    pack = call_pack(call)
    try:
        return evaluate(parse_application(data), pack).to_dict()
    except ApplicationInputError as error:
        return {"policy": pack.id, "eligible": False, "error": str(error), "findings": []}


def application_input(application, *, inclusive_rate: Decimal | None = None, **changes) -> dict:
    """The saved application (optionally with ``changes`` to its fields) as engine input."""
    fields = {
        name: getattr(application, name)
        for name in (
            "name",
            "kind",
            "construction",
            "gross_floor_area_m2",
            "total_investment_cny",
            "resident_activity_area_m2",
            "government_built",
        )
    }
    fields.update(changes)
    functions = [
        {key: getattr(f, key) for key in _FUNCTION_FIELDS + _CAPACITY_FIELDS}
        for f in application.functions.all()
    ]
    return policy_input(
        fields=fields,
        functions=functions,
        overrides=application.overrides,
        community=application.community,
        inclusive_rate=inclusive_rate,
    )


def override_rules(evaluation: Mapping[str, Any]) -> list[str]:
    """Rules of severity ``override`` that failed: each needs a written justification."""
    return [
        f["rule"]
        for f in evaluation.get("findings", [])
        if f["severity"] == "override" and not f["passed"]
    ]


def substantive_length(text: str) -> int:
    """Characters that say something: letters, digits and ideographs, not blanks, punctuation,
    symbols or invisible characters (so "。" and "……" count 0)."""
    return sum(
        1 for c in unicodedata.normalize("NFKC", text or "") if unicodedata.category(c)[0] in "LN"
    )


def exception_min_chars(call) -> int:
    """The shortest reason a 原则上 exception may give (the pack's ``[review]``; at least 1)."""
    review = call_pack(call).review
    return max(1, (review.exception_reason_min_chars or 1) if review else 1)


def funding_channels(call) -> dict[str, Any]:
    """The pack's funding channels (121号 三(八)), by code."""
    return dict(call_pack(call).funding_channels)


def mix_total(mix: Mapping[str, Any]) -> Decimal:
    total = Decimal("0.00")
    for value in mix.values():
        try:
            total += Decimal(str(value))
        except InvalidOperation:
            continue
    return total


def mix_rows(call, before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> list[dict]:
    """A funding mix before → after, one row per channel either uses (the pack's order first):
    the channel (None when the pack no longer lists it), its code and the two amounts (None
    where the mix has no such channel)."""
    before = before or {}
    channels = funding_channels(call)
    codes = [c for c in channels if c in before or c in after]
    codes += [c for c in {**before, **after} if c not in channels]
    return [
        {
            "code": code,
            "channel": channels.get(code),
            "before": _number(before.get(code)),
            "after": _number(after.get(code)),
        }
        for code in codes
    ]
