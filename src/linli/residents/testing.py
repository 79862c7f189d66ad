"""Residents for tests, signed up the way residents sign up (code by the memory backend)."""

from __future__ import annotations

import re

from linli.accounts.roles import Role
from linli.core.testing import TestTree, make_user
from linli.notifications.backends import MemoryBackend
from linli.registry.models import Compound, Level
from linli.registry.services import jurisdiction_create, registry_create
from linli.residents import services
from linli.residents.choices import CodePurpose


def make_compound(tree: TestTree, community, name: str, lon: float, lat: float = 34.7502):
    keeper = make_user(tree, Role.CITY_ADMIN, tree.city, f"compound-keeper-{name}")
    node = jurisdiction_create(actor=tree.admin, parent=community, name=name, level=Level.COMPOUND)
    return registry_create(
        actor=keeper,
        model=Compound,
        jurisdiction=node,
        households=300,
        centroid_lon=lon,
        centroid_lat=lat,
    )


def last_code(phone: str) -> str:
    for message in reversed(MemoryBackend.outbox):
        if message.phone == phone:
            return re.search(r"\d{6}", message.body).group()
    raise LookupError(phone)


def sign_up(phone: str, name: str, compound: Compound):
    services.code_send(phone=phone, purpose=CodePurpose.SIGN_UP)
    return services.resident_sign_up(
        phone=phone, code=last_code(phone), name=name, compound=compound, consent=True
    )
