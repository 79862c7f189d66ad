"""The programme's fixed code names (DESIGN.md §5) with their Chinese and English labels.

Packs, applications and the Django apps all use these codes; labels live only here.
"""

from __future__ import annotations

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
