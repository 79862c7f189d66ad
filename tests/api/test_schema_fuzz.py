"""schemathesis against the OpenAPI schema: every operation, bounded and deterministic.

Checked on every response: no server error; status code, content type, headers and body
as documented; a request that violates the schema is refused; an unauthenticated one gets
401. Schema-valid requests must be accepted by reads and by the policy check's pure
computation; writes (POST/PUT/PATCH/DELETE) may still answer 400 for what no schema can
say — a referenced object that does not exist or lies outside the account's scope, a code
already taken, the registry's rules across fields — and that 400 is documented.
``LINLI_FUZZ_EXAMPLES`` runs more examples on a developer's machine.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import CHECKS

from linli.accounts.roles import Role
from linli.core.testing import make_tree, make_user
from linli.funding.testing import draft, make_actors, open_call
from linli.registry.testing import make_registry
from linli.web.wsgi import application

EXAMPLES = int(os.environ.get("LINLI_FUZZ_EXAMPLES", 10))
TOKEN = "f" * 40  # the fixture's token, made anew for every operation's test
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)


@schema.auth()
class TokenAuth:
    """The documented scheme, given the way schemathesis expects, so that it knows which
    requests it sent without credentials."""

    def get(self, case, context):
        return TOKEN

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Token {data}"}


_POSITIVE = CHECKS.get_by_names(["positive_data_acceptance"])[0]
_WRITES = {"POST", "PUT", "PATCH", "DELETE"}


@pytest.fixture
def test_transaction_kept():
    """Calls go straight to the WSGI application, whose request signals would close the
    database connection, and with it the test's transaction (on PostgreSQL): keep it open
    as Django's test client does."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def token(db, request) -> str:
    """A city programme officer's token over a small tree and registry, and a funding call
    with an application for the funding operations."""
    tree = make_tree()
    make_registry(tree)
    if "/funding/" in request.node.name:
        actors = make_actors(tree)
        draft(actors.street, open_call(actors.city_admin, [tree.district]), "接口测试项目")
    admin = make_user(tree, Role.CITY_ADMIN, tree.city, "api-fuzz-city")
    return Token.objects.create(user=admin, key=TOKEN).key


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure shows as found
    suppress_health_check=list(HealthCheck),
)
def test_every_operation(case, token, test_transaction_kept):
    excluded = (
        [_POSITIVE] if case.method.upper() in _WRITES and case.path != "/policy/check" else []
    )
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, excluded_checks=excluded)
