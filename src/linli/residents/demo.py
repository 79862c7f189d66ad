"""Demo residents: some signed up by phone, some registered at the desk, with family members
and consents, and a desk worker who once looked up an ID number (so the auditor's log of
sensitive views has rows). Entered through the services, as people would."""

from __future__ import annotations

from datetime import date

from linli.accounts.models import User
from linli.accounts.roles import Role
from linli.registry.models import Compound
from linli.residents import services
from linli.residents.choices import CodePurpose
from linli.residents.models import FamilyMember, Resident
from linli.residents.privacy import shown

# (phone, name, family members: (name, relation, birth date, health notes))
SIGNED_UP = (
    ("13800138001", "王秀兰", (("王建国", "parent", date(1941, 4, 12), "高血压，行动需扶助"),)),
    ("13800138002", "刘志强", (("刘一一", "child", date(2021, 9, 3), ""),)),
    ("13800138003", "陈美华", ()),
)
AT_DESK = (("周桂芳", "", "11010119420318002X"), ("吴德明", "13900139004", ""))


def load_residents_demo() -> None:
    desk = User.objects.get(username="demo_community_worker")
    compounds = list(
        Compound.objects.filter(jurisdiction__path__startswith=desk.jurisdiction.path)
        .select_related("jurisdiction")
        .order_by("jurisdiction__path")[:3]
    )
    if not compounds:
        return
    from datetime import timedelta

    from django.utils import timezone

    from linli.residents.models import OneTimeCode
    from linli.residents.services import _code_hash

    for i, (phone, name, members) in enumerate(SIGNED_UP):
        # The demo stands in for the text message: a code issued here and used at once.
        OneTimeCode.objects.create(
            phone=phone,
            purpose=CodePurpose.SIGN_UP,
            code_hash=_code_hash(phone, "246810"),
            expires_at=timezone.now() + timedelta(minutes=5),
        )
        user = services.resident_sign_up(
            phone=phone,
            code="246810",
            name=name,
            compound=compounds[i % len(compounds)],
            consent=True,
        )
        for member_name, relation, birth, notes in members:
            services.member_add(
                actor=user,
                resident=user.resident,
                name=member_name,
                relation=relation,
                birth_date=birth,
                health_notes=notes,
                guardian_consent=True,
                sensitive_consent=bool(notes),
            )
    for i, (name, phone, id_number) in enumerate(AT_DESK):
        services.resident_register_at_desk(
            actor=desk,
            name=name,
            compound=compounds[i % len(compounds)],
            paper_consent=True,
            phone=phone,
            id_number=id_number,
        )
    for resident in Resident.objects.filter(registered_at_desk=True):
        shown(desk, resident, ("phone", "id_number"), "/residents/desk/")
    for member in FamilyMember.objects.select_related("resident__user"):
        shown(
            member.resident.user,
            member,
            ("name", "birth_date", "health_notes"),
            "/residents/family/",
        )
    # The demo resident account (opened by the administrators) gets its record too.
    demo_resident = User.objects.filter(username="demo_resident", role=Role.RESIDENT).first()
    if demo_resident is not None:
        services.resident_profile_open(actor=demo_resident)
