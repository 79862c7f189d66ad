"""The one column specification per importable kind, shared by import, template and export.

A column names the value (``field``), its Chinese header (what templates and exports write) and
English header (accepted on import too), how a cell is read and written, and whether it is
required. ``Spec.rows(queryset)`` gives the stored values of objects in the same shape that
import produces, so an export re-imports to the same data and an unchanged row is detected by
plain comparison.

Facilities are written one row per function (scenario): the facility's own columns repeat on
each of its rows, keyed by the facility code. That flat table is what Excel users filter and
pivot; a facility without functions is one row with the function columns left blank.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, ClassVar

from django.db import models
from django.utils import translation

from linli.core.exports import unquote_csv_text
from linli.policy import vocabulary
from linli.registry.choices import FacilityStatus, OperatorType, SiteStatus
from linli.registry.models import (
    CandidateSite,
    Community,
    Compound,
    Facility,
    FacilityFunction,
    Jurisdiction,
    Operator,
)
from linli.validators import is_valid_uscc


class CellError(ValueError):
    """A cell that cannot be read; the messages say why, in Chinese and English."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en


def is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _text_of(raw: Any) -> str:
    """A cell as text; Excel turns typed codes into numbers, so integral floats lose '.0'.
    The apostrophe our CSV export puts before formula-like text comes off again."""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return unquote_csv_text(str(raw).strip()).strip()


def _number(raw: Any) -> Decimal:
    if isinstance(raw, bool):
        raise CellError("应为数字", "expected a number")
    text = _text_of(raw).replace(",", "").replace("，", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise CellError(f"“{text}”不是数字", f"{text!r} is not a number") from None
    if not value.is_finite():
        raise CellError(f"“{text}”不是数字", f"{text!r} is not a number")
    return value


# --- Cell types: read a non-blank cell; write a value to xlsx, CSV and GeoJSON ------------


@dataclass(frozen=True)
class CellType:
    zh: str = "文本"
    en: str = "text"
    number: ClassVar[bool] = False  # written as a number: never formula-like

    def parse(self, raw: Any) -> Any:
        return _text_of(raw)

    def cell(self, value: Any) -> Any:
        """The xlsx cell value (numbers and dates stay typed)."""
        return value

    def text(self, value: Any) -> str:
        """The CSV text."""
        return "" if value is None else str(value)

    def json(self, value: Any) -> Any:
        return value

    def options(self) -> list[str]:
        """Values for an xlsx dropdown; empty when the column is free."""
        return []


@dataclass(frozen=True)
class Text(CellType):
    max_length: int = 200

    def parse(self, raw: Any) -> str:
        text = _text_of(raw)
        if len(text) > self.max_length:
            raise CellError(
                f"超过 {self.max_length} 个字符", f"longer than {self.max_length} characters"
            )
        return text


@dataclass(frozen=True)
class Uscc(CellType):
    zh: str = "18 位统一社会信用代码"
    en: str = "18-character unified social credit code"

    def parse(self, raw: Any) -> str:
        code = _text_of(raw).upper()
        if not is_valid_uscc(code):
            raise CellError(
                f"“{code}”不是有效的统一社会信用代码（GB 32100-2015 校验位不符）",
                f"{code!r} is not a valid unified social credit code (GB 32100-2015)",
            )
        return code


@dataclass(frozen=True)
class Integer(CellType):
    zh: str = "非负整数"
    en: str = "whole number ≥ 0"
    number: ClassVar[bool] = True
    minimum: int = 0
    maximum: int = 2_147_483_647

    def parse(self, raw: Any) -> int:
        value = _number(raw)
        if value != value.to_integral_value():
            raise CellError(f"{value} 不是整数", f"{value} is not a whole number")
        if not self.minimum <= value <= self.maximum:
            raise CellError(
                f"{value} 超出范围 {self.minimum}–{self.maximum}",
                f"{value} is outside {self.minimum}–{self.maximum}",
            )
        return int(value)


@dataclass(frozen=True)
class Number(CellType):
    """A Decimal ≥ 0 rounded half-up to the field's places (Excel floats carry noise)."""

    zh: str = "非负数"
    en: str = "number ≥ 0"
    number: ClassVar[bool] = True
    max_digits: int = 10
    places: int = 2

    def parse(self, raw: Any) -> Decimal:
        value = _number(raw)
        if value < 0:
            raise CellError(f"{value} 为负数", f"{value} is negative")
        # Before rounding: quantize cannot hold more than 28 digits (1e26 at 2 places).
        if value >= Decimal(10) ** (self.max_digits - self.places):
            raise CellError(f"{value} 过大", f"{value} is too large")
        value = value.quantize(Decimal(1).scaleb(-self.places), rounding=ROUND_HALF_UP)
        if value >= Decimal(10) ** (self.max_digits - self.places):  # 99999999.995 rounds up
            raise CellError(f"{value} 过大", f"{value} is too large")
        return value

    def json(self, value: Any) -> Any:
        return None if value is None else str(value)


@dataclass(frozen=True)
class Coordinate(CellType):
    number: ClassVar[bool] = True
    limit: float = 180.0

    def parse(self, raw: Any) -> float:
        value = float(_number(raw))
        if not -self.limit <= value <= self.limit:
            raise CellError(
                f"{value} 超出{self.zh}范围 ±{self.limit:g}",
                f"{value} is outside the {self.en} range ±{self.limit:g}",
            )
        return value

    def text(self, value: Any) -> str:
        return "" if value is None else repr(float(value))


@dataclass(frozen=True)
class Boolean(CellType):
    zh: str = "是/否"
    en: str = "是/否 (yes/no)"
    _TRUE = frozenset({"是", "y", "yes", "true", "1", "t", "√"})
    _FALSE = frozenset({"否", "n", "no", "false", "0", "f", "×"})

    def parse(self, raw: Any) -> bool:
        if isinstance(raw, bool):
            return raw
        text = _text_of(raw).lower()
        if text in self._TRUE:
            return True
        if text in self._FALSE:
            return False
        raise CellError(f"“{text}”应为 是 或 否", f"{text!r} should be 是 (yes) or 否 (no)")

    def cell(self, value: Any) -> str:
        return "是" if value else "否"

    def text(self, value: Any) -> str:
        return self.cell(value)

    def options(self) -> list[str]:
        return ["是", "否"]


_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


@dataclass(frozen=True)
class Date(CellType):
    zh: str = "日期（如 2024-05-01）"
    en: str = "date (e.g. 2024-05-01)"

    def parse(self, raw: Any) -> dt.date:
        if isinstance(raw, dt.datetime):
            return raw.date()
        if isinstance(raw, dt.date):
            return raw
        text = _text_of(raw)
        match = _DATE.match(text) or re.match(r"^(\d{4})(\d{2})(\d{2})$", text)
        try:
            return dt.date(*(int(part) for part in match.groups()))  # type: ignore[union-attr]
        except (AttributeError, ValueError):
            raise CellError(f"“{text}”不是日期", f"{text!r} is not a date") from None

    def text(self, value: Any) -> str:
        return "" if value is None else value.isoformat()

    def json(self, value: Any) -> Any:
        return self.text(value) or None


@dataclass(frozen=True)
class Choice(CellType):
    """A code from a fixed list; a cell may hold the code or its Chinese or English label."""

    labels: Callable[[], dict[str, tuple[str, str]]] = dict

    def parse(self, raw: Any) -> str:
        text = _text_of(raw)
        folded = text.casefold()
        for code, (zh, en) in self.labels().items():
            if folded in (code.casefold(), zh.casefold(), en.casefold()):
                return code
        raise CellError(
            f"“{text}”不是允许的值（{'、'.join(self.options())}）",
            f"{text!r} is not one of the allowed values ({', '.join(self.labels())})",
        )

    def cell(self, value: Any) -> str:
        return self.labels().get(value, (value, value))[0] if value else ""

    def text(self, value: Any) -> str:
        return self.cell(value)

    def options(self) -> list[str]:
        return [zh for zh, _en in self.labels().values()]


def _vocabulary(labels: vocabulary.Labels) -> Callable[[], dict[str, tuple[str, str]]]:
    return lambda: dict(labels)


def _text_choices(choices: type[models.TextChoices]) -> Callable[[], dict[str, tuple[str, str]]]:
    """Registry-only choices: their Chinese labels live in the translation catalogue."""

    def labels() -> dict[str, tuple[str, str]]:
        result = {}
        for code, label in choices.choices:
            with translation.override("zh-hans"):
                zh = str(label)
            with translation.override("en"):
                result[code] = (zh, str(label))
        return result

    return labels


# --- Columns and specs --------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    field: str
    zh: str
    en: str
    type: CellType = CellType()
    required: bool = False
    default: Any = None  # what a blank cell means
    function: bool = False  # facility only: a column of the function, not the facility

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.zh, self.en, self.field)


def header_key(text: Any) -> str:
    """Headers match ignoring width, case, spaces and a required-marker asterisk."""
    return re.sub(r"[\s*＊]", "", unicodedata.normalize("NFKC", str(text or ""))).casefold()


@dataclass(frozen=True)
class Spec:
    kind: str
    model: type[models.Model]
    sheet: str  # the data sheet's name in templates and exports
    key: str  # the natural key's field: upsert matches on it
    columns: tuple[Column, ...]
    rows: Callable[[models.QuerySet], Iterator[dict[str, Any]]]
    coordinates: tuple[str, str] | None = None  # the (lon, lat) fields

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.field == name)

    def by_header(self) -> dict[str, Column]:
        return {header_key(h): c for c in self.columns for h in c.headers}


def _max_length(model: type[models.Model], name: str) -> int:
    return model._meta.get_field(name).max_length


def _text(model: type[models.Model], name: str) -> Text:
    return Text(max_length=_max_length(model, name))


def _decimal(model: type[models.Model], name: str, zh: str = "非负数", en: str = "number ≥ 0"):
    f = model._meta.get_field(name)
    return Number(zh=zh, en=en, max_digits=f.max_digits, places=f.decimal_places)


_CODE = Text(zh="代码（文本）", en="code (text)", max_length=_max_length(Jurisdiction, "code"))
_NAME = Text(max_length=_max_length(Jurisdiction, "name"))
_COUNT = Integer()
_SMALL = Integer(maximum=32767)
_LON = Coordinate(zh="经度", en="longitude", limit=180.0)
_LAT = Coordinate(zh="纬度", en="latitude", limit=90.0)
_AREA_ZH, _AREA_EN = "平方米，≥ 0，两位小数", "m², ≥ 0, 2 decimals"


def _count(name: str, zh: str, en: str, **kwargs) -> Column:
    return Column(name, zh, en, _COUNT, default=0, **kwargs)


# --- Stored values of existing objects, in the shape import produces ----------------------


def _values(obj: models.Model, spec_columns: tuple[Column, ...], **extra) -> dict[str, Any]:
    fields = {f.name for f in obj._meta.concrete_fields}
    row = {c.field: getattr(obj, c.field) for c in spec_columns if c.field in fields}
    row.update(extra)
    return row


def _parents(nodes: list[Jurisdiction]) -> dict[str, Jurisdiction]:
    """Parent node by child path, in one query (a parent's path is the child's minus a step)."""
    step = Jurisdiction.steplen
    paths = {node.path[:-step] for node in nodes}
    by_path = {p.path: p for p in Jurisdiction.objects.filter(path__in=paths)}
    return {node.path: by_path[node.path[:-step]] for node in nodes}


def _node_rows(queryset, columns, parent_code: str, parent_name: str = "", extra=None):
    """Communities and compounds: the object's node gives code and name, its parent the rest."""
    objects = list(queryset.select_related("jurisdiction"))
    parents = _parents([obj.jurisdiction for obj in objects])
    for obj in objects:
        node, parent = obj.jurisdiction, parents[obj.jurisdiction.path]
        row = _values(obj, columns, code=node.code, name=node.name, **{parent_code: parent.code})
        if parent_name:
            row[parent_name] = parent.name
        yield {**row, **(extra(obj) if extra else {})}


def _community_rows(queryset):
    # The boundary is no column (tables cannot hold it), but GeoJSON carries and compares it.
    return _node_rows(
        queryset,
        COMMUNITY_COLUMNS,
        "street_code",
        "street_name",
        extra=lambda community: {"boundary": community.boundary},
    )


def _compound_rows(queryset):
    return _node_rows(queryset, COMPOUND_COLUMNS, "community_code")


def _facility_rows(queryset):
    for facility in queryset.select_related("jurisdiction", "operator").prefetch_related(
        "functions"
    ):
        base = _values(
            facility,
            FACILITY_COLUMNS,
            community_code=facility.jurisdiction.code,
            operator_uscc=facility.operator.uscc if facility.operator else "",
        )
        functions = sorted(facility.functions.all(), key=lambda f: f.scenario)
        for function in functions or [None]:
            function_values = {c.field: None for c in FACILITY_COLUMNS if c.function}
            if function is not None:
                function_values = _values(function, FACILITY_COLUMNS)
            yield {**base, **function_values}


def _site_rows(queryset):
    for site in queryset.select_related("jurisdiction"):
        yield _values(site, SITE_COLUMNS, community_code=site.jurisdiction.code)


def _operator_rows(queryset):
    for operator in queryset:
        yield _values(operator, OPERATOR_COLUMNS)


# --- The specifications ---------------------------------------------------------------------

COMMUNITY_COLUMNS = (
    Column("street_code", "街道代码", "street code", _CODE, required=True),
    Column("street_name", "街道名称", "street name", _NAME),
    Column("code", "社区代码", "community code", _CODE, required=True),
    Column("name", "社区名称", "community name", _NAME, required=True),
    _count("households", "户数", "households"),
    _count("population", "常住人口", "population"),
    _count("aged_0_2", "0-2岁人口", "aged 0-2"),
    _count("aged_3_5", "3-5岁人口", "aged 3-5"),
    _count("aged_6_12", "6-12岁人口", "aged 6-12"),
    _count("aged_60_plus", "60岁及以上人口", "aged 60+"),
    _count("aged_80_plus", "80岁及以上人口", "aged 80+"),
    Column(
        "service_area_m2",
        "社区综合服务设施面积(m²)",
        "service area (m²)",
        _decimal(Community, "service_area_m2", _AREA_ZH, _AREA_EN),
        default=Decimal("0.00"),
    ),
    Column("centroid_lon", "中心点经度", "centroid longitude", _LON),
    Column("centroid_lat", "中心点纬度", "centroid latitude", _LAT),
    Column("pilot", "试点社区", "pilot", Boolean(), default=False),
)

COMPOUND_COLUMNS = (
    Column("community_code", "社区代码", "community code", _CODE, required=True),
    Column("code", "小区代码", "compound code", _CODE, required=True),
    Column("name", "小区名称", "compound name", _NAME, required=True),
    _count("households", "户数", "households"),
    Column("centroid_lon", "中心点经度", "centroid longitude", _LON),
    Column("centroid_lat", "中心点纬度", "centroid latitude", _LAT),
    Column(
        "year_built",
        "建成年份",
        "year built",
        Integer(zh="年份", en="year", minimum=1800, maximum=2100),
    ),
    Column("new_estate", "新建住宅小区(四同步)", "new estate", Boolean(), default=False),
)

OPERATOR_COLUMNS = (
    Column("uscc", "统一社会信用代码", "USCC", Uscc(), required=True),
    Column("name", "名称", "name", _text(Operator, "name"), required=True),
    Column(
        "operator_type",
        "类型",
        "type",
        Choice(labels=_text_choices(OperatorType)),
        required=True,
    ),
    Column("contact_name", "联系人", "contact person", _text(Operator, "contact_name"), default=""),
    Column(
        "contact_phone", "联系电话", "contact phone", _text(Operator, "contact_phone"), default=""
    ),
)

_CHOICE_SCENARIO = Choice(labels=_vocabulary(vocabulary.SCENARIOS))

FACILITY_COLUMNS = (
    Column("code", "设施编码", "facility code", _text(Facility, "code"), required=True),
    Column("name", "设施名称", "name", _text(Facility, "name"), required=True),
    Column("community_code", "社区代码", "community code", _CODE, required=True),
    Column("kind", "设施类型", "kind", Choice(labels=_vocabulary(vocabulary.KINDS)), required=True),
    Column(
        "status",
        "状态",
        "status",
        Choice(labels=_text_choices(FacilityStatus)),
        default=FacilityStatus.OPERATING.value,
    ),
    Column("lon", "经度", "longitude", _LON, required=True),
    Column("lat", "纬度", "latitude", _LAT, required=True),
    Column("address", "地址", "address", _text(Facility, "address"), default=""),
    Column(
        "gross_floor_area_m2",
        "建筑面积(m²)",
        "gross floor area (m²)",
        _decimal(Facility, "gross_floor_area_m2", _AREA_ZH, _AREA_EN),
        required=True,
    ),
    Column(
        "resident_activity_area_m2",
        "居民活动面积(m²)",
        "resident activity area (m²)",
        _decimal(Facility, "resident_activity_area_m2", _AREA_ZH, _AREA_EN),
    ),
    Column("floors_used", "使用层数", "floors used", _SMALL, default=1),
    Column("basement", "使用地下室", "uses a basement", Boolean(), default=False),
    Column("operator_uscc", "运营主体统一社会信用代码", "operator USCC", Uscc(), default=""),
    Column(
        "operating_model",
        "运营模式",
        "operating model",
        Choice(labels=_vocabulary(vocabulary.OPERATING_MODELS)),
        default="",
    ),
    Column("opening_date", "开业日期", "opening date", Date()),
    Column("land_use_grace_expiry", "土地用途过渡期截止", "land-use grace expiry", Date()),
    Column("scenario", "服务场景", "scenario", _CHOICE_SCENARIO, function=True),
    Column(
        "category",
        "服务类别",
        "category",
        Choice(labels=_vocabulary(vocabulary.CATEGORIES)),
        function=True,
    ),
    Column(
        "floor_area_m2",
        "功能面积(m²)",
        "function floor area (m²)",
        _decimal(FacilityFunction, "floor_area_m2", _AREA_ZH, _AREA_EN),
        function=True,
    ),
    _count("beds", "床位", "beds", function=True),
    _count("nursing_beds", "护理床位", "nursing beds", function=True),
    _count("respite_beds", "喘息床位", "respite beds", function=True),
    _count("infant_slots", "托位", "infant slots", function=True),
    _count("afterschool_places", "托管学位", "after-school places", function=True),
    _count("canteen_seats", "助餐座位", "canteen seats", function=True),
    Column(
        "opening_hours",
        "开放时间",
        "opening hours",
        Text(max_length=100),
        default="",
        function=True,
    ),
)

SITE_COLUMNS = (
    Column("code", "点位编码", "site code", _text(CandidateSite, "code"), required=True),
    Column("name", "名称", "name", _text(CandidateSite, "name"), required=True),
    Column("community_code", "社区代码", "community code", _CODE, required=True),
    Column("lon", "经度", "longitude", _LON, required=True),
    Column("lat", "纬度", "latitude", _LAT, required=True),
    Column("address", "地址", "address", _text(CandidateSite, "address"), default=""),
    Column(
        "building_type",
        "建筑类型",
        "building type",
        Choice(labels=_vocabulary(vocabulary.BUILDING_TYPES)),
        required=True,
    ),
    Column(
        "floor_area_m2",
        "建筑面积(m²)",
        "floor area (m²)",
        _decimal(CandidateSite, "floor_area_m2", _AREA_ZH, _AREA_EN),
        required=True,
    ),
    Column("floors", "层数", "floors", _SMALL, default=1),
    Column("ownership", "产权", "ownership", _text(CandidateSite, "ownership"), default=""),
    Column(
        "space_source",
        "空间来源",
        "space source",
        Choice(labels=_vocabulary(vocabulary.SPACE_SOURCES)),
        required=True,
    ),
    Column(
        "renovation_cost_cny",
        "预计改造费用(元)",
        "estimated renovation cost (CNY)",
        _decimal(CandidateSite, "renovation_cost_cny", "元，≥ 0，两位小数", "CNY, ≥ 0, 2 decimals"),
    ),
    Column(
        "status",
        "状态",
        "status",
        Choice(labels=_text_choices(SiteStatus)),
        default=SiteStatus.AVAILABLE.value,
    ),
    Column("notes", "备注", "notes", Text(max_length=2000), default=""),
)

SPECS: dict[str, Spec] = {
    spec.kind: spec
    for spec in (
        Spec(
            "community",
            Community,
            "社区",
            "code",
            COMMUNITY_COLUMNS,
            _community_rows,
            ("centroid_lon", "centroid_lat"),
        ),
        Spec(
            "compound",
            Compound,
            "小区",
            "code",
            COMPOUND_COLUMNS,
            _compound_rows,
            ("centroid_lon", "centroid_lat"),
        ),
        Spec("operator", Operator, "运营主体", "uscc", OPERATOR_COLUMNS, _operator_rows),
        Spec(
            "facility", Facility, "设施", "code", FACILITY_COLUMNS, _facility_rows, ("lon", "lat")
        ),
        Spec(
            "candidate_site",
            CandidateSite,
            "候选点位",
            "code",
            SITE_COLUMNS,
            _site_rows,
            ("lon", "lat"),
        ),
    )
}
KINDS = tuple(SPECS)


def spec_for_model(model: type[models.Model]) -> Spec:
    for spec in SPECS.values():
        if spec.model is model:
            return spec
    raise KeyError(f"{model._meta.label} has no import/export columns")
