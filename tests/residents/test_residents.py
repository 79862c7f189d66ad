"""Residents: phone sign-up, the desk, family members and consent, masking, the sensitive-view
log, download and erasure, finding by walking distance — and every view four ways."""

import json
from datetime import date

from django.core.exceptions import ValidationError
from django.test import TestCase, override_settings
from django.urls import reverse

from linli.accounts.roles import Role
from linli.audit.models import AuditRecord
from linli.core.testing import FourWayTestCase, make_tree, make_user
from linli.registry.testing import make_registry
from linli.residents import services
from linli.residents.choices import CodePurpose, ConsentKind
from linli.residents.finder import facilities_near
from linli.residents.models import Consent, FamilyMember, Resident, SensitiveView
from linli.residents.testing import last_code, make_compound, sign_up
from tests.plans.network import NETWORK

CHILD_BIRTH = date(2020, 3, 1)
PARENT_BIRTH = date(1948, 5, 2)


class ResidentsCase(FourWayTestCase):
    """Residents A (permitted, compound in community A) and B (another resident)."""

    permitted_role = Role.RESIDENT
    unpermitted_role = Role.STREET_OFFICER

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.registry = make_registry(cls.tree)
        cls.compound_a = make_compound(cls.tree, cls.tree.community_a, "甲一小区", 113.6005)
        cls.compound_b = make_compound(cls.tree, cls.tree.community_b, "乙一小区", 113.6205)
        cls.user_a = sign_up("13800000001", "张阿姨", cls.compound_a)
        cls.user_b = sign_up("13900000002", "李先生", cls.compound_b)
        cls.resident_a = cls.user_a.resident
        cls.resident_b = cls.user_b.resident
        cls.child_b = services.member_add(
            actor=cls.user_b,
            resident=cls.resident_b,
            name="李小宝",
            relation="child",
            birth_date=CHILD_BIRTH,
            guardian_consent=True,
        )
        cls.desk = make_user(cls.tree, Role.COMMUNITY_WORKER, cls.tree.community_a, "desk-a")
        cls.auditor = make_user(cls.tree, Role.AUDITOR, cls.tree.city, "the-auditor")


class TestSignUp(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.tree = make_tree()
        make_registry(cls.tree)
        cls.compound = make_compound(cls.tree, cls.tree.community_a, "甲一小区", 113.6005)

    def test_a_resident_signs_up_with_phone_and_code_then_signs_in(self):
        response = self.client.post(
            reverse("residents:sign_up"), {"phone": "138 0000 0009", "send_code": "1"}
        )
        self.assertEqual(response.status_code, 200)
        code = last_code("13800000009")
        response = self.client.post(
            reverse("residents:sign_up"),
            {
                "phone": "13800000009",
                "code": code,
                "name": "王奶奶",
                "compound": self.compound.pk,
                "consent": "on",
                "create": "1",
            },
        )
        self.assertRedirects(response, reverse("residents:portal"), fetch_redirect_response=False)
        resident = Resident.objects.get(phone="13800000009")
        self.assertEqual(resident.user.role, Role.RESIDENT)
        self.assertEqual(resident.jurisdiction, self.tree.community_a)
        # Bound to the city: residents find services across every boundary.
        self.assertEqual(resident.user.jurisdiction, self.tree.city)
        consent = Consent.objects.get(resident=resident)
        self.assertEqual((consent.kind, consent.method), (ConsentKind.GENERAL, "online"))
        # The audit keeps that it happened, not the phone.
        record = AuditRecord.objects.get(object_type="residents.resident", object_id=resident.pk)
        self.assertNotIn("13800000009", json.dumps(record.after))
        self.client.logout()
        self.client.post(reverse("residents:sign_in"), {"phone": "13800000009", "send_code": "1"})
        response = self.client.post(
            reverse("residents:sign_in"),
            {"phone": "13800000009", "code": last_code("13800000009"), "sign_in": "1"},
        )
        self.assertRedirects(response, reverse("residents:portal"), fetch_redirect_response=False)

    def test_a_wrong_code_is_refused_and_counted(self):
        services.code_send(phone="13800000008", purpose=CodePurpose.SIGN_UP)
        right = last_code("13800000008")
        wrong = "000000" if right != "000000" else "111111"
        for _ in range(5):
            with self.assertRaises(ValidationError) as caught:
                services.resident_sign_up(
                    phone="13800000008", code=wrong, name="x", compound=self.compound, consent=True
                )
            self.assertIn("code", caught.exception.message_dict)
        # Five wrong tries use the code up: even the right one no longer works.
        with self.assertRaises(ValidationError):
            services.resident_sign_up(
                phone="13800000008", code=right, name="x", compound=self.compound, consent=True
            )
        self.assertFalse(Resident.objects.filter(phone="13800000008").exists())

    def test_no_consent_no_account_and_the_error_names_the_field(self):
        services.code_send(phone="13800000007", purpose=CodePurpose.SIGN_UP)
        with self.assertRaises(ValidationError) as caught:
            services.resident_sign_up(
                phone="13800000007",
                code=last_code("13800000007"),
                name="x",
                compound=self.compound,
                consent=False,
            )
        self.assertIn("consent", caught.exception.message_dict)
        self.assertFalse(Resident.objects.exists())

    def test_a_bad_phone_is_named(self):
        with self.assertRaises(ValidationError) as caught:
            services.code_send(phone="12345", purpose=CodePurpose.SIGN_UP)
        self.assertIn("手机号", str(caught.exception.message_dict["phone"]))

    def test_the_privacy_page_is_public(self):
        response = self.client.get(reverse("residents:privacy"))
        self.assertContains(response, services.PRIVACY_VERSION)


class TestConsentAndSensitiveData(ResidentsCase):
    def test_a_child_is_not_stored_without_the_guardians_consent(self):
        with self.assertRaises(ValidationError) as caught:
            services.member_add(
                actor=self.user_a,
                resident=self.resident_a,
                name="张小明",
                relation="grandchild",
                birth_date=CHILD_BIRTH,
            )
        self.assertIn("guardian_consent", caught.exception.message_dict)
        self.assertFalse(FamilyMember.objects.filter(resident=self.resident_a).exists())

    def test_health_notes_need_the_separate_consent(self):
        with self.assertRaises(ValidationError) as caught:
            services.member_add(
                actor=self.user_a,
                resident=self.resident_a,
                name="张老伯",
                relation="parent",
                birth_date=PARENT_BIRTH,
                health_notes="糖尿病，饮食少糖",
            )
        self.assertIn("sensitive_consent", caught.exception.message_dict)
        services.member_add(
            actor=self.user_a,
            resident=self.resident_a,
            name="张老伯",
            relation="parent",
            birth_date=PARENT_BIRTH,
            health_notes="糖尿病，饮食少糖",
            sensitive_consent=True,
        )
        self.assertIsNotNone(services.standing_consent(self.resident_a, ConsentKind.SENSITIVE))

    def test_every_clear_view_of_a_sensitive_field_leaves_a_log_row(self):
        self.client.force_login(self.user_b)
        before = SensitiveView.objects.count()
        response = self.client.get(reverse("residents:family"))
        self.assertContains(response, "李小宝")
        rows = SensitiveView.objects.filter(member_ref=self.child_b.pk)
        # A child's name and birth date are both sensitive: one row each, per view.
        self.assertEqual(sorted(rows.values_list("field", flat=True)), ["birth_date", "name"])
        self.client.get(reverse("residents:family"))
        self.assertEqual(SensitiveView.objects.count(), before + 4)
        row = rows.first()
        self.assertEqual((row.viewer, row.resident_ref), (self.user_b, self.resident_b.pk))
        self.assertEqual(row.page, reverse("residents:family"))
        # The download is a view too.
        self.client.get(reverse("residents:my_data_download"))
        self.assertEqual(SensitiveView.objects.count(), before + 6)

    def test_the_desk_sees_phones_masked_until_it_asks_and_the_ask_is_logged(self):
        resident = services.resident_register_at_desk(
            actor=self.desk,
            name="赵大爷",
            compound=self.compound_a,
            paper_consent=True,
            phone="13700000003",
            id_number="11010119400101123X",
        )
        self.client.force_login(self.desk)
        url = reverse("residents:desk_detail", args=[resident.pk])
        response = self.client.get(url)
        self.assertContains(response, "137****0003")
        self.assertNotContains(response, "13700000003")
        self.assertNotContains(response, "11010119400101123X")
        self.assertFalse(SensitiveView.objects.filter(resident_ref=resident.pk).exists())
        response = self.client.get(url, {"reveal": "1"})
        self.assertContains(response, "11010119400101123X")
        log = SensitiveView.objects.get(resident_ref=resident.pk)
        self.assertEqual((log.viewer, log.field), (self.desk, "id_number"))
        # …and the auditor reads it.
        self.client.force_login(self.auditor)
        response = self.client.get(reverse("residents:sensitive_views"))
        self.assertContains(response, "desk-a")
        self.assertContains(response, "身份证")

    def test_the_desk_registers_only_with_the_paper_consent_and_only_in_its_community(self):
        with self.assertRaises(ValidationError) as caught:
            services.resident_register_at_desk(
                actor=self.desk, name="赵大爷", compound=self.compound_a, paper_consent=False
            )
        self.assertIn("paper_consent", caught.exception.message_dict)
        from django.core.exceptions import PermissionDenied

        with self.assertRaises(PermissionDenied):
            services.resident_register_at_desk(
                actor=self.desk, name="钱大妈", compound=self.compound_b, paper_consent=True
            )

    def test_the_log_is_append_only(self):
        self.client.force_login(self.user_b)
        self.client.get(reverse("residents:family"))
        with self.assertRaises(PermissionError):
            SensitiveView.objects.all().delete()
        row = SensitiveView.objects.first()
        with self.assertRaises(PermissionError):
            row.save()

    def test_download_holds_own_data_only(self):
        self.client.force_login(self.user_b)
        response = self.client.get(reverse("residents:my_data_download"))
        data = json.loads(response.content)
        self.assertEqual(data["resident"]["phone"], "13900000002")
        self.assertEqual([m["name"] for m in data["family_members"]], ["李小宝"])
        self.assertNotIn("张阿姨", response.content.decode())

    def test_erasure_removes_the_data_and_closes_the_account(self):
        self.client.force_login(self.user_b)
        response = self.client.post(reverse("residents:my_data_erase"), {"confirm": "yes"})
        self.assertEqual(response.status_code, 200)
        resident = Resident.objects.get(pk=self.resident_b.pk)
        self.assertEqual((resident.phone, resident.compound), ("", None))
        self.assertNotEqual(resident.name, "李先生")
        self.assertFalse(FamilyMember.objects.filter(resident=resident).exists())
        self.assertFalse(Consent.objects.filter(resident=resident).exists())
        resident.user.refresh_from_db()
        self.assertFalse(resident.user.is_active)
        record = AuditRecord.objects.filter(object_type="residents.resident").latest("time")
        self.assertEqual(record.transition, "erase")
        self.assertNotIn("李先生", json.dumps(record.after))


@override_settings(PLANNING_NETWORK_FILE=str(NETWORK))
class TestFinder(ResidentsCase):
    def test_facilities_by_walking_distance_across_the_boundary(self):
        found = facilities_near(self.user_a, 113.6005, 34.7502, radius_m=3000)
        codes = [f.facility.code for f in found]
        # The one in the next community is found too, farther away.
        self.assertEqual(codes, ["F-A-1", "F-B-1"])
        near, far = found
        self.assertLess(near.distance_m, far.distance_m)
        # A network walk is never shorter than the straight line (≈ 1.8 km between them).
        self.assertGreater(far.distance_m, 1700)
        self.assertEqual(near.scenarios, ("elderly_care",))

    def test_a_resident_bound_to_a_community_finds_and_opens_the_next_ones(self):
        # What is on offer is public city-wide, whatever node the account is bound to.
        neighbour = make_user(self.tree, Role.RESIDENT, self.tree.community_a, "resident-jia")
        found = facilities_near(neighbour, 113.6005, 34.7502, radius_m=3000)
        self.assertEqual([f.facility.code for f in found], ["F-A-1", "F-B-1"])
        self.client.force_login(neighbour)
        page = self.client.get(reverse("residents:facility", args=[self.registry.facility_b.pk]))
        self.assertEqual(page.status_code, 200)

    def test_the_radius_and_the_scenario_filter(self):
        self.assertEqual(
            [f.facility.code for f in facilities_near(self.user_a, 113.6005, 34.7502, 500)],
            ["F-A-1"],
        )
        self.assertEqual(
            facilities_near(self.user_a, 113.6005, 34.7502, 3000, scenarios=("infant_care",)), []
        )

    def test_without_a_network_the_portal_says_so(self):
        self.client.force_login(self.user_a)
        with override_settings(PLANNING_NETWORK_FILE="/nonexistent/city.osm.pbf"):
            response = self.client.get(reverse("residents:portal"))
        self.assertContains(response, "步行距离暂不可用")

    def test_the_portal_searches_from_home_or_from_a_map_point(self):
        self.client.force_login(self.user_a)
        response = self.client.get(reverse("residents:portal"))
        self.assertContains(response, self.registry.facility_a.name)
        self.assertNotContains(response, self.registry.facility_b.name)
        response = self.client.get(
            reverse("residents:portal"), {"lon": "113.6205", "lat": "34.7502", "radius_m": "500"}
        )
        self.assertContains(response, self.registry.facility_b.name)
        self.assertNotContains(response, self.registry.facility_a.name)


@override_settings(PLANNING_NETWORK_FILE=str(NETWORK))
class TestFourWays(ResidentsCase):
    """Anonymous → sign-in; without permission → 403; permitted → 200; another's → 404."""

    OWN_PAGES = (
        "residents:portal",
        "residents:family",
        "residents:notices",
        "residents:my_data",
        "residents:my_data_download",
    )

    def test_anonymous_is_sent_to_login(self):
        for name in self.OWN_PAGES + ("residents:desk_list", "residents:sensitive_views"):
            response = self.client.get(reverse(name))
            self.assertEqual(response.status_code, 302, name)
        url = reverse("residents:facility", args=[self.registry.facility_a.pk])
        self.assertEqual(self.client.get(url).status_code, 302)
        url = reverse("residents:desk_detail", args=[self.resident_a.pk])
        self.assertEqual(self.client.get(url).status_code, 302)

    def test_without_permission_is_forbidden(self):
        self.client.force_login(self.unpermitted)
        for name in self.OWN_PAGES + ("residents:sensitive_views",):
            self.assertEqual(self.client.get(reverse(name)).status_code, 403, name)
        self.client.force_login(self.auditor)
        for name in ("residents:desk_list", "residents:desk_register"):
            self.assertEqual(self.client.get(reverse(name)).status_code, 403, name)
        url = reverse("residents:desk_detail", args=[self.resident_a.pk])
        self.assertEqual(self.client.get(url).status_code, 403)
        self.client.force_login(self.user_a)
        self.assertEqual(self.client.get(reverse("residents:desk_list")).status_code, 403)
        self.assertEqual(self.client.get(reverse("residents:sensitive_views")).status_code, 403)

    def test_permitted_sees_its_own(self):
        self.client.force_login(self.user_a)
        for name in self.OWN_PAGES:
            self.assertEqual(self.client.get(reverse(name)).status_code, 200, name)
        url = reverse("residents:facility", args=[self.registry.facility_b.pk])
        self.assertContains(self.client.get(url), self.registry.facility_b.name)
        self.client.force_login(self.desk)
        response = self.client.get(reverse("residents:desk_list"))
        self.assertContains(response, "张阿姨")
        self.assertContains(response, "138****0001")
        self.assertNotContains(response, "13800000001")
        self.client.force_login(self.auditor)
        self.assertEqual(self.client.get(reverse("residents:sensitive_views")).status_code, 200)

    def test_out_of_scope_is_not_found_or_absent(self):
        self.client.force_login(self.user_a)
        # Another resident's child and consent are not theirs to act on.
        url = reverse("residents:consent_give", args=[self.child_b.pk])
        self.assertEqual(self.client.post(url).status_code, 404)
        consent = Consent.objects.filter(resident=self.resident_b).first()
        url = reverse("residents:consent_withdraw", args=[consent.pk])
        self.assertEqual(self.client.post(url).status_code, 404)
        self.assertNotContains(self.client.get(reverse("residents:family")), "李小宝")
        # The desk of community A sees nothing of community B's residents.
        self.client.force_login(self.desk)
        url = reverse("residents:desk_detail", args=[self.resident_b.pk])
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertNotContains(self.client.get(reverse("residents:desk_list")), "李先生")
