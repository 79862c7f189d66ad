"""Registry export: every kind and format re-imports to the same data; templates import empty."""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

from openpyxl import load_workbook

from linli.demo.city import generate_city
from linli.registry.columns import SPECS
from linli.registry.exports import export_response
from linli.registry.imports import registry_import, registry_template
from linli.registry.models import CandidateSite, Community, Compound, Facility, Operator
from linli.registry.services import registry_create
from tests.registry.importing import ImportTestCase, headers, uscc, write_xlsx

_CITY = generate_city()


def _community_feature(index: int, community) -> dict:
    return {
        "type": "Feature",
        "geometry": json.loads(json.dumps(community.boundary.__geo_interface__)),
        "properties": {
            "street_code": "990101001000",
            "code": f"990101001{index + 101:03d}",
            "name": community.name,
            "households": community.households,
            "population": community.population,
            "aged_0_2": community.aged_0_2,
            "aged_3_5": community.aged_3_5,
            "aged_6_12": community.aged_6_12,
            "aged_60_plus": community.aged_60_plus,
            "aged_80_plus": community.aged_80_plus,
            "service_area_m2": community.service_area_m2,
            "pilot": False,  # a street cannot designate pilots (121号 一)
        },
    }


def _facility_row(facility, function) -> list:
    capacity = function.capacity if function else None
    return [
        facility.code,
        facility.name,
        "990101001101",
        facility.kind,
        facility.status,
        facility.lon,
        facility.lat,
        facility.address,
        facility.gross_floor_area_m2,
        facility.resident_activity_area_m2,
        facility.floors_used,
        facility.basement,
        uscc(1) if facility.operator_uscc else None,
        facility.operating_model,
        facility.opening_date,
        facility.land_use_grace_expiry,
        function and function.scenario,
        function and function.category,
        function and function.floor_area_m2,
        *(
            [
                capacity.beds,
                capacity.nursing_beds,
                capacity.respite_beds,
                capacity.infant_slots,
                capacity.afterschool_places,
                capacity.canteen_seats,
            ]
            if capacity
            else [None] * 6
        ),
        function and function.opening_hours,
    ]


def _site_row(site) -> list:
    return [
        site.code,
        site.name,
        "990101001102",
        site.lon,
        site.lat,
        "",
        site.building_type,
        site.floor_area_m2,
        site.floors,
        site.ownership,
        site.space_source,
        site.renovation_cost_cny,
        site.status,
        site.notes,
    ]


class TestRoundTrip(ImportTestCase):
    """Demo-city data (a street's worth) imported, exported and imported again unchanged."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        registry_create(
            actor=cls.officer,
            model=Operator,
            name="乐龄养老服务有限公司",
            uscc=uscc(1),
            operator_type="enterprise",
            contact_name="王敏",
            contact_phone="0371-5555 0101",
        )
        with tempfile.TemporaryDirectory() as folder:
            cls.load(Path(folder))

    @classmethod
    def load(cls, folder: Path) -> None:
        features = [_community_feature(i, c) for i, c in enumerate(_CITY.communities[:6])]
        path = folder / "communities.geojson"
        path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
        rows = [headers("facility")]
        for facility in _CITY.facilities[:8]:
            for function in facility.functions or [None]:
                rows.append(_facility_row(facility, function))
        sites = [headers("candidate_site")] + [_site_row(s) for s in _CITY.sites[:8]]
        compounds = [headers("compound")] + [
            [
                "990101001101",
                f"990101001101{i:03d}",
                c.name,
                c.households,
                c.centroid_lon,
                c.centroid_lat,
                c.year_built,
                c.new_estate,
            ]
            for i, c in enumerate(_CITY.compounds[:5], start=1)
        ]
        for kind, file in (
            ("community", path),
            ("facility", write_xlsx(folder / "facilities.xlsx", rows)),
            ("candidate_site", write_xlsx(folder / "sites.xlsx", sites)),
            ("compound", write_xlsx(folder / "compounds.xlsx", compounds)),
        ):
            report = registry_import(actor=cls.officer, kind=kind, path=file)
            assert report.problems == [], report.problems

    def test_every_kind_and_format_reimports_unchanged(self):
        self.assertEqual(Community.objects.count(), 6)
        self.assertGreater(Facility.objects.count(), 5)
        self.assertEqual((Compound.objects.count(), CandidateSite.objects.count()), (5, 8))
        for spec in SPECS.values():
            for fmt in ("xlsx", "csv", "geojson"):
                response = export_response(spec.model, spec.model.objects.all(), fmt)
                path = self.folder / f"{spec.kind}.{fmt}"
                path.write_bytes(response.content)
                before = self.counts()
                report = registry_import(actor=self.officer, kind=spec.kind, path=path)
                label = f"{spec.kind} {fmt}"
                self.assertEqual(
                    (report.problems, report.create, report.update), ([], [], []), label
                )
                self.assertEqual(report.unchanged, spec.model.objects.count(), label)
                self.assert_nothing_changed(before)

    def test_formats(self):
        csv_response = export_response(Community, Community.objects.all(), "csv")
        self.assertTrue(csv_response.content.startswith(b"\xef\xbb\xbf\xe8\xa1\x97"))  # BOM, 街
        self.assertIn("community-", csv_response["Content-Disposition"])
        geojson = json.loads(export_response(Community, Community.objects.all(), "geojson").content)
        self.assertEqual(geojson["features"][0]["geometry"]["type"], "Polygon")
        sites = json.loads(
            export_response(CandidateSite, CandidateSite.objects.all(), "geojson").content
        )
        self.assertEqual(sites["features"][0]["geometry"]["type"], "Point")
        self.assertNotIn("lon", sites["features"][0]["properties"])
        workbook = load_workbook(
            io.BytesIO(export_response(Facility, Facility.objects.all(), "xlsx").content)
        )
        first = [cell.value for cell in workbook.active[1]]
        self.assertEqual(first, headers("facility"))
        self.assertIn(
            workbook.active["Q2"].value,
            (
                "养老服务",
                "婴幼儿托育",
                "社区助餐",
                "家政便民",
                "健康服务",
                "体育健身",
                "文化休闲",
                "儿童托管",
                "儿童游憩",
                None,
            ),
        )

    def test_export_of_a_filtered_queryset(self):
        queryset = Community.objects.filter(population__gt=0)[:0]
        response = export_response(Community, Community.objects.filter(pk__in=queryset), "xlsx")
        rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
        self.assertEqual(rows, [tuple(headers("community"))])


class TestTemplate(ImportTestCase):
    def test_template_sheets_headers_and_dropdowns(self):
        for kind, spec in SPECS.items():
            workbook = load_workbook(io.BytesIO(registry_template(kind)))
            self.assertEqual(workbook.sheetnames, [spec.sheet, "说明"])
            data = workbook[spec.sheet]
            self.assertEqual([c.value for c in data[1]], headers(kind))
            choices = [c for c in spec.columns if c.type.options()]
            self.assertEqual(len(data.data_validations.dataValidation), len(choices), kind)
            for validation in data.data_validations.dataValidation:
                self.assertLessEqual(len(validation.formula1), 255)
            notes = [row[0] for row in workbook["说明"].iter_rows(values_only=True)]
            self.assertIn(spec.columns[0].zh, notes)
            # The empty template is a valid file: no rows, no problems.
            path = self.folder / f"{kind}.xlsx"
            path.write_bytes(registry_template(kind))
            report = registry_import(actor=self.officer, kind=kind, path=path)
            self.assertEqual((report.rows, report.problems), (0, []), kind)
