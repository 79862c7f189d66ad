"""``linli check`` never prints a traceback and the API never answers 500, on any JSON input
(issue 12): generated applications, valid in shape or not, exit 0 (evaluated) or 2 (input
error naming the field) and answer 200 or 400."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linli.cli import main
from linli.policy.vocabulary import CATEGORIES, CONSTRUCTIONS, KINDS, SCENARIOS

from .conftest import BASE_APPLICATION

EXAMPLES = 120
RUN_CLI = "import sys; from linli.cli import main; sys.exit(main(sys.argv[1:]))"

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**50), max_value=10**50)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([1e30, 1e308, -1, 0, 1e-30, 10**12, 10**12 + 1, 10**8 + 0.5, 0.1])
    | st.text(max_size=8)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


def _noisy(name: str) -> st.SearchStrategy[str]:
    """A name as people paste it: full width, zero-width characters, odd case and spacing."""
    full = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in name)
    return st.sampled_from(
        [name, name.upper(), full, f"\u200b{name}\ufeff", f" {name}\u3000", name.replace("_", "-")]
    )


names = st.sampled_from(
    [*SCENARIOS, *(zh for zh, _ in SCENARIOS.values()), "就业服务", "社区洗衣", "", " ", "。"]
).flatmap(_noisy)
categories = st.sampled_from([*CATEGORIES, *(zh for zh, _ in CATEGORIES.values()), "x"]).flatmap(
    _noisy
)
numbers = scalars | st.integers(min_value=0, max_value=10**13) | st.decimals(allow_nan=False)


@st.composite
def functions(draw):
    function = {"scenario": draw(names), "category": draw(categories)}
    for key in ("floor_area_m2", "investment_cny"):
        if draw(st.booleans()):
            function[key] = draw(numbers)
    if draw(st.booleans()):
        function["capacity"] = draw(
            st.dictionaries(
                st.sampled_from(["beds", "nursing_beds", "infant_slots", "seats"]), numbers
            )
            | json_values
        )
    return function


@st.composite
def applications(draw):
    data = copy.deepcopy(BASE_APPLICATION)
    data["kind"] = draw(st.sampled_from([*KINDS, *(zh for zh, _ in KINDS.values()), "tower"]))
    data["construction"] = draw(
        st.sampled_from([*CONSTRUCTIONS, *(zh for zh, _ in CONSTRUCTIONS.values())])
    )
    data["functions"] = draw(st.lists(functions(), max_size=6))
    for key in ("gross_floor_area_m2", "total_investment_cny", "resident_activity_area_m2",
                "inclusive_subsidy_rate"):  # fmt: skip
        if draw(st.booleans()):
            data[key] = draw(numbers)
    if draw(st.booleans()):
        data["community"] = {
            key: draw(numbers) for key in ("households", "population", "service_area_m2")
        }
    if draw(st.booleans()):
        data["overrides"] = [{"rule": draw(st.text(max_size=30)), "reason": draw(json_values)}]
    # Now and then, any key (or the whole document) is anything at all.
    if draw(st.integers(0, 3)) == 0:
        data[draw(st.sampled_from(sorted(data)))] = draw(json_values)
    if draw(st.integers(0, 9)) == 0:
        return draw(json_values)
    return data


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True)
@given(data=applications(), policy=st.sampled_from(["beijing-2024", "national-2023", "shanghai"]))
def test_check_exits_0_or_2_on_any_application(tmp_path_factory, data, policy):
    path = tmp_path_factory.mktemp("fuzz") / "application.json"
    path.write_text(_dumps(data), "utf-8")

    assert main(["check", str(path), "--policy", policy, "--format", "text"]) in (0, 2)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(text=st.text(max_size=60) | st.binary(max_size=60).map(lambda b: b.decode("latin-1")))
def test_check_exits_2_on_any_text_that_is_not_an_application(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("fuzz") / "application.json"
    path.write_text(text, "utf-8")

    assert main(["check", str(path)]) in (0, 2)


@pytest.mark.parametrize(
    "content",
    [
        _dumps({**BASE_APPLICATION, "total_investment_cny": 1e30}),
        _dumps({**BASE_APPLICATION, "gross_floor_area_m2": 10**400}),
        '{"total_investment_cny": 1e999999}',
        "[" * 100_000 + "]" * 100_000,
        '{"a": ' * 50_000 + "1" + "}" * 50_000,
        "9" * 5000,
    ],
    ids=["1e30", "10^400", "1e999999", "deep-list", "deep-object", "5000-digits"],
)
def test_the_real_command_prints_no_traceback(tmp_path, content):
    path = tmp_path / "application.json"
    path.write_text(content, "utf-8")

    done = subprocess.run(
        [sys.executable, "-c", RUN_CLI, "check", str(path)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip

    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("linli: error: ")


# --- the API --------------------------------------------------------------------------------


@pytest.fixture
def api_client(client, db):
    from linli.accounts.roles import Role
    from linli.core.testing import make_tree, make_user

    tree = make_tree()
    client.force_login(make_user(tree, Role.STREET_OFFICER, tree.street_a, "fuzz-street"))
    return client


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=applications(), policy=st.sampled_from(["beijing-2024", "national-2023"]))
def test_the_api_answers_200_or_400_never_500(api_client, data, policy):
    response = api_client.post(
        f"{reverse('api:policy-check')}?policy={policy}",
        _dumps(data),
        content_type="application/json",
    )

    assert response.status_code in (200, 400), response.content[:300]
    if response.status_code == 400:
        assert response.json().get("error") or response.json().get("detail")


@pytest.mark.parametrize(
    "body",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"a": ' * 50_000 + "1" + "}" * 50_000,
        _dumps({**BASE_APPLICATION, "total_investment_cny": 1e30}),
        '{"name": "x", "total_investment_cny": 1e999999}',
        "9" * 5000,
    ],
    ids=["deep-list", "deep-object", "1e30", "1e999999", "5000-digits"],
)
def test_the_api_refuses_pathological_json_with_400(api_client, body):
    response = api_client.post(reverse("api:policy-check"), body, content_type="application/json")

    assert response.status_code == 400


def test_an_investment_of_1e30_is_named_in_the_api_error(api_client):
    body = _dumps({**BASE_APPLICATION, "total_investment_cny": Decimal("1e30")})

    response = api_client.post(reverse("api:policy-check"), body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"].startswith("total_investment_cny: ")
