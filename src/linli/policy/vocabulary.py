"""The programme's fixed code names (DESIGN.md §5) with their Chinese and English labels.

Packs, applications and the Django apps all use these codes; labels live only here. An
application may name a scenario, category, facility kind or construction type by its code or by
its label (the texts' own Chinese name, e.g. 养老服务, 基本公共服务类): :func:`resolve` reads
either, after Unicode normalisation.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from types import MappingProxyType

Labels = Mapping[str, tuple[str, str]]

SCENARIOS: Labels = MappingProxyType(
    {
        "elderly_care": ("养老服务", "elderly care"),
        "infant_care": ("婴幼儿托育", "infant care"),
        "child_afterschool": ("儿童托管", "after-school childcare"),
        "community_meals": ("社区助餐", "community meals"),
        "home_services": ("家政便民", "home and convenience services"),
        "health": ("健康服务", "health services"),
        "fitness": ("体育健身", "sports and fitness"),
        "culture_leisure": ("文化休闲", "culture and leisure"),
        "child_play": ("儿童游憩", "children's play"),
    }
)

CATEGORIES: Labels = MappingProxyType(
    {
        "basic_public": ("基本公共服务类", "basic public service"),
        "inclusive": ("普惠非基本公共服务类", "inclusive non-basic public service"),
        "commercial": ("便民商业类", "convenience commercial"),
    }
)

KINDS: Labels = MappingProxyType(
    {
        "complex": ("综合体", "complex"),
        "scattered": ("插花式", "scattered facility"),
    }
)

CONSTRUCTIONS: Labels = MappingProxyType(
    {
        "new": ("新建", "new build"),
        "expansion": ("改扩建", "expansion"),
        "stock_conversion": ("存量设施改造", "conversion of existing stock"),
    }
)

# 121号 二(三): 补改一批、转型一批、划转一批、配建一批
SPACE_SOURCES: Labels = MappingProxyType(
    {
        "renovate": ("补改", "renovate or rebuild existing space"),
        "convert": ("转型", "convert an existing building"),
        "transfer": ("划转", "transfer state-owned property"),
        "co_build": ("配建", "co-build with new housing"),
    }
)

# 121号 二(五): 闲置厂房、仓库、集体房屋、商业设施…; 二(三): 社区用房, 国有房产
BUILDING_TYPES: Labels = MappingProxyType(
    {
        "idle_factory": ("闲置厂房", "idle factory"),
        "warehouse": ("仓库", "warehouse"),
        "collective_building": ("集体房屋", "collective building"),
        "commercial": ("商业设施", "commercial premises"),
        "community_room": ("社区用房", "community room"),
        "state_owned_property": ("国有房产", "state-owned property"),
        "other": ("其他", "other"),
    }
)

OPERATING_MODELS: Labels = MappingProxyType(
    {
        "public_built_private_run": ("公建民营", "publicly built, privately run"),
        "private_run_public_aid": ("民办公助", "privately run, publicly aided"),
        "government_purchase": ("政府购买服务", "government-purchased service"),
        "self_run": ("自营", "self-run"),
    }
)

ALLOCATIONS: Labels = MappingProxyType(
    {
        "itemised": ("按功能分项投资", "itemised per function"),
        "pro_rata_floor_area": ("按功能面积分摊", "shared pro rata by floor area"),
    }
)

SEVERITIES: Labels = MappingProxyType(
    {
        "error": ("必须", "mandatory"),
        "override": ("原则上", "mandatory unless justified"),
        "warning": ("建议", "recommended"),
        "info": ("提示", "for information"),
    }
)

CONFIDENCES: Labels = MappingProxyType(
    {
        "SEED": ("政策原文", "quoted from the seed policy texts"),
        "FOUND-OFFICIAL": ("官方来源", "seen in an official source"),
        "FOUND-2ND": ("二手来源", "seen in a secondary source"),
        "RECALLED": ("待核实", "recalled, not yet verified"),
        "PLATFORM": ("平台规则", "linli consistency rule, not a policy clause"),
        "PLACEHOLDER": ("占位默认值", "placeholder default, not from any text"),
    }
)


def zh(labels: Labels, code: str) -> str:
    """Chinese label of ``code``, or the code itself when the vocabulary lacks it."""
    return labels.get(code, (code, code))[0]


def en(labels: Labels, code: str) -> str:
    """English label of ``code``, or the code itself when the vocabulary lacks it."""
    return labels.get(code, (code, code))[1]


# Characters that take no space and change nothing visible (zero-width space, joiners, word
# joiner, BOM, soft hyphen): a name copied from a web page or a Word file may carry them.
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")
# Blanks, separators and quotation marks (the texts write “插花”式 and “插花式”).
_SEPARATORS = re.compile("[\\s_\\-·・“”‘’\"'「」『』]+")


def normalise(text: str) -> str:
    """A name as written → the form compared: NFKC (full-width Ｅｌｄｅｒｌｙ, ideographic
    spaces), invisible characters removed, case folded, blanks, ``_``, ``-``, middle dots and
    quotation marks dropped (so ``Elderly-Care``, ``elderly care`` and ``elderly_care`` are one
    name, and “插花”式 is 插花式)."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))
    return _SEPARATORS.sub("", text.casefold())


def display(text: str) -> str:
    """A name as it is shown back: NFKC, invisible characters removed, blanks trimmed."""
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).strip()


# Further names the texts use for a category: the interpretation writes 基本公共服务类 and also
# speaks of 基本公共服务 (四.1); the same without 类 is accepted for each.
# The texts also write 社区嵌入式服务综合体 / 社区服务中心 (121号 二(一)) and “插花”式分散建设
# (二(二)), and 存量设施改造类 with the 类 of "新建、改扩建、存量设施改造类…项目" (政策解读 三(二)).
_EXTRA_NAMES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "basic_public": ("基本公共服务",),
        "inclusive": ("普惠非基本公共服务", "普惠性非基本公共服务", "普惠非基本"),
        "commercial": ("便民商业",),
        "complex": ("社区嵌入式服务综合体", "服务综合体", "社区服务中心"),
        "scattered": ("插花式设施", "插花式分散建设", "分散建设"),
        "new": ("新建类", "新建项目"),
        "expansion": ("改扩建类", "改扩建项目"),
        "stock_conversion": ("存量设施改造类", "存量改造", "存量设施改造项目"),
    }
)
# A function named with its noun, as the texts do: 婴幼儿托育服务, 社区助餐服务,
# 基本公共服务类功能 ("原则上应配置养老服务或婴幼儿托育服务功能").
_SUFFIXES = ("服务", "功能", "服务功能")


def _index(labels: Labels) -> dict[str, str]:
    index: dict[str, str] = {}
    for code, (label_zh, label_en) in labels.items():
        names = (code, label_zh, label_en, *_EXTRA_NAMES.get(code, ()))
        for name in names:
            index.setdefault(normalise(name), code)
    for code, (label_zh, _) in labels.items():
        for suffix in _SUFFIXES:
            index.setdefault(normalise(label_zh + suffix), code)
    return index


_INDEXES: dict[int, dict[str, str]] = {}


def resolve(labels: Labels, text: str) -> str | None:
    """The code that ``text`` names in ``labels`` (by code, Chinese or English label, after
    :func:`normalise`), or ``None``."""
    index = _INDEXES.get(id(labels))
    if index is None:
        index = _INDEXES[id(labels)] = _index(labels)
    return index.get(normalise(text))
