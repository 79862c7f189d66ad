"""Registry import: every malformed file gives a complete report and changes nothing."""

from __future__ import annotations

import json
from decimal import Decimal

import pyogrio
import pytest
import shapely
from django.core.exceptions import PermissionDenied

from linli.accounts.roles import Role
from linli.audit.models import AuditRecord
from linli.core.testing import make_user
from linli.geo.offsets import wgs84_to_gcj02
from linli.registry.imports import registry_import
from linli.registry.models import CandidateSite, Community, Facility, Jurisdiction, Operator
from linli.registry.services import registry_create
from tests.registry.importing import ImportTestCase, headers, uscc


class TestCommunityImport(ImportTestCase):
    def run_import(self, path, **kwargs):
        return registry_import(actor=self.officer, kind="community", path=path, **kwargs)

    def test_valid_file_creates_audited_communities_and_reimports_unchanged(self):
        path = self.xlsx(
            [
                headers("community"),
                self.community_row(),
                self.community_row("990101001001", "甲一社区"),
            ]
        )
        audits = AuditRecord.objects.count()
        report = self.run_import(path)
        self.assertEqual((report.problems, report.to_create, report.applied), ([], 2, True))
        community = Community.objects.get(jurisdiction__code="990101001002")
        self.assertEqual(
            (community.jurisdiction.name, community.population, community.service_area_m2),
            ("甲二社区", 2800, Decimal("650.50")),
        )
        self.assertFalse(community.pilot)
        node = community.jurisdiction
        self.assertEqual(Jurisdiction.objects.get_parent(node), self.tree.street_a)
        # One record per object: the new community node and the two communities.
        self.assertEqual(AuditRecord.objects.count() - audits, 3)
        record = AuditRecord.objects.get(object_type="registry.community", object_id=community.pk)
        self.assertEqual((record.actor, record.action), (self.officer, "create"))
        self.assertEqual(record.after["population"], 2800)

        again = self.run_import(path)
        self.assertEqual((again.to_create, again.to_update, again.unchanged), (0, 0, 2))
        self.assertEqual(AuditRecord.objects.count() - audits, 3)

    def test_changed_row_is_one_audited_update(self):
        self.run_import(self.xlsx([headers("community"), self.community_row()]))
        before = self.counts()
        path = self.xlsx([headers("community"), self.community_row(户数=1111)], "changed.xlsx")
        report = self.run_import(path)
        self.assertEqual(report.update, ["990101001002 甲二社区"])
        record = AuditRecord.objects.filter(action="update").latest("id")
        self.assertEqual((record.before["households"], record.after["households"]), (1000, 1111))
        self.assertEqual(self.counts()["AuditRecord"], before["AuditRecord"] + 1)

    def test_dry_run_changes_nothing(self):
        before = self.counts()
        report = self.run_import(
            self.xlsx([headers("community"), self.community_row()]), dry_run=True
        )
        self.assertEqual((report.to_create, report.problems, report.applied), (1, [], False))
        self.assert_nothing_changed(before)

    def test_wrong_headers(self):
        columns = headers("community")
        columns[columns.index("户数")] = "户口数"
        columns[columns.index("社区代码")] = "备注"
        before = self.counts()
        report = self.run_import(self.xlsx([columns, self.community_row()]))
        found = {(p.sheet, p.row, p.column) for p in report.problems}
        self.assertEqual(
            found, {("Sheet", 1, "户口数"), ("Sheet", 1, "备注"), ("Sheet", 1, "社区代码")}
        )
        hint = next(p for p in report.problems if p.column == "户口数")
        self.assertIn("户数", hint.message_zh)
        self.assertIn(
            "missing", next(p for p in report.problems if p.column == "社区代码").message_en
        )
        self.assert_nothing_changed(before)

    def test_bad_numbers_are_each_reported(self):
        rows = [
            headers("community"),
            self.community_row(户数="abc"),
            self.community_row("990101001003", "甲三社区", 常住人口=-5),
            self.community_row("990101001004", "甲四社区", **{"0-2岁人口": 1.5}),
            self.community_row("990101001005", "甲五社区", 试点社区="maybe"),
        ]
        before = self.counts()
        report = self.run_import(self.xlsx(rows))
        self.assertEqual(
            [(p.row, p.column) for p in report.problems],
            [(2, "户数"), (3, "常住人口"), (4, "0-2岁人口"), (5, "试点社区")],
        )
        self.assertTrue(all(p.file == "data.xlsx" and p.message_zh for p in report.problems))
        self.assert_nothing_changed(before)

    def test_coordinates_out_of_range(self):
        rows = [
            headers("community"),
            self.community_row(中心点经度=200),
            self.community_row("990101001003", "甲三社区", 中心点纬度=95),
            self.community_row("990101001004", "甲四社区", 中心点纬度=None),
        ]
        before = self.counts()
        report = self.run_import(self.xlsx(rows))
        self.assertEqual(
            [(p.row, p.column) for p in report.problems],
            [(2, "中心点经度"), (3, "中心点纬度"), (4, "中心点纬度")],
        )
        self.assert_nothing_changed(before)

    def test_unknown_and_out_of_scope_codes(self):
        rows = [
            headers("community"),
            self.community_row(街道代码="990101009000"),  # no such street
            self.community_row(
                "990101002002", "乙二社区", 街道代码="990101002000", 街道名称="乙街道"
            ),
            self.community_row("990101001000", "甲街道"),  # the street's own code
            self.community_row("990101001003", "甲三社区", 街道名称="丙街道"),
        ]
        before = self.counts()
        report = self.run_import(self.xlsx(rows))
        self.assertEqual(
            [(p.row, p.column) for p in report.problems],
            [(2, "街道代码"), (3, "街道代码"), (4, "社区代码"), (5, "街道名称")],
        )
        self.assert_nothing_changed(before)

    def test_existing_node_outside_scope_is_refused(self):
        report = self.run_import(
            self.xlsx([headers("community"), self.community_row("990101002001", "乙一社区")])
        )
        self.assertEqual([p.column for p in report.problems], ["社区代码"])

    def test_age_groups_exceeding_population(self):
        rows = [
            headers("community"),
            self.community_row(常住人口=500),
            self.community_row("990101001003", "甲三社区", **{"80岁及以上人口": 700}),
        ]
        before = self.counts()
        report = self.run_import(self.xlsx(rows))
        self.assertEqual(
            [(p.row, p.column) for p in report.problems], [(2, "常住人口"), (3, "80岁及以上人口")]
        )
        self.assert_nothing_changed(before)

    def test_duplicate_codes(self):
        rows = [headers("community"), self.community_row(), self.community_row(户数=5)]
        before = self.counts()
        report = self.run_import(self.xlsx(rows))
        self.assertEqual([(p.row, p.column) for p in report.problems], [(3, "社区代码")])
        self.assertIn("2", report.problems[0].message_zh)
        self.assert_nothing_changed(before)

    def test_gbk_csv_imports_correctly(self):
        # GBK has no '²': such files write m2 (or ㎡), which the header matching accepts.
        columns = [h.replace("²", "2") for h in headers("community")]
        path = self.csv([columns, self.community_row(name="黄河路社区")], encoding="gbk")
        report = self.run_import(path)
        self.assertEqual(report.problems, [])
        self.assertEqual(Jurisdiction.objects.get(code="990101001002").name, "黄河路社区")

    def test_title_row_above_the_headers(self):
        path = self.xlsx([["甲街道社区基本情况表"], headers("community"), self.community_row()])
        self.assertEqual(self.run_import(path).to_create, 1)

    def test_gcj02_coordinates_are_converted(self):
        wgs_lon, wgs_lat = 113.6, 34.75
        gcj_lon, gcj_lat = (float(v[0]) for v in wgs84_to_gcj02([wgs_lon], [wgs_lat]))
        # At this place GCJ-02 moves a point about 550 m east and 130 m south.
        self.assertAlmostEqual(gcj_lon - wgs_lon, 0.0060, places=4)
        self.assertAlmostEqual(gcj_lat - wgs_lat, -0.0012, places=4)
        row = self.community_row(中心点经度=gcj_lon, 中心点纬度=gcj_lat)
        report = self.run_import(self.xlsx([headers("community"), row]), source="gcj02")
        self.assertEqual(report.problems, [])
        community = Community.objects.get()
        self.assertAlmostEqual(community.centroid_lon, wgs_lon, places=6)
        self.assertAlmostEqual(community.centroid_lat, wgs_lat, places=6)

    def test_bd09_outside_china_is_a_problem(self):
        row = self.community_row(中心点经度=2.35, 中心点纬度=48.85)  # Paris
        before = self.counts()
        report = self.run_import(self.xlsx([headers("community"), row]), source="bd09")
        self.assertEqual([(p.row, p.column) for p in report.problems], [(2, "中心点经度")])
        self.assert_nothing_changed(before)

    def test_geojson_polygon_gives_boundary_and_centroid(self):
        polygon = shapely.box(113.60, 34.75, 113.61, 34.76)
        properties = {"street_code": "990101001000", "code": "990101001002", "name": "甲二社区"}
        feature = {
            "type": "Feature",
            "geometry": shapely.geometry.mapping(polygon),
            "properties": properties,
        }
        path = self.folder / "c.geojson"
        path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
        report = self.run_import(path)
        self.assertEqual(report.problems, [])
        community = Community.objects.get()
        self.assertEqual(community.boundary["type"], "Polygon")
        self.assertAlmostEqual(community.centroid_lon, 113.605)
        self.assertAlmostEqual(community.centroid_lat, 34.755)

    def test_unreadable_files(self):
        (self.folder / "bad.xlsx").write_bytes(b"not a workbook")
        (self.folder / "data.txt").write_text("x")
        (self.folder / "bad.geojson").write_text("{")
        before = self.counts()
        for name in ("bad.xlsx", "data.txt", "bad.geojson"):
            report = self.run_import(self.folder / name)
            self.assertEqual(len(report.problems), 1, name)
            self.assertEqual(report.problems[0].file, name)
        self.assert_nothing_changed(before)

    def test_permission(self):
        auditor = make_user(self.tree, Role.AUDITOR, self.tree.street_a, "auditor")
        worker = make_user(self.tree, Role.COMMUNITY_WORKER, self.tree.community_a, "worker")
        path = self.xlsx([headers("community"), self.community_row()])
        for user in (auditor, worker):  # a community worker may change communities, not add
            with self.assertRaises(PermissionDenied):
                registry_import(actor=user, kind="community", path=path)


class TestOtherKinds(ImportTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.operator = registry_create(
            actor=cls.officer,
            model=Operator,
            name="乐龄养老服务有限公司",
            uscc=uscc(1),
            operator_type="enterprise",
        )

    def facility_row(self, code="F001", scenario="养老服务", **values) -> list:
        row = dict.fromkeys(headers("facility"))
        row.update(
            {
                "设施编码": code,
                "设施名称": "甲一社区综合服务中心",
                "社区代码": "990101001001",
                "设施类型": "综合体",
                "经度": 113.6,
                "纬度": 34.75,
                "建筑面积(m²)": 1200,
                "运营主体统一社会信用代码": uscc(1),
                "运营模式": "公建民营",
                "开业日期": "2024/9/6",
                "服务场景": scenario,
                "服务类别": "基本公共服务类",
                "床位": 40,
                "护理床位": 20,
            }
        )
        row.update(values)
        return list(row.values())

    def site_row(self, code="S001", **values) -> list:
        row = dict.fromkeys(headers("candidate_site"))
        row.update(
            {
                "点位编码": code,
                "名称": "原纺织厂仓库",
                "社区代码": "990101001001",
                "经度": 113.6,
                "纬度": 34.75,
                "建筑类型": "仓库",
                "建筑面积(m²)": 800.255,
                "空间来源": "convert",
                "预计改造费用(元)": "1,250,000.50",
            }
        )
        row.update(values)
        return list(row.values())

    def test_facility_functions_as_rows(self):
        rows = [
            headers("facility"),
            self.facility_row(),
            self.facility_row(
                scenario="community_meals",
                服务类别="普惠非基本公共服务类",
                床位=0,
                护理床位=0,
                助餐座位=80,
                设施名称=None,
            ),
        ]
        report = registry_import(actor=self.officer, kind="facility", path=self.xlsx(rows))
        self.assertEqual((report.problems, report.create), ([], ["F001 甲一社区综合服务中心"]))
        facility = Facility.objects.get()
        self.assertEqual(facility.operator, self.operator)
        self.assertEqual(facility.opening_date.isoformat(), "2024-09-06")
        self.assertEqual(
            sorted(facility.functions.values_list("scenario", "canteen_seats")),
            [("community_meals", 80), ("elderly_care", 0)],
        )
        self.assertEqual(AuditRecord.objects.filter(object_type="registry.facility").count(), 1)
        record = AuditRecord.objects.get(object_type="registry.facility")
        self.assertEqual(len(record.after["functions"]), 2)

    def test_facility_problems(self):
        rows = [
            headers("facility"),
            self.facility_row(护理床位=50),  # more nursing beds than beds
            self.facility_row(scenario="养老服务"),  # the same function twice
            self.facility_row(scenario="health", 设施名称="另一个名字"),
            self.facility_row("F002", 运营主体统一社会信用代码=uscc(2), 社区代码="990101002001"),
            self.facility_row("F003", 运营主体统一社会信用代码="123", scenario="karaoke"),
        ]
        before = self.counts()
        report = registry_import(actor=self.officer, kind="facility", path=self.xlsx(rows))
        self.assertEqual(
            sorted((p.row, p.column) for p in report.problems),
            [
                (2, "护理床位"),
                (3, "服务场景"),
                (4, "设施名称"),
                (5, "社区代码"),
                (5, "运营主体统一社会信用代码"),
                (6, "服务场景"),
                (6, "运营主体统一社会信用代码"),
            ],
        )
        self.assert_nothing_changed(before)

    def test_operators_check_the_uscc(self):
        rows = [
            headers("operator"),
            [uscc(3), "幸福家政服务中心", "social_organization", "", ""],
            [uscc(5)[:-1] + ("0" if uscc(5)[-1] != "0" else "1"), "坏", "enterprise", "", ""],
            [uscc(4), "某公司", "个体户", "", ""],
        ]
        before = self.counts()
        report = registry_import(actor=self.officer, kind="operator", path=self.xlsx(rows))
        self.assertEqual(
            [(p.row, p.column) for p in report.problems], [(3, "统一社会信用代码"), (4, "类型")]
        )
        self.assert_nothing_changed(before)

    def test_sites_accept_codes_and_labels(self):
        report = registry_import(
            actor=self.officer,
            kind="candidate_site",
            path=self.xlsx([headers("candidate_site"), self.site_row()]),
        )
        self.assertEqual(report.problems, [])
        site = CandidateSite.objects.get()
        self.assertEqual(
            (site.building_type, site.space_source, site.floor_area_m2, site.renovation_cost_cny),
            ("warehouse", "convert", Decimal("800.26"), Decimal("1250000.50")),
        )

    def test_site_unknown_codes(self):
        rows = [
            headers("candidate_site"),
            self.site_row(建筑类型="castle"),
            self.site_row("S002", 空间来源="steal"),
            self.site_row("S003", 社区代码="990101002001"),
        ]
        before = self.counts()
        report = registry_import(actor=self.officer, kind="candidate_site", path=self.xlsx(rows))
        self.assertEqual(
            [(p.row, p.column) for p in report.problems],
            [(2, "建筑类型"), (3, "空间来源"), (4, "社区代码")],
        )
        self.assert_nothing_changed(before)

    def test_projected_geopackage_is_reprojected(self):
        # A site surveyed in UTM zone 49N (EPSG:32649), as a GeoPackage of points.
        from linli.geo.crs import from_wgs84

        x, y = from_wgs84([113.6], [34.75], "EPSG:32649")
        names = ["code", "name", "community_code", "building_type", "floor_area_m2", "space_source"]
        values = ["S009", "旧粮站", "990101001001", "warehouse", "300", "transfer"]
        path = self.folder / "sites.gpkg"
        import numpy as np

        pyogrio.raw.write(
            path,
            geometry=shapely.to_wkb(np.array([shapely.Point(x[0], y[0])], dtype=object)),
            field_data=[np.array([v], dtype=object) for v in values],
            fields=names,
            driver="GPKG",
            geometry_type="Point",
            crs="EPSG:32649",
        )
        report = registry_import(actor=self.officer, kind="candidate_site", path=path)
        self.assertEqual(report.problems, [])
        site = CandidateSite.objects.get()
        self.assertAlmostEqual(site.lon, 113.6, places=6)
        self.assertAlmostEqual(site.lat, 34.75, places=6)

    @pytest.mark.filterwarnings("ignore:Normalized/laundered field name")  # the point here
    def test_zipped_shapefile_with_truncated_field_names(self):
        import zipfile

        import numpy as np

        folder = self.folder / "shp"
        folder.mkdir()
        fields = {
            "code": "S010",
            "name": "旧供销社",
            "community_code": "990101001001",
            "building_type": "commercial",
            "floor_area_m2": "420",
            "space_source": "renovate",
        }
        pyogrio.raw.write(
            folder / "sites.shp",
            geometry=shapely.to_wkb(np.array([shapely.Point(113.6, 34.75)], dtype=object)),
            field_data=[np.array([v], dtype=object) for v in fields.values()],
            fields=list(fields),
            driver="ESRI Shapefile",
            geometry_type="Point",
            crs="EPSG:4326",
            encoding="UTF-8",
        )
        path = self.folder / "sites.zip"
        with zipfile.ZipFile(path, "w") as archive:
            for part in folder.iterdir():
                archive.write(part, f"nested/{part.name}")
        report = registry_import(actor=self.officer, kind="candidate_site", path=path)
        self.assertEqual(report.problems, [])
        site = CandidateSite.objects.get()
        self.assertEqual((site.name, site.space_source, site.lon), ("旧供销社", "renovate", 113.6))
