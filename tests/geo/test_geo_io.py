import json

import numpy as np
import pandas as pd
import pyogrio.raw
import pytest
import shapely

from linli.geo.crs import from_wgs84, utm_crs
from linli.geo.io import VectorFileError, read_vector, write_vector
from linli.geo.offsets import wgs84_to_bd09, wgs84_to_gcj02

LON = np.array([113.62, 113.64])
LAT = np.array([34.75, 34.76])


def _write_points(path, points, crs, **fields):
    """Write points with pyogrio directly, to make files linli's writer would not."""
    pyogrio.raw.write(
        path,
        geometry=shapely.to_wkb(np.asarray(points, dtype=object)),
        field_data=[np.asarray(values) for values in fields.values()],
        fields=list(fields),
        geometry_type="Point",
        crs=crs,
    )


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg"])
def test_write_and_read_back(tmp_path, suffix):
    path = tmp_path / f"communities{suffix}"
    polygons = [shapely.box(113.6, 34.7, 113.61, 34.71), shapely.box(113.62, 34.7, 113.63, 34.72)]
    write_vector(path, polygons, pd.DataFrame({"code": ["A1", "A2"], "households": [1200, 860]}))
    data = read_vector(path, required_fields=["code"])
    assert data.source_crs.to_epsg() == 4326
    assert list(data.attributes["code"]) == ["A1", "A2"]
    assert list(data.attributes["households"]) == [1200, 860]
    assert all(a.equals(b) for a, b in zip(data.geometries, polygons, strict=True))


def test_projected_shapefile_is_reprojected_to_wgs84(tmp_path):
    crs = utm_crs(113.63, 34.75)
    x, y = from_wgs84(LON, LAT, crs)
    path = tmp_path / "sites.shp"
    _write_points(path, list(shapely.points(x, y)), crs.to_wkt(), name=np.array(["甲", "乙"]))
    data = read_vector(path)
    assert data.source_crs == crs
    coords = shapely.get_coordinates(data.geometries)
    np.testing.assert_allclose(coords[:, 0], LON, atol=1e-8)
    np.testing.assert_allclose(coords[:, 1], LAT, atol=1e-8)
    assert list(data.attributes["name"]) == ["甲", "乙"]


def test_cgcs2000_file_is_taken_as_is(tmp_path):
    path = tmp_path / "cgcs.gpkg"
    _write_points(path, list(shapely.points(LON, LAT)), "EPSG:4490", id=np.array([1, 2]))
    coords = shapely.get_coordinates(read_vector(path).geometries)
    np.testing.assert_array_equal(coords, np.column_stack([LON, LAT]))


@pytest.mark.parametrize(("source", "offset"), [("gcj02", wgs84_to_gcj02), ("bd09", wgs84_to_bd09)])
def test_offset_sources_are_converted_to_wgs84(tmp_path, source, offset):
    path = tmp_path / f"{source}.geojson"
    write_vector(path, list(shapely.points(*offset(LON, LAT))), {"id": [1, 2]})
    coords = shapely.get_coordinates(read_vector(path, source=source).geometries)
    np.testing.assert_allclose(coords, np.column_stack([LON, LAT]), atol=1e-9)


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_shapefile_without_prj_needs_a_crs(tmp_path):
    path = tmp_path / "noprj.shp"
    _write_points(path, list(shapely.points(LON, LAT)), None, id=np.array([1, 2]))
    with pytest.raises(VectorFileError, match=r"^noprj\.shp: declares no coordinate"):
        read_vector(path)
    assert len(read_vector(path, crs=4490).geometries) == 2


def test_wrong_crs_names_the_feature(tmp_path):
    crs = utm_crs(113.63, 34.75)
    x, y = from_wgs84(LON, LAT, crs)
    path = tmp_path / "wrong.geojson"
    # Metres labelled as degrees: the first feature is already out of range.
    write_vector(path, [None, *shapely.points(x, y)], {"id": [0, 1, 2]})
    with pytest.raises(VectorFileError) as raised:
        read_vector(path)
    assert raised.value.features == (1, 2)
    assert str(raised.value).startswith("wrong.geojson: feature 1 (and 1 more): coordinates ")


def test_bad_files_give_errors_naming_them(tmp_path):
    broken = tmp_path / "broken.geojson"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(VectorFileError, match=r"^broken\.geojson: not a readable vector file"):
        read_vector(broken)
    with pytest.raises(VectorFileError, match=r"^missing\.gpkg: file not found"):
        read_vector(tmp_path / "missing.gpkg")
    good = tmp_path / "good.geojson"
    good.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"name": "x"},
                        "geometry": {"type": "Point", "coordinates": [113.6, 34.7]},
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(VectorFileError, match=r"^good\.geojson: field 'code': missing"):
        read_vector(good, required_fields=["code"])
    with pytest.raises(VectorFileError, match="unknown coordinate source 'amap'"):
        read_vector(good, source="amap")


def test_offset_source_needs_lon_lat(tmp_path):
    crs = utm_crs(113.63, 34.75)
    path = tmp_path / "utm.gpkg"
    _write_points(
        path, list(shapely.points(*from_wgs84(LON, LAT, crs))), crs.to_wkt(), id=np.array([1, 2])
    )
    with pytest.raises(VectorFileError, match=r"^utm\.gpkg: gcj02 coordinates must be longitude"):
        read_vector(path, source="gcj02")


def test_write_rejects_unknown_format_and_mismatched_rows(tmp_path):
    with pytest.raises(VectorFileError, match=r"^out\.csv: write GeoJSON"):
        write_vector(tmp_path / "out.csv", [shapely.Point(0, 0)])
    with pytest.raises(VectorFileError, match="2 geometries but 1 attribute rows"):
        write_vector(tmp_path / "out.geojson", [shapely.Point(0, 0)] * 2, {"id": [1]})


def test_geojson_declaring_crs84_counts_as_lon_lat(tmp_path):
    lon, lat = wgs84_to_gcj02(LON, LAT)
    path = tmp_path / "amap.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"id": i},
                        "geometry": {"type": "Point", "coordinates": [lon[i], lat[i]]},
                    }
                    for i in range(2)
                ],
            }
        ),
        encoding="utf-8",
    )
    coords = shapely.get_coordinates(read_vector(path, source="gcj02").geometries)
    np.testing.assert_allclose(coords, np.column_stack([LON, LAT]), atol=1e-9)
