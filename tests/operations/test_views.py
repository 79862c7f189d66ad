"""The operator portal, four ways on every view: anonymous → sign-in, without the permission
→ 403, permitted on its own facility → 200, on another operator's facility → 404."""

from datetime import date, time, timedelta
from decimal import Decimal

from django.test import TestCase
from django.urls import reverse

from linli.accounts.roles import Role
from linli.core.testing import make_tree, make_user
from linli.operations import services
from linli.operations.testing import make_operations


def _objects(actor, facility):
    room = services.room_create(actor=actor, facility=facility, name="多功能厅", capacity=30)
    service = services.service_create(
        actor=actor,
        facility=facility,
        scenario="elderly_care",
        name="日间照料",
        hours="每天 8:00–17:00",
        capacity_per_slot=20,
    )
    slot = services.slot_create(
        actor=actor, service=service, room=room, weekday=0, start=time(9), end=time(11)
    )
    inspection = services.inspection_record(
        actor=actor,
        facility=facility,
        inspected_on=date.today() - timedelta(days=3),
        kind="fire",
        inspector="区消防救援支队",
        result="rectify",
        findings="灭火器过期",
        rectify_by=date.today() + timedelta(days=10),
    )
    complaint = services.complaint_record(
        actor=actor,
        facility=facility,
        received_on=date.today(),
        subject="午餐偏咸",
        deadline=date.today() + timedelta(days=5),
    )
    return dict(
        pk=facility.pk,
        service_pk=service.pk,
        slot_pk=slot.pk,
        inspection_pk=inspection.pk,
        complaint_pk=complaint.pk,
    )


# (url name, keyword arguments it takes, POST only)
VIEWS = [
    ("facility", ("pk",), False),
    ("service_add", ("pk",), False),
    ("service_detail", ("pk", "service_pk"), False),
    ("service_edit", ("pk", "service_pk"), False),
    ("service_hours", ("pk", "service_pk"), False),
    ("service_publish", ("pk", "service_pk"), True),
    ("price_add", ("pk", "service_pk"), False),
    ("slot_add", ("pk", "service_pk"), False),
    ("slot_delete", ("pk", "slot_pk"), True),
    ("room_add", ("pk",), False),
    ("use_add", ("pk",), False),
    ("use_import", ("pk",), False),
    ("use_template", ("pk",), False),
    ("inspection_add", ("pk",), False),
    ("inspection_rectify", ("pk", "inspection_pk"), False),
    ("complaint_add", ("pk",), False),
    ("complaint_answer", ("pk", "complaint_pk"), False),
]


class PortalFourWayTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.tree = make_tree()
        cls.sample = make_operations(cls.tree)
        cls.a = _objects(cls.sample.staff_a, cls.sample.registry.facility_a)
        cls.b = _objects(cls.sample.staff_b, cls.sample.registry.facility_b)
        cls.unpermitted = make_user(cls.tree, Role.AUDITOR, cls.tree.city, "auditor")

    def url(self, name, params, objects):
        return reverse(f"operations:{name}", kwargs={k: objects[k] for k in params})

    def request(self, url, post):
        return self.client.post(url) if post else self.client.get(url)

    def test_anonymous_is_sent_to_login(self):
        for name, params, post in [("facility_list", (), False), *VIEWS]:
            with self.subTest(name):
                response = self.request(self.url(name, params, self.a), post)
                self.assertEqual(response.status_code, 302)
                self.assertTrue(response["Location"].startswith(reverse("login")))

    def test_without_permission_is_forbidden(self):
        self.client.force_login(self.unpermitted)
        for name, params, post in [("facility_list", (), False), *VIEWS]:
            with self.subTest(name):
                response = self.request(self.url(name, params, self.a), post)
                self.assertEqual(response.status_code, 403)

    def test_operator_reaches_its_own_facility(self):
        self.client.force_login(self.sample.staff_a)
        for name, params, post in VIEWS:
            if post:
                continue  # the POST views change things: tested below
            with self.subTest(name):
                self.assertEqual(self.client.get(self.url(name, params, self.a)).status_code, 200)
        response = self.client.post(self.url("service_publish", ("pk", "service_pk"), self.a))
        self.assertEqual(response.status_code, 302)
        response = self.client.post(self.url("slot_delete", ("pk", "slot_pk"), self.a))
        self.assertEqual(response.status_code, 302)

    def test_another_operators_facility_is_not_found(self):
        self.client.force_login(self.sample.staff_a)
        for name, params, post in VIEWS:
            with self.subTest(name):
                response = self.request(self.url(name, params, self.b), post)
                self.assertEqual(response.status_code, 404)
        # nor by mixing its own facility with another's object
        mixed = {**self.a, "service_pk": self.b["service_pk"]}
        response = self.client.get(self.url("service_detail", ("pk", "service_pk"), mixed))
        self.assertEqual(response.status_code, 404)

    def test_the_list_holds_only_its_own_facilities(self):
        self.client.force_login(self.sample.staff_a)
        response = self.client.get(reverse("operations:facility_list"))
        self.assertContains(response, self.sample.registry.facility_a.name)
        self.assertNotContains(response, self.sample.registry.facility_b.name)

    def test_an_official_sees_its_area_and_cannot_run_the_services(self):
        street = make_user(self.tree, Role.STREET_OFFICER, self.tree.street_a, "street")
        self.client.force_login(street)
        response = self.client.get(reverse("operations:facility_list"))
        self.assertContains(response, self.sample.registry.facility_a.name)
        self.assertNotContains(response, self.sample.registry.facility_b.name)
        self.assertEqual(self.client.get(self.url("facility", ("pk",), self.a)).status_code, 200)
        self.assertEqual(self.client.get(self.url("facility", ("pk",), self.b)).status_code, 404)
        self.assertEqual(self.client.get(self.url("service_add", ("pk",), self.a)).status_code, 403)
        self.assertEqual(
            self.client.get(self.url("inspection_add", ("pk",), self.a)).status_code, 200
        )

    def test_residents_have_no_portal(self):
        resident = make_user(self.tree, Role.RESIDENT, self.tree.community_a, "resident")
        self.client.force_login(resident)
        self.assertEqual(self.client.get(reverse("operations:facility_list")).status_code, 403)
        self.assertEqual(self.client.get(self.url("facility", ("pk",), self.a)).status_code, 403)


class PriceFormTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.tree = make_tree()
        cls.sample = make_operations(cls.tree)
        cls.a = _objects(cls.sample.staff_a, cls.sample.registry.facility_a)

    def test_check_then_save(self):
        self.client.force_login(self.sample.staff_a)
        url = reverse(
            "operations:price_add",
            kwargs={"pk": self.a["pk"], "service_pk": self.a["service_pk"]},
        )
        data = {
            "label": "",
            "amount": "60.00",
            "unit": "per_day",
            "cost_basis": "58.00",
            "effective_from": date.today().isoformat(),
        }
        response = self.client.post(url, {**data, "check": "1"})
        self.assertContains(response, "price-check")
        self.assertContains(response, "✔")
        response = self.client.post(url, {**data, "save": "1"})
        self.assertEqual(response.status_code, 302)
        from linli.operations.models import Price

        price = Price.objects.get(service_id=self.a["service_pk"])
        self.assertTrue(price.passed)
        self.assertEqual(price.amount, Decimal("60.00"))
