"""Builders for applications in their DESIGN §6 JSON form, eligible under beijing-2024."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from linli.policy import Evaluation, Finding, evaluate, load_pack, parse_application

# A category beijing-2024 accepts for each scenario (政策解读 四.1).
BEIJING_CATEGORY = {
    "elderly_care": "basic_public",
    "infant_care": "inclusive",
    "child_afterschool": "commercial",
    "community_meals": "commercial",
    "home_services": "commercial",
    "health": "basic_public",
    "fitness": "basic_public",
    "culture_leisure": "basic_public",
    "child_play": "basic_public",
}

BASE_APPLICATION: dict[str, Any] = {
    "name": "测试街道社区嵌入式服务综合体",
    "city": "北京",
    "kind": "complex",
    "construction": "stock_conversion",
    "gross_floor_area_m2": 1000,
    "total_investment_cny": 10_000_000,
    "functions": [
        {"scenario": "elderly_care", "category": "basic_public", "floor_area_m2": 400},
        {"scenario": "infant_care", "category": "inclusive", "floor_area_m2": 300},
        {"scenario": "community_meals", "category": "commercial", "floor_area_m2": 200},
    ],
}


def function(scenario: str, category: str | None = None, **fields: Any) -> dict[str, Any]:
    """One function in JSON form; the category defaults to one Beijing accepts."""
    return {"scenario": scenario, "category": category or BEIJING_CATEGORY[scenario], **fields}


def application(*scenarios: str, **fields: Any) -> dict[str, Any]:
    """The base application, with functions of ``scenarios`` (100 m² each) when given."""
    data = copy.deepcopy(BASE_APPLICATION)
    if scenarios:
        data["functions"] = [function(s, floor_area_m2=100) for s in scenarios]
    data.update(fields)
    return data


def check(data: dict[str, Any], policy: str = "beijing-2024") -> Evaluation:
    return evaluate(parse_application(data), load_pack(policy))


def finding(evaluation: Evaluation, rule: str) -> Finding:
    (match,) = [f for f in evaluation.findings if f.rule == rule]
    return match


@pytest.fixture
def make() -> Callable[..., dict[str, Any]]:
    return application


@pytest.fixture
def fn() -> Callable[..., dict[str, Any]]:
    return function


@pytest.fixture
def run() -> Callable[..., Evaluation]:
    return check


@pytest.fixture
def pick() -> Callable[[Evaluation, str], Finding]:
    return finding
