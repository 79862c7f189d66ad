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


def make_bookable(tree: TestTree, capacity: int = 2, registry=None):
    """Operator A's published lunch service at facility A: a session tomorrow 11:00–12:30 (and
    the same weekday after), ¥12 a meal. Returns (operations sample, service, slot)."""
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from linli.operations import services as ops
    from linli.operations.testing import make_operations

    sample = make_operations(tree)
    facility = sample.registry.facility_a
    staff = sample.staff_a
    service = ops.service_create(
        actor=staff,
        facility=facility,
        scenario="elderly_care",
        name="老年助餐午餐",
        hours="每天 11:00–12:30",
        capacity_per_slot=capacity,
        booking_window_days=7,
        cancel_hours_before=2,
        age_group="elderly",
    )
    room = ops.room_create(actor=staff, facility=facility, name="餐厅", capacity=40)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    slot = ops.slot_create(
        actor=staff,
        service=service,
        room=room,
        weekday=tomorrow.weekday(),
        start=dt.time(11, 0),
        end=dt.time(12, 30),
    )
    ops.price_set(
        actor=staff,
        service=service,
        amount=Decimal("12.00"),
        unit="per_meal",
        cost_basis=Decimal("11.50"),
        effective_from=timezone.localdate(),
    )
    service = ops.service_publish(actor=staff, service=service, published=True)
    return sample, service, slot
