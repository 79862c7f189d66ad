import numpy as np
import pytest
from pyproj import CRS

from linli.geo.crs import (
    from_wgs84,
    is_wgs84_equivalent,
    local_metric_crs,
    to_wgs84,
    transform,
    utm_crs,
)


def test_wgs84_and_cgcs2000_are_treated_as_equal():
    assert is_wgs84_equivalent(4326)
    assert is_wgs84_equivalent("EPSG:4490")
    assert is_wgs84_equivalent("OGC:CRS84")  # GeoJSON's lon/lat order
    assert not is_wgs84_equivalent(32650)
    lon, lat = transform([116.39], [39.91], 4490, 4326)
    assert (lon[0], lat[0]) == (116.39, 39.91)


@pytest.mark.parametrize(
    ("lon", "lat", "epsg"),
    [(116.39, 39.91, 32650), (113.6, 34.7, 32649), (87.6, 43.8, 32645), (151.2, -33.9, 32756)],
)
def test_utm_zone_of_a_point(lon, lat, epsg):
    assert utm_crs(lon, lat) == CRS.from_epsg(epsg)


def test_utm_rejects_polar_points():
    with pytest.raises(ValueError, match="no UTM zone"):
        utm_crs(0.0, 85.0)


def test_local_metric_crs_uses_the_bounding_box_centre():
    assert local_metric_crs([113.5, 114.1], [34.6, 34.9]).to_epsg() == 32649
    with pytest.raises(ValueError):
        local_metric_crs([], [])


def test_metric_round_trip_and_distances():
    crs = utm_crs(116.39, 39.91)
    x, y = from_wgs84([116.39, 116.40], [39.91, 39.91], crs)
    # 0.01° of longitude at 39.91° N is 854.9 m on the ellipsoid; UTM scales it by 0.9996.
    assert np.hypot(x[1] - x[0], y[1] - y[0]) == pytest.approx(854.6, abs=0.3)
    lon, lat = to_wgs84(x, y, crs)
    np.testing.assert_allclose(lon, [116.39, 116.40], atol=1e-9)
    np.testing.assert_allclose(lat, [39.91, 39.91], atol=1e-9)
