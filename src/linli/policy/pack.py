"""Policy packs: the programme's rules and numbers as versioned TOML data.

A pack is one TOML file named ``<id>.toml``. It may ``extends`` another pack: the
substantive sections (scenarios, rules, subsidy, standards, funding steps) are merged table by
table, the child winning; the parent's source documents are kept; the metadata (id, titles,
jurisdiction, status, dates) is the child's own. Shipped packs live in ``packs/``; a deployment
adds its own directories with the ``LINLI_POLICY_PATH`` environment variable.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any

from linli.policy import schema
from linli.policy.checks import CHECKS
from linli.policy.pricing import PricingTerms, parse_pricing
from linli.policy.vocabulary import (
    CATEGORIES,
    CONFIDENCES,
    CONSTRUCTIONS,
    KINDS,
    SCENARIOS,
    SEVERITIES,
    normalise,
)

PACKS_DIR = Path(__file__).parent / "packs"
PATH_ENV = "LINLI_POLICY_PATH"
STANDARD_SECTIONS = (
    "life_circles", "area_standards", "capacity_ratios", "priority_weights", "participation"
)  # fmt: skip
INHERITED_SECTIONS = (
    "scenarios", "listed_services", "rules", "subsidy", "funding_steps", "pilots", "release",
    "review", "funding_channels", "pricing", "monitoring", *STANDARD_SECTIONS
)  # fmt: skip
# Keys of a rule whose change makes the parent's citation stale (the new value needs its own).
RULE_SUBSTANCE = ("check", "severity", "params")
# Who designates a pilot community: the city (121号 一), or a district where a pack says so.
PILOT_DESIGNATORS = ("city", "district")
STATUSES = ("final", "draft")


class PolicyPackError(Exception):
    """A pack is missing, malformed or breaks a rule of the pack format."""


@dataclass(frozen=True)
class SourceDocument:
    """A document a pack cites: title, number and date when known, and how sure we are of it."""

    title: str
    number: str | None
    issued: date | None
    confidence: str
    note: str | None


@dataclass(frozen=True)
class Standard:
    """A number with its unit, citation and confidence (area, distance, ratio or weight)."""

    value: float
    unit: str
    source: str
    confidence: str


@dataclass(frozen=True)
class Rule:
    """One checkable rule: which check runs, how binding it is, and where it comes from.

    A rule whose ``params`` name a ``standard`` takes its source and confidence from it.
    """

    id: str
    check: str
    severity: str
    title_zh: str
    title_en: str
    source: str
    confidence: str
    quote: str | None
    params: Mapping[str, Any]
    kinds: tuple[str, ...]
    constructions: tuple[str, ...]


@dataclass(frozen=True)
class SubsidyScheme:
    """Capital subsidy rates by service category and the cap on their sum."""

    basic_public_rate: Decimal
    inclusive_rate_min: Decimal
    inclusive_rate_max: Decimal
    inclusive_rate_default: Decimal
    cap_cny: Decimal
    source: str
    confidence: str


@dataclass(frozen=True)
class FundingStep:
    """One step of the funding flow, in order."""

    code: str
    name_zh: str
    name_en: str
    source: str


@dataclass(frozen=True)
class PilotDesignation:
    """Which level of government designates pilot communities, and on what authority."""

    by: str
    source: str
    confidence: str


@dataclass(frozen=True)
class Milestone:
    """A construction milestone and the cumulative share of the approved subsidy releasable once
    it is reached and verified."""

    code: str
    name_zh: str
    name_en: str
    cumulative_share: Decimal


@dataclass(frozen=True)
class MonitoringThresholds:
    """Promise against reality: after ``months_after_opening`` months a facility is flagged
    when its use of capacity, the coverage it delivered against the coverage promised, or its
    opening against the promised date falls short of these numbers, or the residents' mean
    rating of its visits (1–5 stars) is below ``min_mean_stars``."""

    months_after_opening: int
    min_use_share: Decimal
    min_coverage_share: Decimal
    max_opening_delay_days: int
    source: str
    confidence: str
    min_mean_stars: Decimal | None = None  # absent: satisfaction is shown, not held to a number


@dataclass(frozen=True)
class ReleaseSchedule:
    """资金下达 by 工程进度: the milestones in order, with their citation."""

    milestones: tuple[Milestone, ...]
    source: str
    confidence: str

    def ceiling(self, code: str) -> Decimal:
        """The cumulative share releasable at milestone ``code``; ``KeyError`` if unknown."""
        for milestone in self.milestones:
            if milestone.code == code:
                return milestone.cumulative_share
        raise KeyError(code)


@dataclass(frozen=True)
class ReviewSettings:
    """Numbers the funding flow's reviewers work with (each ``None`` when the pack sets none)."""

    exception_reason_min_chars: int | None
    approved_investment_deviation_max: Decimal | None
    source: str
    confidence: str


@dataclass(frozen=True)
class FundingChannel:
    """A source of money an application may draw on (121号 三(八))."""

    code: str
    name_zh: str
    name_en: str
    source: str
    confidence: str


@dataclass(frozen=True)
class PolicyPack:
    """A loaded policy pack, inheritance resolved. Read-only plain data."""

    id: str
    title_zh: str
    title_en: str
    jurisdiction: str
    status: str
    effective_from: date | None
    extends: str | None
    sources: tuple[SourceDocument, ...]
    scenarios: Mapping[str, tuple[str, ...]]
    rules: tuple[Rule, ...]
    subsidy: SubsidyScheme | None
    funding_steps: tuple[FundingStep, ...]
    life_circles: Mapping[str, Standard]
    area_standards: Mapping[str, Standard]
    capacity_ratios: Mapping[str, Standard]
    priority_weights: Mapping[str, Standard]
    # Residents' participation: the public notice's comment period (linli.participation).
    participation: Mapping[str, Standard] = field(default_factory=dict)
    pilots: PilotDesignation | None = None
    city_zh: str | None = None  # the city whose own measures the pack sets out, if a city's
    pricing: PricingTerms | None = None  # the inclusive-price check's margin and references
    monitoring: MonitoringThresholds | None = None  # promise against reality
    release: ReleaseSchedule | None = None
    review: ReviewSettings | None = None
    funding_channels: Mapping[str, FundingChannel] = field(default_factory=lambda: _frozen({}))
    # The pack's files as read, the pack's own first and then each parent: (file name, text).
    files: tuple[tuple[str, str], ...] = ()
    listed_services: tuple[str, ...] = ()  # listed names that are none of the 9 scenarios

    def listed(self, scenario: str) -> bool:
        """Whether a function's scenario is in the pack's list: one of its scenarios, or a
        service its text lists by another name (compared after normalisation)."""
        if scenario in self.scenarios:
            return True
        return normalise(scenario) in {normalise(name) for name in self.listed_services}

    @property
    def version(self) -> str:
        """The content hash (SHA-256) of the pack's files and its parents': a call pins it."""
        canonical = json.dumps([list(f) for f in self.files], ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def snapshot(self) -> dict[str, Any]:
        """The pack as JSON-ready data, enough to load this exact version again anywhere."""
        return {"id": self.id, "version": self.version, "files": [list(f) for f in self.files]}

    @property
    def open_scenarios(self) -> bool:
        """Whether the scenario list is open (等): nothing in the pack blocks a function outside
        it, so such a function is a service like any other and counts in the function counts."""
        return not any(
            rule.check == "scenario_known" and rule.severity in ("error", "override")
            for rule in self.rules
        )

    def rule(self, rule_id: str) -> Rule:
        """The rule with id ``rule_id``; ``KeyError`` when the pack has none."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def standard(self, path: str) -> Standard:
        """A standard by ``"section.key"``, e.g. ``"capacity_ratios.nursing_bed_share"``."""
        section, _, key = path.partition(".")
        if section not in STANDARD_SECTIONS:
            raise KeyError(path)
        return getattr(self, section)[key]


# Directories a running platform adds (its data directory's ``policy/``), after the variable's.
_ADDED_DIRS: list[Path] = []


def add_search_directory(directory: str | os.PathLike[str]) -> None:
    """Search ``directory`` for packs too (before the shipped ones); once per directory."""
    path = Path(directory)
    if path not in _ADDED_DIRS:
        _ADDED_DIRS.append(path)


def search_path() -> tuple[Path, ...]:
    """Directories searched for ``<id>.toml``: ``LINLI_POLICY_PATH`` entries, directories added
    with :func:`add_search_directory`, then the shipped packs."""
    extra = [Path(entry) for entry in os.environ.get(PATH_ENV, "").split(os.pathsep) if entry]
    return (*extra, *_ADDED_DIRS, PACKS_DIR)


def list_packs(*, skip_invalid: bool = False) -> tuple[PolicyPack, ...]:
    """Every pack on the search path, sorted by id (the first file found wins for an id).

    A pack that does not load raises :class:`PolicyPackError`, unless ``skip_invalid``: then it
    is left out (the web platform keeps serving the valid ones; :func:`invalid_packs` and the
    deployment check say which are not).
    """
    packs = []
    for pack_id in _pack_ids():
        try:
            packs.append(load_pack(pack_id))
        except PolicyPackError:
            if not skip_invalid:
                raise
    return tuple(packs)


def invalid_packs() -> dict[str, str]:
    """Each pack on the search path that does not load, with the reason."""
    problems = {}
    for pack_id in _pack_ids():
        try:
            load_pack(pack_id)
        except PolicyPackError as error:
            problems[pack_id] = str(error)
    return problems


def _pack_ids() -> list[str]:
    return sorted({path.stem for directory in search_path() for path in directory.glob("*.toml")})


def load_pack(pack: str | os.PathLike[str]) -> PolicyPack:
    """Load a pack by id (searched on :func:`search_path`) or from a ``.toml`` file path.

    Raises
    ------
    PolicyPackError
        When the pack is unknown, unreadable, extends itself, or breaks the pack format; the
        message names the file, the key and the reason.
    """
    path = Path(pack)
    if path.suffix == ".toml":
        if not path.is_file():
            raise PolicyPackError(f"{path}: no such policy pack file")
        dirs = (path.parent, *search_path())
    else:
        dirs = search_path()
        path = _find(str(pack), dirs)

    key = (str(path), dirs)
    cached = _LOADED.get(key)
    if cached is not None and cached[1] == _stamps(cached[2], dirs):
        return cached[0]
    read = [path]

    def find(pack_id: str) -> tuple[str, str]:
        read.append(_find(pack_id, dirs))
        return _file_text(read[-1])

    loaded = _load(_file_text(path), find)
    _LOADED[key] = (loaded, _stamps(read, dirs), tuple(read))
    return loaded


# Packs as loaded, with the files they were read from: a page names several packs, and
# parsing and validating TOML each time is most of a detail page's time. A changed, added or
# removed file (its size and time, or its directory's time) loads the pack again.
_LOADED: dict[tuple, tuple[PolicyPack, tuple, tuple[Path, ...]]] = {}


def _stamps(files, dirs) -> tuple:
    def stamp(path: Path):
        try:
            status = path.stat()
        except OSError:
            return None
        return status.st_mtime_ns, status.st_size

    return tuple(stamp(Path(p)) for p in (*files, *dirs))


def load_snapshot(snapshot: Mapping[str, Any]) -> PolicyPack:
    """The pack exactly as :meth:`PolicyPack.snapshot` saved it (whatever the files say now).

    Raises
    ------
    PolicyPackError
        When the snapshot is malformed or its content does not match its version hash.
    """
    try:
        files = tuple((str(name), str(text)) for name, text in snapshot["files"])
        version = snapshot.get("version")
        if not files or not isinstance(version, str | None):
            raise ValueError("no files, or a version that is not a hash")
    except (KeyError, IndexError, TypeError, ValueError) as error:
        raise PolicyPackError(f"policy snapshot: malformed ({error!r})") from None
    return _snapshot_pack(files, version)


@functools.lru_cache(maxsize=64)
def _snapshot_pack(files: tuple[tuple[str, str], ...], version: str | None) -> PolicyPack:
    """A snapshot's pack, parsed and validated once per process: packs are immutable and a
    page shows several figures of the same call's pack."""
    texts = dict(files)

    def find(pack_id: str) -> tuple[str, str]:
        name = f"{pack_id}.toml"
        if name not in texts:
            raise PolicyPackError(f"policy snapshot: has no parent pack {pack_id!r}")
        return name, texts[name]

    pack = _load(files[0], find)
    if version not in (None, pack.version):
        raise PolicyPackError(f"policy snapshot {pack.id}: content does not match its version")
    return pack


def _load(file: tuple[str, str], find: Callable[[str], tuple[str, str]]) -> PolicyPack:
    files: list[tuple[str, str]] = []
    data = _merged(file, find, (), files)
    return replace(_build(data, file[0]), files=tuple(files))


def _file_text(path: Path) -> tuple[str, str]:
    try:
        return path.name, path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PolicyPackError(f"{path}: cannot read: {error}") from error


def _find(pack_id: str, dirs: tuple[Path, ...]) -> Path:
    for directory in dirs:
        candidate = directory / f"{pack_id}.toml"
        if candidate.is_file():
            return candidate
    known = sorted({p.stem for d in dirs for p in d.glob("*.toml")})
    raise PolicyPackError(f"unknown policy {pack_id!r}; available: {', '.join(known)}")


def _read(name: str, text: str) -> dict[str, Any]:
    """Parse one pack file and hold it to the pack format (:class:`schema.PackFile`)."""
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as error:
        raise PolicyPackError(f"{name}: {error}") from error
    stem = name.removesuffix(".toml")
    if data.get("id") != stem:
        raise PolicyPackError(f"{name}: id must equal the file name {stem!r}")
    try:
        schema.PackFile.model_validate(data)
    except schema.ValidationError as error:
        raise PolicyPackError(
            "\n".join(f"{name}: {line}" for line in schema.describe_errors(error))
        ) from None
    return data


def _merged(
    file: tuple[str, str],
    find: Callable[[str], tuple[str, str]],
    chain: tuple[str, ...],
    files: list[tuple[str, str]],
) -> dict[str, Any]:
    name, text = file
    data = _read(name, text)
    files.append(file)
    stem = name.removesuffix(".toml")
    parent_id = data.get("extends")
    if parent_id is None:
        _check_params(data, data, name)
        return data
    if parent_id in (*chain, stem):
        raise PolicyPackError(f"{name}: extends {parent_id!r} in a cycle")
    parent = _merged(find(parent_id), find, (*chain, stem), files)
    merged = {key: value for key, value in data.items() if key not in INHERITED_SECTIONS}
    merged["sources"] = [*parent.get("sources", []), *data.get("sources", [])]
    for section in INHERITED_SECTIONS:
        value = _deep_merge(parent.get(section), data.get(section))
        if value is not None:
            merged[section] = value
    _drop_stale_quotes(merged, data)
    _check_params(data, merged, name)
    _check_citations(parent, data, name)
    return merged


def _drop_stale_quotes(merged: dict[str, Any], data: Mapping[str, Any]) -> None:
    """A child rule that cites a new source does not keep the parent's quote of the old one."""
    for rule_id, table in data.get("rules", {}).items():
        if "source" in table and "quote" not in table:
            merged["rules"][rule_id].pop("quote", None)


def _check_citations(parent: Mapping[str, Any], data: Mapping[str, Any], name: str) -> None:
    """A child that changes what a parent's rule, number or subsidy says must cite its own
    source for it (with its confidence): a changed value never keeps a stale citation."""
    for rule_id, table in data.get("rules", {}).items():
        inherited = parent.get("rules", {}).get(rule_id)
        if inherited is None:
            continue
        changed = [k for k in RULE_SUBSTANCE if k in table and table[k] != inherited.get(k)]
        on_standard = "standard" in {**inherited.get("params", {}), **table.get("params", {})}
        if changed == ["params"] and on_standard and set(table["params"]) == {"standard"}:
            continue  # cites the standard it now names
        where = f"{name}: rules.{_key(rule_id)}"
        if changed and "source" not in table:
            raise PolicyPackError(
                f"{where}: changes {', '.join(changed)} of {parent['id']}'s rule but not its "
                "source; cite the clause that sets the new value (source and confidence)"
            )
        if "source" in table and "confidence" not in table:
            raise PolicyPackError(f"{where}: a new source needs its own confidence")
    for section in STANDARD_SECTIONS:
        for key, table in data.get(section, {}).items():
            inherited = parent.get(section, {}).get(key)
            if inherited is None:
                continue
            where = f"{name}: {section}.{key}"
            if table.get("value", inherited.get("value")) != inherited.get("value") and (
                "source" not in table
            ):
                raise PolicyPackError(
                    f"{where}: changes the value of {parent['id']}'s standard but not its "
                    "source; cite where the new value comes from (source and confidence)"
                )
            if "source" in table and "confidence" not in table:
                raise PolicyPackError(f"{where}: a new source needs its own confidence")
    for section in ("subsidy", "release", "review"):
        table, inherited = data.get(section), parent.get(section)
        if not table or not inherited:
            continue
        changed = [
            key for key, value in table.items()
            if key not in ("source", "confidence") and inherited.get(key) != value
        ]  # fmt: skip
        where = f"{name}: {section}"
        if changed and "source" not in table:
            raise PolicyPackError(
                f"{where}: changes {', '.join(changed)} of {parent['id']} but not the source; "
                "cite where the new numbers come from (source and confidence)"
            )
        if "source" in table and "confidence" not in table:
            raise PolicyPackError(f"{where}: a new source needs its own confidence")


def _key(rule_id: str) -> str:
    return f'"{rule_id}"' if "." in rule_id else rule_id


def _check_params(data: Mapping[str, Any], merged: Mapping[str, Any], name: str) -> None:
    """The params of every rule this file states, held to the model of the rule's check."""
    for rule_id in data.get("rules", {}):
        rule = merged.get("rules", {}).get(rule_id, {})
        check = rule.get("check")
        where = f"{name}: rules.{_key(rule_id)}"
        if check is None:
            raise PolicyPackError(f"{where}.check: is required (which check the rule runs)")
        if check not in schema.PARAMS:
            raise PolicyPackError(
                f"{where}.check: {check!r} is not one of {', '.join(schema.PARAMS)}"
            )
        try:
            schema.PARAMS[check].model_validate(rule.get("params", {}))
        except schema.ValidationError as error:
            lines = schema.describe_errors(error, f"rules.{_key(rule_id)}.params")
            raise PolicyPackError(
                "\n".join(f"{name}: {line} (check {check})" for line in lines)
            ) from None


def _deep_merge(base: Any, override: Any) -> Any:
    """Tables merge key by key (override wins); anything else is replaced by the override."""
    if override is None:
        return base
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = _deep_merge(base.get(key), value)
        return merged
    return override


def _build(data: dict[str, Any], where: str) -> PolicyPack:
    standards = {
        section: _frozen(
            {
                key: _standard(value, f"{where}: {section}.{key}")
                for key, value in _tables(data, section, where).items()
            }
        )
        for section in STANDARD_SECTIONS
    }
    pack = PolicyPack(
        id=_text(data, "id", where),
        title_zh=_text(data, "title_zh", where),
        title_en=_text(data, "title_en", where),
        jurisdiction=_text(data, "jurisdiction", where),
        status=_choice(data.get("status"), STATUSES, f"{where}: status"),
        effective_from=data.get("effective_from"),
        extends=data.get("extends"),
        sources=tuple(
            _source(s, f"{where}: sources[{i}]")
            for i, s in enumerate(_entries(data, "sources", where))
        ),
        scenarios=_frozen(
            {
                code: _scenario(code, value, f"{where}: scenarios.{code}")
                for code, value in _tables(data, "scenarios", where).items()
            }
        ),
        rules=(),
        subsidy=_subsidy(data["subsidy"], f"{where}: subsidy") if "subsidy" in data else None,
        funding_steps=tuple(
            _funding_step(step, f"{where}: funding_steps[{i}]")
            for i, step in enumerate(_entries(data, "funding_steps", where))
        ),
        **standards,
        pilots=_pilots(data["pilots"], f"{where}: pilots") if "pilots" in data else None,
        city_zh=data.get("city_zh"),
        pricing=(
            parse_pricing(
                data["pricing"], f"{where}: pricing", _number, _text, _choice, CONFIDENCES
            )
            if "pricing" in data
            else None
        ),
        listed_services=tuple(data.get("listed_services", ())),
        release=_release(data["release"], f"{where}: release") if "release" in data else None,
        monitoring=(
            _monitoring(data["monitoring"], f"{where}: monitoring")
            if "monitoring" in data
            else None
        ),
        review=_review(data["review"], f"{where}: review") if "review" in data else None,
        funding_channels=_frozen(
            {
                code: _channel(code, value, f"{where}: funding_channels.{code}")
                for code, value in _tables(data, "funding_channels", where).items()
            }
        ),
    )
    rules = tuple(
        _rule(rule_id, value, pack, f"{where}: rules.{rule_id}")
        for rule_id, value in _tables(data, "rules", where).items()
    )
    return replace(pack, rules=rules)


def _tables(data: Mapping[str, Any], key: str, where: str) -> dict[str, dict[str, Any]]:
    """A table of tables, e.g. ``[rules.<id>]``; empty when absent."""
    tables = data.get(key, {})
    if not isinstance(tables, dict) or not all(isinstance(t, dict) for t in tables.values()):
        raise PolicyPackError(f"{where}: {key} must be a table of tables")
    return tables


def _entries(data: Mapping[str, Any], key: str, where: str) -> list[dict[str, Any]]:
    """An array of tables, e.g. ``[[sources]]``; empty when absent."""
    entries = data.get(key, [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise PolicyPackError(f"{where}: {key} must be an array of tables")
    return entries


def _frozen(mapping: dict[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(mapping)


def _text(data: Mapping[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise PolicyPackError(f"{where}: {key} must be a non-empty string")
    return value


def _choice(value: Any, allowed: Any, where: str) -> str:
    if value not in allowed:
        raise PolicyPackError(f"{where}: {value!r} is not one of {', '.join(allowed)}")
    return value


def _choices(values: Any, allowed: Any, where: str) -> tuple[str, ...]:
    if not isinstance(values, list):
        raise PolicyPackError(f"{where}: must be a list")
    return tuple(_choice(value, allowed, where) for value in values)


def _number(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise PolicyPackError(f"{where}: must be a number")
    return Decimal(value)


def _source(data: Mapping[str, Any], where: str) -> SourceDocument:
    return SourceDocument(
        title=_text(data, "title", where),
        number=data.get("number"),
        issued=data.get("issued"),
        confidence=_choice(data.get("confidence"), CONFIDENCES, f"{where}.confidence"),
        note=data.get("note"),
    )


def _standard(data: Mapping[str, Any], where: str) -> Standard:
    return Standard(
        value=float(_number(data.get("value"), f"{where}.value")),
        unit=_text(data, "unit", where),
        source=_text(data, "source", where),
        confidence=_choice(data.get("confidence"), CONFIDENCES, f"{where}.confidence"),
    )


def _scenario(code: str, data: Mapping[str, Any], where: str) -> tuple[str, ...]:
    _choice(code, SCENARIOS, where)
    return _choices(data.get("categories"), CATEGORIES, f"{where}.categories")


def _subsidy(data: Any, where: str) -> SubsidyScheme:
    if not isinstance(data, dict):
        raise PolicyPackError(f"{where}: must be a table")
    scheme = SubsidyScheme(
        basic_public_rate=_number(data.get("basic_public_rate"), f"{where}.basic_public_rate"),
        inclusive_rate_min=_number(data.get("inclusive_rate_min"), f"{where}.inclusive_rate_min"),
        inclusive_rate_max=_number(data.get("inclusive_rate_max"), f"{where}.inclusive_rate_max"),
        inclusive_rate_default=_number(
            data.get("inclusive_rate_default"), f"{where}.inclusive_rate_default"
        ),
        cap_cny=_number(data.get("cap_cny"), f"{where}.cap_cny"),
        source=_text(data, "source", where),
        confidence=_choice(data.get("confidence"), CONFIDENCES, f"{where}.confidence"),
    )
    rates_ordered = (
        0
        <= scheme.inclusive_rate_min
        <= scheme.inclusive_rate_default
        <= scheme.inclusive_rate_max
        <= 1
    )
    if not rates_ordered or not 0 <= scheme.basic_public_rate <= 1 or scheme.cap_cny < 0:
        raise PolicyPackError(
            f"{where}: rates must satisfy 0 ≤ min ≤ default ≤ max ≤ 1 and cap_cny ≥ 0"
        )
    return scheme


def _pilots(data: Any, where: str) -> PilotDesignation:
    if not isinstance(data, dict):
        raise PolicyPackError(f"{where}: must be a table")
    return PilotDesignation(
        by=_choice(data.get("designated_by"), PILOT_DESIGNATORS, f"{where}.designated_by"),
        source=_text(data, "source", where),
        confidence=_choice(data.get("confidence"), CONFIDENCES, f"{where}.confidence"),
    )


def _cited(data: Mapping[str, Any], where: str) -> tuple[str, str]:
    return (
        _text(data, "source", where),
        _choice(data.get("confidence"), CONFIDENCES, f"{where}.confidence"),
    )


def _monitoring(data: Mapping[str, Any], where: str) -> MonitoringThresholds:
    source, confidence = _cited(data, where)
    try:
        return MonitoringThresholds(
            months_after_opening=int(data["months_after_opening"]),
            min_use_share=Decimal(str(data["min_use_share"])),
            min_coverage_share=Decimal(str(data["min_coverage_share"])),
            max_opening_delay_days=int(data["max_opening_delay_days"]),
            min_mean_stars=(
                Decimal(str(data["min_mean_stars"])) if "min_mean_stars" in data else None
            ),
            source=source,
            confidence=confidence,
        )
    except KeyError as missing:
        raise PolicyPackError(f"{where}.{missing.args[0]}: required") from None


def _release(data: Mapping[str, Any], where: str) -> ReleaseSchedule:
    source, confidence = _cited(data, where)
    milestones = data.get("milestones")
    if not milestones:
        raise PolicyPackError(f"{where}.milestones: at least one milestone is required")
    return ReleaseSchedule(
        milestones=tuple(
            Milestone(
                code=m["code"],
                name_zh=m["name_zh"],
                name_en=m["name_en"],
                cumulative_share=Decimal(m["cumulative_share"]),
            )
            for m in milestones
        ),
        source=source,
        confidence=confidence,
    )


def _review(data: Mapping[str, Any], where: str) -> ReviewSettings:
    source, confidence = _cited(data, where)
    deviation = data.get("approved_investment_deviation_max")
    return ReviewSettings(
        exception_reason_min_chars=data.get("exception_reason_min_chars"),
        approved_investment_deviation_max=None if deviation is None else Decimal(deviation),
        source=source,
        confidence=confidence,
    )


def _channel(code: str, data: Mapping[str, Any], where: str) -> FundingChannel:
    source, confidence = _cited(data, where)
    return FundingChannel(
        code=code,
        name_zh=_text(data, "name_zh", where),
        name_en=_text(data, "name_en", where),
        source=source,
        confidence=confidence,
    )


def _funding_step(data: Mapping[str, Any], where: str) -> FundingStep:
    return FundingStep(
        code=_text(data, "code", where),
        name_zh=_text(data, "name_zh", where),
        name_en=_text(data, "name_en", where),
        source=_text(data, "source", where),
    )


def _rule(rule_id: str, data: Mapping[str, Any], pack: PolicyPack, where: str) -> Rule:
    params = dict(data.get("params", {}))
    check = _choice(data.get("check"), CHECKS, f"{where}.check")
    missing = [name for name in CHECKS[check].params if name not in params]
    if missing:
        raise PolicyPackError(f"{where}.params: check {check!r} needs {', '.join(missing)}")
    # A rule on a standard cites the standard, unless it states the clause that binds it.
    standard = None if "source" in data else _rule_standard(params, pack, where)
    _rule_standard(params, pack, where)
    rule = Rule(
        id=rule_id,
        check=check,
        severity=_choice(data.get("severity"), SEVERITIES, f"{where}.severity"),
        title_zh=_text(data, "title_zh", where),
        title_en=_text(data, "title_en", where),
        source=standard.source if standard else _text(data, "source", where),
        confidence=standard.confidence
        if standard
        else _choice(data.get("confidence"), CONFIDENCES, f"{where}.confidence"),
        quote=data.get("quote"),
        params=_frozen(params),
        kinds=_choices(data.get("kinds", list(KINDS)), KINDS, f"{where}.kinds"),
        constructions=_choices(
            data.get("constructions", list(CONSTRUCTIONS)), CONSTRUCTIONS, f"{where}.constructions"
        ),
    )
    if rule.confidence == "RECALLED" and rule.severity == "error":
        raise PolicyPackError(f"{where}: a RECALLED number must not have severity error")
    try:
        rule_titles(rule, pack)
    except (KeyError, IndexError, ValueError) as error:
        raise PolicyPackError(f"{where}: title cannot be filled: {error!r}") from error
    return rule


def _rule_standard(params: Mapping[str, Any], pack: PolicyPack, where: str) -> Standard | None:
    if "standard" not in params:
        return None
    try:
        return pack.standard(params["standard"])
    except KeyError:
        raise PolicyPackError(
            f"{where}.params.standard: no standard {params['standard']!r}"
        ) from None


def rule_titles(rule: Rule, pack: PolicyPack) -> tuple[str, str]:
    """A rule's Chinese and English titles filled in from its params, and ``{threshold}``
    from the standard it names."""
    context = dict(rule.params)
    if "standard" in rule.params:
        context["threshold"] = pack.standard(rule.params["standard"]).value
    return rule.title_zh.format(**context), rule.title_en.format(**context)
