"""``registry_import``: validate a whole file, then apply all of it in one transaction or nothing.

Rows are upserted by natural key (community/compound code, operator USCC, facility code, site
code). Columns absent from the file leave stored values as they are; a blank cell means the
column's default. Writes are bulk (3 000 rows in seconds) with the guarantees of the single-object
services: model permission, every row inside the actor's scope, one audit record per created or
changed object, one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import models, transaction
from django.utils import translation

from linli.audit.models import AuditAction, AuditRecord
from linli.audit.services import snapshot
from linli.core import context
from linli.core.permissions import require_model_permission, restrict
from linli.geo.offsets import SOURCES
from linli.registry.columns import SPECS, Spec
from linli.registry.imports.parse import Record, parse_table, required_problems
from linli.registry.imports.readers import read_table
from linli.registry.imports.report import ImportReport, Problems
from linli.registry.locations import LOCATED, city_extent, distance_outside_m, refusal, warning
from linli.registry.models import FacilityFunction, Jurisdiction, Level, Operator
from linli.registry.pilots import may_designate_pilots
from linli.registry.services import audit_snapshot


@dataclass
class Item:
    """One object of the file (a facility spans several rows) and what importing it means."""

    row: int
    key: str
    values: dict[str, Any]
    headers: dict[str, str]
    functions: list[dict[str, Any]] | None = None  # facility: None when the file has none
    existing: models.Model | None = None
    before: dict[str, Any] | None = None  # stored values, shaped as columns
    after: dict[str, Any] = field(default_factory=dict)
    refs: dict[str, Any] = field(default_factory=dict)  # foreign keys: jurisdiction, operator
    node: Jurisdiction | None = None  # community/compound: its node, if in the tree
    parent: Jurisdiction | None = None  # community/compound: the parent node named
    invalid: bool = False  # some cell could not be read

    @property
    def changed(self) -> bool:
        return self.after != self.before

    @property
    def label(self) -> str:
        return f"{self.key} {self.after.get('name', '')}".strip()


def registry_import(
    *,
    actor,
    kind: str,
    path: str | Path,
    source: str = "wgs84",
    dry_run: bool = False,
    filename: str | None = None,
) -> ImportReport:
    """Import a file of ``kind`` (see :data:`linli.registry.columns.SPECS`).

    Every problem is reported at once; when there is any, or when ``dry_run``, nothing is
    written. ``filename`` is the name problems cite (the user's, not the stored upload's).
    """
    if kind not in SPECS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(SPECS)}")
    if source not in SOURCES:
        raise ValueError(f"unknown coordinate source {source!r}; expected one of {SOURCES}")
    spec = SPECS[kind]
    for action in ("add", "change"):
        require_model_permission(actor, action, spec.model)
    path = Path(path)
    report = ImportReport(kind=kind, file=filename or path.name, dry_run=dry_run)
    problems = Problems(report.file)
    table = read_table(path, spec, source, problems)
    records = parse_table(table, spec, source, problems) if table else []
    report.rows = len(records)
    importer = IMPORTERS[kind](actor, spec, problems)
    with transaction.atomic():
        items = importer.plan(records)
        report.problems = sorted(problems.items, key=lambda problem: problem.row or 0)
        report.warnings = importer.warnings.items
        report.create = [item.label for item in items if item.existing is None]
        report.update = [item.label for item in items if item.existing and item.changed]
        report.unchanged = sum(1 for item in items if item.existing and not item.changed)
        if report.applied:
            importer.apply(items)
    return report


def _in_both(message, *args) -> tuple[str, str]:
    """``message(*args)`` in Chinese and in English, as import problems carry both."""
    with translation.override("zh-hans"):
        zh = message(*args)
    with translation.override("en"):
        en = message(*args)
    return zh, en


class Importer:
    """Plans and applies one kind; subclasses say how references and natural keys resolve."""

    parent_field: str | None = "community_code"  # the column naming the jurisdiction node
    parent_level: str = Level.COMMUNITY

    def __init__(self, actor, spec: Spec, problems: Problems) -> None:
        self.actor, self.spec, self.problems = actor, spec, problems
        self.warnings = Problems(problems.file)  # reported, but they do not stop the import
        self.model = spec.model
        names = {f.name for f in self.model._meta.concrete_fields}
        self.fields = [c.field for c in spec.columns if c.field in names and not c.function]
        self.defaults = {c.field: c.default for c in spec.columns if not c.function}

    # --- planning ---------------------------------------------------------------------

    def plan(self, records: list[Record]) -> list[Item]:
        items = self.items(records)
        nodes = self.resolve_nodes(items)
        existing = self.existing([item.key for item in items])
        before = self.stored(list(existing.values()))
        pks = [obj.pk for obj in existing.values()]
        self.changeable = set(
            restrict(self.model.objects.filter(pk__in=pks), self.actor, "change").values_list(
                "pk", flat=True
            )
        )
        for item in items:
            item.existing = existing.get(item.key)
            item.before = before.get(item.key)
            self.resolve(item, nodes)
            item.after = self.merge(item)
            for field_name, zh, en in [] if item.invalid else self.check(item.after):
                self.problem(item, field_name, zh, en)
            if not item.invalid:
                self.locate(item)
        return items

    def locate(self, item: Item) -> None:
        """A location implausibly far from the city is a problem; a doubtful one, a warning."""
        fields = LOCATED.get(self.model._meta.model_name)
        if fields is None or any(item.after.get(name) is None for name in fields):
            return
        if not hasattr(self, "extent"):
            self.extent = city_extent()  # once per file
        distance = distance_outside_m(*(item.after[name] for name in fields), self.extent)
        for judge, found in ((refusal, self.problems), (warning, self.warnings)):
            if judge(distance):
                header = item.headers.get(fields[0]) or self.spec.column(fields[0]).zh
                found.add(item.row, header, *_in_both(judge, distance))
                return

    def problem(self, item: Item, field_name: str, zh: str, en: str) -> None:
        header = item.headers.get(field_name) or self.spec.column(field_name).zh
        self.problems.add(item.row, header, zh, en)

    def items(self, records: list[Record]) -> list[Item]:
        """One item per row; a key seen twice is a problem."""
        items, seen = [], {}
        for record in records:
            required_problems(record, list(self.spec.columns), self.problems)
            key = record.values.get(self.spec.key)
            if not key:
                continue
            if key in seen:
                self._duplicate(record, self.spec.key, key, seen[key])
                continue
            seen[key] = record.row
            items.append(
                Item(record.row, key, record.values, record.headers, invalid=record.invalid)
            )
        return items

    def _duplicate(self, record: Record, field_name: str, key: str, first_row: int) -> None:
        self.problems.add(
            record.row,
            record.headers.get(field_name, field_name),
            f"“{key}”重复（第 {first_row} 行已有）",
            f"{key!r} repeats row {first_row}",
        )

    def resolve_nodes(self, items: list[Item]) -> dict[str, Jurisdiction]:
        """The referenced jurisdiction nodes the actor may see, by code (one query)."""
        if not self.parent_field:
            return {}
        codes = {item.values.get(self.parent_field) for item in items} - {None, ""}
        visible = restrict(Jurisdiction.objects.filter(code__in=codes), self.actor)
        return {node.code: node for node in visible}

    def resolve(self, item: Item, nodes: dict[str, Jurisdiction]) -> None:
        if item.existing is not None and item.existing.pk not in self.changeable:
            self.problem(
                item,
                self.spec.key,
                f"“{item.key}”已被您辖区以外的对象使用",
                f"{item.key!r} is already used by an object outside your jurisdiction",
            )
        if self.parent_field and self.parent_field in item.values:
            item.refs["jurisdiction"] = self.parent(item, nodes)

    def parent(self, item: Item, nodes: dict[str, Jurisdiction]) -> Jurisdiction | None:
        code = item.values[self.parent_field]
        node = nodes.get(code)
        if node is None:
            self.problem(
                item,
                self.parent_field,
                f"代码“{code}”不存在或不在您的辖区内",
                f"code {code!r} is not in the jurisdiction tree within your scope",
            )
        elif node.level != self.parent_level:
            self.problem(
                item,
                self.parent_field,
                f"“{code}”是{node.get_level_display()}，应为{Level(self.parent_level).label}",
                f"{code!r} is a {node.level} node, not a {self.parent_level}",
            )
            return None
        return node

    def existing(self, keys: list[str]) -> dict[str, models.Model]:
        lookup = {f"{self.spec.key}__in": keys}
        return {getattr(obj, self.spec.key): obj for obj in self.model.objects.filter(**lookup)}

    def stored(self, objects: list[models.Model]) -> dict[str, dict[str, Any]]:
        queryset = self.model.objects.filter(pk__in=[obj.pk for obj in objects])
        return {row[self.spec.key]: row for row in self.spec.rows(queryset)}

    def merge(self, item: Item) -> dict[str, Any]:
        """Stored values (or defaults) overlaid with what the file says."""
        return {**(item.before or self.defaults), **item.values}

    def check(self, after: dict[str, Any]) -> list[tuple[str, str, str]]:
        """Rules across columns, as (field, zh, en)."""
        return []

    # --- applying ---------------------------------------------------------------------

    def apply(self, items: list[Item]) -> None:
        self.request = context.current()
        self.audit: list[AuditRecord] = []
        self.prepare(items)
        updated = [item for item in items if item.existing and self.record_changed(item)]
        created = [self.build(item) for item in items if item.existing is None]
        self.model.objects.bulk_create(created)
        befores = [audit_snapshot(item.existing) for item in updated]
        for item in updated:
            for name, value in self.model_values(item).items():
                setattr(item.existing, name, value)
        if updated:
            self.model.objects.bulk_update(
                [item.existing for item in updated], self.fields + list(updated[0].refs)
            )
        self.finish(items)
        for obj in created:
            self.record(AuditAction.CREATE, obj, None, audit_snapshot(obj))
        for item, before in zip(updated, befores, strict=True):
            self.record(AuditAction.UPDATE, item.existing, before, audit_snapshot(item.existing))
        AuditRecord.objects.bulk_create(self.audit)

    def prepare(self, items: list[Item]) -> None:
        """Before the objects are written (nodes of communities and compounds)."""

    def finish(self, items: list[Item]) -> None:
        """After the objects are written (facility functions)."""

    def model_values(self, item: Item) -> dict[str, Any]:
        return {**{name: item.after[name] for name in self.fields}, **item.refs}

    def build(self, item: Item) -> models.Model:
        item.existing = self.model(**self.model_values(item))
        return item.existing

    def record_changed(self, item: Item) -> bool:
        return any(
            getattr(item.existing, name) != value for name, value in self.model_values(item).items()
        )

    def record(self, action: str, obj: models.Model, before, after) -> None:
        # The fields audit_record() fills, bulk-inserted with the rest of the import.
        self.audit.append(
            AuditRecord(
                actor=self.actor,
                actor_username=self.actor.get_username(),
                request_id=self.request.request_id,
                client_ip=self.request.client_ip,
                action=action,
                object_type=obj._meta.label_lower,
                object_id=str(obj.pk),
                object_repr=str(obj)[:200],
                before=before,
                after=after,
            )
        )


class OperatorImporter(Importer):
    parent_field = None


class SiteImporter(Importer):
    pass


class NodeImporter(Importer):
    """Communities and compounds are nodes of the tree: a new code adds the node under its
    parent, a new name renames it (both audited as jurisdiction changes)."""

    level: str

    def existing(self, keys: list[str]) -> dict[str, models.Model]:
        queryset = self.model.objects.filter(jurisdiction__code__in=keys)
        return {obj.jurisdiction.code: obj for obj in queryset.select_related("jurisdiction")}

    def plan(self, records: list[Record]) -> list[Item]:
        items = super().plan(records)
        nodes = Jurisdiction.objects.filter(code__in=[item.key for item in items])
        by_code = {node.code: node for node in nodes}
        self.visible = set(restrict(nodes, self.actor).values_list("code", flat=True))
        for item in items:
            item.node = by_code.get(item.key)
            if item.node is not None and item.existing is None:
                self._check_node(item)
        return items

    def _check_node(self, item: Item) -> None:
        """A code already in the tree must be this kind of node, under the parent named."""
        node, parent = item.node, item.parent
        if node.code not in self.visible:
            self.problem(
                item,
                "code",
                f"“{item.key}”已被您辖区以外的区划使用",
                f"{item.key!r} is already used by a jurisdiction outside your scope",
            )
        elif node.level != self.level:
            self.problem(
                item,
                "code",
                f"“{item.key}”在区划树中是{node.get_level_display()}",
                f"{item.key!r} is a {node.level} in the jurisdiction tree",
            )
        elif parent is not None and node.path[: -Jurisdiction.steplen] != parent.path:
            self.problem(
                item,
                self.parent_field,
                f"“{item.key}”在区划树中不属于“{parent.name}”",
                f"{item.key!r} does not belong to {parent.name} in the jurisdiction tree",
            )

    def resolve(self, item: Item, nodes: dict[str, Jurisdiction]) -> None:
        super().resolve(item, nodes)
        item.parent = item.refs.pop("jurisdiction", None)  # the node itself is the reference
        existing_parent = (item.before or {}).get(self.parent_field)
        if item.existing is not None and existing_parent != item.values.get(self.parent_field):
            self.problem(
                item,
                self.parent_field,
                f"“{item.key}”在区划树中属于“{existing_parent}”；导入不能移动区划",
                f"{item.key!r} belongs to {existing_parent!r}; an import cannot move it",
            )

    def prepare(self, items: list[Item]) -> None:
        for item in items:
            name = item.after["name"]
            if item.node is None:
                item.node = Jurisdiction.objects.add_child(
                    item.parent, dict(name=name, level=self.level, code=item.key)
                )
                self.record(AuditAction.CREATE, item.node, None, snapshot(item.node))
            elif item.node.name != name:
                before = snapshot(item.node)
                item.node.name = name
                item.node.save(update_fields=["name"])
                self.record(AuditAction.UPDATE, item.node, before, snapshot(item.node))
            item.refs = {"jurisdiction": item.node}


class CommunityImporter(NodeImporter):
    parent_field = "street_code"
    parent_level = Level.STREET
    level = Level.COMMUNITY

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.fields.append("boundary")
        self.defaults["boundary"] = None

    def resolve(self, item: Item, nodes: dict[str, Jurisdiction]) -> None:
        super().resolve(item, nodes)
        name = item.values.get("street_name")
        street = item.parent
        if name and street is not None and name != street.name:
            self.problem(
                item,
                "street_name",
                f"街道代码对应“{street.name}”，而非“{name}”",
                f"the street code belongs to {street.name}, not {name}",
            )

    def plan(self, records: list[Record]) -> list[Item]:
        items = super().plan(records)
        if not may_designate_pilots(self.actor):  # the city's decision (121号 一)
            for item in items:
                if bool(item.after.get("pilot")) != bool((item.before or {}).get("pilot")):
                    self.problem(
                        item,
                        "pilot",
                        "试点社区由市级确定，您不能设置或取消",
                        "pilot communities are designated by the city; you cannot change this",
                    )
        return items

    def check(self, after: dict[str, Any]) -> list[tuple[str, str, str]]:
        problems = []
        ages = ("aged_0_2", "aged_3_5", "aged_6_12", "aged_60_plus")
        if sum(after[a] or 0 for a in ages) > (after["population"] or 0):
            problems.append(
                (
                    "population",
                    "各年龄段人口之和超过常住人口",
                    "the age groups add up to more than the population",
                )
            )
        if (after["aged_80_plus"] or 0) > (after["aged_60_plus"] or 0):
            problems.append(
                (
                    "aged_80_plus",
                    "80岁及以上人口多于60岁及以上人口",
                    "more people aged 80+ than aged 60+",
                )
            )
        return problems


class CompoundImporter(NodeImporter):
    level = Level.COMPOUND


class FacilityImporter(Importer):
    """One row per function, keyed by facility code; the facility's own cells may repeat on
    each row (they must then agree) or be left blank after its first row."""

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.function_fields = [c.field for c in self.spec.columns if c.function]
        self.function_defaults = {c.field: c.default for c in self.spec.columns if c.function}

    def items(self, records: list[Record]) -> list[Item]:
        by_code: dict[str, Item] = {}
        for record in records:
            code = record.values.get("code")
            item = by_code.get(code)
            columns = [c for c in self.spec.columns if item is None or c.function]
            required_problems(record, columns, self.problems)
            if not code:
                continue
            if item is None:
                item = by_code[code] = Item(record.row, code, {}, record.headers)
                item.functions = [] if "scenario" in record.values else None
            item.invalid |= record.invalid
            self._merge_row(item, record)
        return list(by_code.values())

    def _merge_row(self, item: Item, record: Record) -> None:
        for name, value in record.values.items():
            if name in self.function_fields or name in record.blank and name in item.values:
                continue
            if name in item.values and item.values[name] != value:
                self.problems.add(
                    record.row,
                    record.headers[name],
                    f"与同一设施第 {item.row} 行不一致",
                    f"differs from row {item.row} of the same facility",
                )
            item.values.setdefault(name, value)
        function = {n: v for n, v in record.values.items() if n in self.function_fields}
        if not function.get("scenario"):
            filled = [n for n in function if n not in record.blank]
            if "scenario" in record.blank and filled:
                self.problems.add(
                    record.row,
                    record.headers["scenario"],
                    "填写了功能各列，但服务场景为空",
                    "function columns are filled but the scenario is blank",
                )
            return
        if any(f["scenario"] == function["scenario"] for f in item.functions):
            self._duplicate(record, "scenario", f"{item.key} {function['scenario']}", item.row)
            return
        function["_row"] = record.row
        item.functions.append(function)

    def resolve(self, item: Item, nodes: dict[str, Jurisdiction]) -> None:
        super().resolve(item, nodes)
        uscc = item.values.get("operator_uscc")
        if uscc is None or "operator_uscc" not in item.values:
            return
        item.refs["operator"] = None
        if uscc:
            if not hasattr(self, "_operators"):
                self._operators = {o.uscc: o for o in restrict(Operator.objects.all(), self.actor)}
            item.refs["operator"] = self._operators.get(uscc)
            if item.refs["operator"] is None:
                self.problem(
                    item,
                    "operator_uscc",
                    f"运营主体“{uscc}”未登记，请先导入运营主体",
                    f"operator {uscc} is not registered; import the operators first",
                )

    def stored(self, objects: list[models.Model]) -> dict[str, dict[str, Any]]:
        queryset = self.model.objects.filter(pk__in=[obj.pk for obj in objects])
        stored: dict[str, dict[str, Any]] = {}
        for row in self.spec.rows(queryset):
            facility = stored.setdefault(
                row["code"],
                {
                    **{k: v for k, v in row.items() if k not in self.function_fields},
                    "functions": [],
                },
            )
            if row["scenario"]:
                facility["functions"].append({k: row[k] for k in self.function_fields})
        return stored

    def merge(self, item: Item) -> dict[str, Any]:
        after = super().merge(item)
        after.setdefault("functions", [])
        if item.functions is not None:
            stored = {f["scenario"]: f for f in after["functions"]}
            after["functions"] = sorted(
                (
                    {
                        **stored.get(f["scenario"], self.function_defaults),
                        **{k: v for k, v in f.items() if k != "_row"},
                    }
                    for f in item.functions
                ),
                key=lambda f: f["scenario"],
            )
        return after

    def check(self, after: dict[str, Any]) -> list[tuple[str, str, str]]:
        problems = []
        for function in after["functions"]:
            for special in ("nursing_beds", "respite_beds"):
                if (function[special] or 0) > (function["beds"] or 0):
                    problems.append(
                        (
                            special,
                            f"{function['scenario']}：{self.spec.column(special).zh}多于床位",
                            f"{function['scenario']}: more {special.replace('_', ' ')} than beds",
                        )
                    )
            if not function.get("category"):
                problems.append(("category", "服务类别为必填", "category is required"))
        return problems

    def record_changed(self, item: Item) -> bool:
        return super().record_changed(item) or item.after["functions"] != item.before["functions"]

    def finish(self, items: list[Item]) -> None:
        rewrite = [
            item
            for item in items
            if item.before is None or item.after["functions"] != item.before["functions"]
        ]
        FacilityFunction.objects.filter(facility__in=[i.existing for i in rewrite]).delete()
        FacilityFunction.objects.bulk_create(
            FacilityFunction(facility=item.existing, **function)
            for item in rewrite
            for function in item.after["functions"]
        )


IMPORTERS: dict[str, type[Importer]] = {
    "community": CommunityImporter,
    "compound": CompoundImporter,
    "operator": OperatorImporter,
    "facility": FacilityImporter,
    "candidate_site": SiteImporter,
}
