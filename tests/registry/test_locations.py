"""Coordinates are checked against the city's extent: far outside is refused naming the field,
a little outside is saved with a warning that gives the distance; the web form, the service and
the import all apply it."""

import tempfile
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from linli.core.testing import FourWayTestCase
from linli.registry.imports.service import registry_import
from linli.registry.models import CandidateSite
from linli.registry.services import registry_create
from linli.registry.testing import make_registry
from tests.registry.importing import headers, write_xlsx

# The sample communities span 113.598–113.622 E around 34.75 N.
FAR = 120.60  # about 640 km east: the kind of point that was once accepted
NEAR = 113.630  # about 730 m east of the last community


class LocationTests(FourWayTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.sample = make_registry(cls.tree)

    def site(self, code, lon):
        return registry_create(
            actor=self.permitted,
            model=CandidateSite,
            code=code,
            name="待核点位",
            jurisdiction=self.tree.community_a,
            lon=lon,
            lat=34.751,
            building_type="warehouse",
            floor_area_m2=Decimal("500"),
            space_source="convert",
        )

    def form(self, code, lon):
        return {
            "code": code,
            "name": "表单点位",
            "jurisdiction": self.tree.community_a.pk,
            "lon": lon,
            "lat": 34.751,
            "building_type": "warehouse",
            "floor_area_m2": "500",
            "floors": 1,
            "space_source": "convert",
            "status": "available",
        }

    def test_the_service_refuses_a_point_far_outside_naming_the_field(self):
        with self.assertRaises(ValidationError) as refused:
            self.site("FAR-1", FAR)
        self.assertIn("lon", refused.exception.message_dict)
        self.assertRegex(refused.exception.message_dict["lon"][0], r"6[34]\d\.\d")  # the km
        self.assertFalse(CandidateSite.objects.filter(code="FAR-1").exists())

    def test_the_form_shows_the_refusal_and_saves_nothing(self):
        self.client.force_login(self.permitted)
        page = self.client.post(reverse("registry:candidatesite_create"), self.form("FAR-2", FAR))
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "公里")
        self.assertFalse(CandidateSite.objects.filter(code="FAR-2").exists())

    def test_a_point_a_little_outside_is_saved_with_its_distance(self):
        self.client.force_login(self.permitted)
        response = self.client.post(
            reverse("registry:candidatesite_create"), self.form("NEAR-1", NEAR), follow=True
        )
        self.assertTrue(CandidateSite.objects.filter(code="NEAR-1").exists())
        warned = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
        self.assertEqual(len(warned), 1)
        self.assertIn("0.7 公里", warned[0])

    @override_settings(LOCATION_REFUSE_OUTSIDE_M=500)
    def test_the_bound_is_a_setting(self):
        with self.assertRaises(ValidationError):
            self.site("NEAR-2", NEAR)

    def test_an_import_names_the_row_and_warns_of_the_near_one(self):
        header = headers("candidate_site")

        def row(code, lon):
            values = dict.fromkeys(header)
            values.update(
                {
                    "点位编码": code,
                    "名称": "导入点位",
                    "社区代码": self.tree.community_a.code,
                    "经度": lon,
                    "纬度": 34.751,
                    "建筑类型": "仓库",
                    "建筑面积(m²)": 600,
                    "空间来源": "convert",
                }
            )
            return list(values.values())

        folder = self.enterContext(tempfile.TemporaryDirectory())
        far = write_xlsx(Path(folder) / "far.xlsx", [header, row("I-1", NEAR), row("I-2", FAR)])
        report = registry_import(actor=self.permitted, kind="candidate_site", path=far)
        self.assertEqual([(p.row, p.column) for p in report.problems], [(3, "经度")])
        self.assertFalse(CandidateSite.objects.filter(code__startswith="I-").exists())
        near = write_xlsx(Path(folder) / "near.xlsx", [header, row("I-1", NEAR)])
        report = registry_import(actor=self.permitted, kind="candidate_site", path=near)
        self.assertEqual(report.problems, [])
        self.assertEqual([(w.row, w.column) for w in report.warnings], [(2, "经度")])
        self.assertIn("0.7 km", report.warnings[0].message_en)
        self.assertTrue(CandidateSite.objects.filter(code="I-1").exists())
