"""A pilot community is the city's decision (121号 一), or the district's where the pack says
so: nobody else can set or clear the flag, by form, service, API or import; the change is
audited."""

import tempfile
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.urls import reverse

from linli.accounts.roles import Role
from linli.audit.models import AuditRecord
from linli.core.testing import FourWayTestCase, make_user
from linli.policy.pack import PATH_ENV
from linli.registry.imports.service import registry_import
from linli.registry.models import Community
from linli.registry.services import registry_update
from linli.registry.testing import make_registry
from tests.registry.importing import headers, write_xlsx

DISTRICT_PACK = """id = "district-pilots"
extends = "beijing-2024"
title_zh = "区级确定试点的测试政策包"
title_en = "Test pack: districts designate pilots"
jurisdiction = "CN-TEST"
status = "final"

[pilots]
designated_by = "district"
source = "测试"
confidence = "PLACEHOLDER"
"""


class PilotTests(FourWayTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.sample = make_registry(cls.tree)
        cls.city = make_user(cls.tree, Role.CITY_ADMIN, cls.tree.city, "city")
        cls.district = make_user(cls.tree, Role.DISTRICT_OFFICER, cls.tree.district, "district")
        cls.worker = make_user(cls.tree, Role.COMMUNITY_WORKER, cls.tree.community_a, "worker")

    def community(self):
        return Community.objects.get(pk=self.sample.community_a.pk)

    def edit(self, user, pilot: bool):
        self.client.force_login(user)
        community = self.community()
        data = {
            name: getattr(community, name)
            for name in (*Community.RESIDENT_FIGURES, "service_area_m2")
        }
        data.update(
            jurisdiction=community.jurisdiction_id,
            centroid_lon=community.centroid_lon,
            centroid_lat=community.centroid_lat,
        )
        if pilot:
            data["pilot"] = "on"
        url = reverse("registry:community_edit", args=[community.pk])
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 302)  # saved
        return response

    def test_a_community_worker_or_street_cannot_make_its_community_a_pilot(self):
        for user in (self.worker, self.permitted):
            self.client.force_login(user)
            form = self.client.get(reverse("registry:community_edit", args=[self.community().pk]))
            self.assertNotContains(form, 'name="pilot"')
            self.edit(user, pilot=True)  # a forged field is ignored
            self.assertFalse(self.community().pilot)
            with self.assertRaises(PermissionDenied):
                registry_update(actor=user, obj=self.community(), pilot=True)
            self.assertFalse(self.community().pilot)

    def test_the_city_designates_and_it_is_audited(self):
        self.client.force_login(self.city)
        form = self.client.get(reverse("registry:community_edit", args=[self.community().pk]))
        self.assertContains(form, 'name="pilot"')
        self.edit(self.city, pilot=True)
        self.assertTrue(self.community().pilot)
        record = AuditRecord.objects.filter(
            object_type="registry.community", object_id=str(self.community().pk)
        ).latest("pk")
        self.assertEqual(
            (record.actor, record.before["pilot"], record.after["pilot"]), (self.city, False, True)
        )
        # A street officer's later edit of the figures keeps the city's decision.
        self.edit(self.permitted, pilot=False)
        self.assertTrue(self.community().pilot)

    def test_a_district_designates_only_where_the_pack_says_so(self):
        with self.assertRaises(PermissionDenied):
            registry_update(actor=self.district, obj=self.community(), pilot=True)
        with tempfile.TemporaryDirectory() as folder:
            (Path(folder) / "district-pilots.toml").write_text(DISTRICT_PACK, encoding="utf-8")
            with (
                override_settings(POLICY_PACK="district-pilots"),
                self.modify_env(folder),
            ):
                registry_update(actor=self.district, obj=self.community(), pilot=True)
                self.assertTrue(self.community().pilot)
                with self.assertRaises(PermissionDenied):  # and then not the city
                    registry_update(actor=self.city, obj=self.community(), pilot=False)

    def modify_env(self, folder):
        from unittest import mock

        return mock.patch.dict("os.environ", {PATH_ENV: folder})

    def test_an_import_by_a_street_cannot_set_the_flag(self):
        code = self.tree.community_a.code
        row = dict.fromkeys(headers("community"))
        row.update(
            {
                "街道代码": self.tree.street_a.code,
                "街道名称": self.tree.street_a.name,
                "社区代码": code,
                "社区名称": self.tree.community_a.name,
                **dict(zip(("户数", "常住人口"), (1200, 3300), strict=True)),
                "试点社区": "是",
            }
        )
        with tempfile.TemporaryDirectory() as folder:
            path = write_xlsx(Path(folder) / "c.xlsx", [headers("community"), list(row.values())])
            report = registry_import(actor=self.permitted, kind="community", path=path)
            self.assertEqual([(p.row, p.column) for p in report.problems], [(2, "试点社区")])
            self.assertFalse(self.community().pilot)
