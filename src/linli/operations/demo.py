"""Demo data for operations: the demo operator's account tied to its operator, and on its
facilities believable services, rooms and a weekly timetable (错时使用 in the multi-purpose
hall), prices that pass the inclusive-price check (one change announced ahead), six months of
use within capacity, inspections and complaints — all through the services, as the operator's
staff would enter them.

Called by :func:`linli.demo.loader._load` after the registry, before the funding demo (so the
project put into operation is run by the same operator)::

    operator = tie_demo_operator()
    ...
    load_operations_demo(operator)
"""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from linli.accounts.models import User
from linli.accounts.roles import Role
from linli.accounts.services import user_update
from linli.demo.accounts import demo_username
from linli.operations import services
from linli.operations.models import Service
from linli.registry.models import Facility, Operator

D = Decimal
MAX_FACILITIES = 5  # enough to show the portal; the demo loads in seconds

# scenario → services: (name, who, hours, places, room, [(weekdays, start, end)],
#                       [(item, amount, unit, cost)], description)
SERVICES = {
    "elderly_care": [
        ("日间照料", "elderly", "周一至周五 8:00–17:30", 20, "照料室",
         [((0, 1, 2, 3, 4), time(8), time(17, 30))],
         [("", D("60"), "per_day", D("58")), ("低保、特困老人", D("0"), "per_day", D("58"))],
         "白天照护、午休、康复训练和文娱活动，家属早送晚接。"),
        ("助浴服务", "oldest", "每周三、周五 9:00–11:30", 4, "助浴间",
         [((2, 4), time(9), time(11, 30))],
         [("", D("30"), "per_visit", D("29"))],
         "专业护理员上门或在站内协助洗浴，配防滑设施。"),
    ],
    "community_meals": [
        ("老年助餐午餐", "elderly", "每天 11:00–13:00", 60, "长者餐厅",
         [((0, 1, 2, 3, 4, 5, 6), time(11), time(13))],
         [("", D("11"), "per_meal", D("11.5")), ("80岁以上老人", D("8"), "per_meal", D("11.5"))],
         "两荤一素一汤，少盐少油；行动不便的老人可预约送餐。"),
    ],
    "infant_care": [
        ("全日托", "infants", "周一至周五 7:30–17:30", 20, "托育室",
         [((0, 1, 2, 3, 4), time(7, 30), time(17, 30))],
         [("", D("2800"), "per_month", D("2700"))],
         "2–3岁幼儿全日照护，含午餐和两次点心。"),
    ],
    "child_afterschool": [
        ("课后托管", "school", "上学日 15:30–18:30", 30, "多功能厅",
         [((0, 1, 2, 3, 4), time(15, 30), time(18, 30))],
         [("", D("600"), "per_month", D("580"))],
         "作业辅导和阅读，家长下班后接回。"),
    ],
    "health": [
        ("健康小屋", "all", "周一至周五 14:00–15:00", 10, "多功能厅",
         [((0, 2, 4), time(14), time(15))],
         [("", D("0"), "per_visit", D("0"))],
         "测血压、血糖，家庭医生每周驻点答疑。"),
    ],
    "fitness": [
        ("太极拳班", "elderly", "周一、三、五 9:00–10:30", 25, "多功能厅",
         [((0, 2, 4), time(9), time(10, 30))],
         [("", D("5"), "per_session", D("5"))],
         "社区体育指导员带练。"),
    ],
    "culture_leisure": [
        ("书画班", "elderly", "周二、周四 9:00–11:00", 20, "多功能厅",
         [((1, 3), time(9), time(11))],
         [("", D("10"), "per_session", D("10"))],
         "书法和国画入门，纸墨自备或按成本购买。"),
    ],
    "home_services": [
        ("家政预约咨询", "all", "周六 14:00–16:00", 10, "多功能厅",
         [((5,), time(14), time(16))],
         [("", D("45"), "per_hour", D("43"))],
         "保洁、做饭、陪护预约，服务人员持证上岗。"),
    ],
    "child_play": [
        ("亲子游戏室", "families", "周六、周日 9:00–11:30", 15, "多功能厅",
         [((5, 6), time(9), time(11, 30))],
         [("", D("0"), "per_visit", D("0"))],
         "0–6岁儿童与家长一同游戏，每次不超过一小时。"),
    ],
}  # fmt: skip
ROOM_CAPACITY = {"照料室": 25, "助浴间": 4, "长者餐厅": 60, "托育室": 25, "多功能厅": 40}


def _operator_user() -> User:
    return User.objects.get(username=demo_username(Role.OPERATOR))


def tie_demo_operator() -> Operator | None:
    """Tie the demo operator's account to the operator running most facilities in operation,
    as the security administrator would."""
    operator = (
        Operator.objects.annotate(
            running=Count("facilities", filter=Q(facilities__status="operating"))
        )
        .order_by("-running", "name")
        .first()
    )
    if operator is None:
        return None
    user_update(
        actor=User.objects.get(username=demo_username(Role.SECURITY_ADMIN)),
        user=_operator_user(),
        operator=operator,
    )
    return operator


def _months_back(today: date, count: int) -> list[date]:
    months, month = [], today.replace(day=1)
    for _ in range(count):
        month = (month - timedelta(days=1)).replace(day=1)
        months.append(month)
    return months


def _facility_demo(actor: User, facility: Facility, index: int) -> None:
    today = timezone.localdate()
    functions = {f.scenario: f for f in facility.functions.all()}
    rooms = {}

    def room(name: str):
        if name not in rooms:
            rooms[name] = services.room_create(
                actor=actor, facility=facility, name=name, capacity=ROOM_CAPACITY[name]
            )
        return rooms[name]

    for scenario in functions:
        for name, who, hours, places, room_name, sessions, prices, text in SERVICES.get(
            scenario, []
        ):
            service = services.service_create(
                actor=actor,
                facility=facility,
                scenario=scenario,
                name=name,
                description=text,
                age_group=who,
                hours=hours,
                capacity_per_slot=places,
                booking_window_days=7,
                cancel_hours_before=2,
            )
            for weekdays, start, end in sessions:
                for weekday in weekdays:
                    services.slot_create(
                        actor=actor,
                        service=service,
                        room=room(room_name),
                        weekday=weekday,
                        start=start,
                        end=end,
                    )
            for label, amount, unit, cost in prices:
                services.price_set(
                    actor=actor,
                    service=service,
                    label=label,
                    amount=amount,
                    unit=unit,
                    cost_basis=cost,
                    effective_from=today - timedelta(days=120),
                )
            services.service_publish(actor=actor, service=service, published=True)
    _announce_changes(actor, facility, today)
    _use(actor, facility, functions, today, index)
    _records(actor, facility, today, index)


def _announce_changes(actor: User, facility: Facility, today: date) -> None:
    """A price rise for lunch from next month, and longer day-care hours, announced ahead."""
    next_month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    lunch = Service.objects.filter(facility=facility, name="老年助餐午餐").first()
    if lunch is not None:
        services.price_set(
            actor=actor,
            service=lunch,
            amount=D("12"),
            unit="per_meal",
            cost_basis=D("11.5"),
            effective_from=next_month,
        )
    day_care = Service.objects.filter(facility=facility, name="日间照料").first()
    if day_care is not None:
        services.service_hours_change(
            actor=actor,
            service=day_care,
            hours="周一至周六 8:00–17:30",
            effective_from=next_month,
        )


def _use(actor, facility, functions, today, index) -> None:
    for step, month in enumerate(_months_back(today, 6)):
        share = D("0.70") + D("0.04") * ((step + index) % 5)  # 70–86 %, month by month
        for scenario, function in functions.items():
            figures = dict(
                beds_occupied=int(function.beds * share),
                infant_places_filled=int(function.infant_slots * share),
                meals=int(function.canteen_seats * 26 * share)
                if scenario == "community_meals"
                else 0,
                visits=int((function.beds or 10) * 22 * share)
                + (
                    int(function.canteen_seats * 26 * share) if scenario == "community_meals" else 0
                ),
            )
            services.use_record_save(
                actor=actor, facility=facility, month=month, scenario=scenario, **figures
            )


def _records(actor, facility, today, index) -> None:
    services.inspection_record(
        actor=actor,
        facility=facility,
        inspected_on=today - timedelta(days=40 + index),
        kind="fire",
        inspector="区消防救援支队",
        result="passed",
        findings="疏散通道畅通，消防设施完好。",
    )
    food = services.inspection_record(
        actor=actor,
        facility=facility,
        inspected_on=today - timedelta(days=12 + index),
        kind="food"
        if "community_meals" in set(facility.functions.values_list("scenario", flat=True))
        else "safety",
        inspector="区市场监督管理局",
        result="rectify",
        findings="留样记录有两天缺失。",
        rectify_by=today + timedelta(days=10),
    )
    services.inspection_rectify(
        actor=actor,
        inspection=food,
        rectified_on=today - timedelta(days=5),
        rectification="补充留样冰箱和记录表，专人负责。",
    )
    meals = facility.functions.filter(scenario="community_meals").exists()
    answered = services.complaint_record(
        actor=actor,
        facility=facility,
        received_on=today - timedelta(days=9),
        channel="phone",
        subject="午餐偏咸" if meals else "预约电话常打不通",
        detail="家住3号楼的老人反映近一周午餐偏咸。" if meals else "居民反映上午预约电话占线。",
        deadline=today - timedelta(days=4),
    )
    answered = services.complaint_answer(
        actor=actor,
        complaint=answered,
        handling_notes="已调整菜谱，减少用盐；电话回访，老人表示满意。"
        if meals
        else "增设一部预约电话并开通网上预约；电话回访，居民表示满意。",
    )
    services.complaint_close(actor=actor, complaint=answered)
    services.complaint_record(
        actor=actor,
        facility=facility,
        received_on=today - timedelta(days=1),
        channel="hotline",
        subject="周末活动室开放时间太短",
        detail="12345转来：希望周日下午也开放。",
        deadline=today + timedelta(days=4),
    )


def load_operations_demo() -> None:
    """Services and records on the demo operator's facilities in operation (a few)."""
    user = _operator_user()
    if user.operator_id is None or Service.objects.exists():
        return
    facilities = Facility.objects.filter(
        operator=user.operator, status="operating"
    ).order_by(
        "-pk"  # the facility the funded project became comes first
    )[:MAX_FACILITIES]
    for index, facility in enumerate(facilities):
        _facility_demo(user, facility, index)
