import numpy as np
import pytest

from linli.geo.crs import transform, utm_crs
from linli.geo.offsets import (
    bd09_to_gcj02,
    bd09_to_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    in_china,
    to_wgs84_from,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

# Published WGS 84 → GCJ-02 pairs (the eviltransform project's reference points):
# (wgs lon, wgs lat, gcj lon, gcj lat).
GCJ_PAIRS = [
    (121.5272106, 31.1774276, 121.531541859215, 31.17530398364597),  # Shanghai
    (113.912316, 22.543847, 113.9171764808363, 22.540796131694766),  # Shenzhen
    (116.377817, 39.911954, 116.38404722455657, 39.91334545536069),  # Beijing, west of Tiananmen
]


def _metres(lon_a, lat_a, lon_b, lat_b):
    crs = utm_crs(float(np.mean(lon_a)), float(np.mean(lat_a)))
    xa, ya = transform(lon_a, lat_a, 4326, crs)
    xb, yb = transform(lon_b, lat_b, 4326, crs)
    return np.hypot(xa - xb, ya - yb)


@pytest.mark.parametrize(("wlon", "wlat", "glon", "glat"), GCJ_PAIRS)
def test_wgs84_to_gcj02_matches_published_pairs(wlon, wlat, glon, glat):
    lon, lat = wgs84_to_gcj02(wlon, wlat)
    assert float(lon) == pytest.approx(glon, abs=1e-9)
    assert float(lat) == pytest.approx(glat, abs=1e-9)


@pytest.mark.parametrize(("wlon", "wlat", "glon", "glat"), GCJ_PAIRS)
def test_gcj02_to_wgs84_inverts_published_pairs_to_the_millimetre(wlon, wlat, glon, glat):
    lon, lat = gcj02_to_wgs84(glon, glat)
    assert _metres(lon, lat, wlon, wlat) < 0.001


def test_vendor_pair_bd09_and_why_one_step_inverse_is_not_enough():
    # Alibaba Cloud's address service documents GCJ-02 (120.026268, 30.279164) as BD-09
    # (120.032768, 30.285238) and WGS 84 (120.021519, 30.281543), 6 decimals.
    bd_lon, bd_lat = gcj02_to_bd09(120.026268, 30.279164)
    assert (round(float(bd_lon), 6), round(float(bd_lat), 6)) == (120.032768, 30.285238)
    lon, lat = gcj02_to_wgs84(120.026268, 30.279164)
    # Their WGS 84 is the one-step approximation, about 1.5 m off; ours maps back exactly.
    assert 1.0 < _metres(lon, lat, 120.021519, 30.281543) < 2.0
    back_lon, back_lat = wgs84_to_gcj02(lon, lat)
    assert _metres(back_lon, back_lat, 120.026268, 30.279164) < 1e-4


def test_round_trips_over_a_grid_across_china_are_sub_centimetre():
    lon, lat = np.meshgrid(np.arange(75.0, 134.0, 0.73), np.arange(18.5, 53.0, 0.61))
    lon, lat = lon.ravel(), lat.ravel()
    inside = in_china(lon, lat)
    assert inside.sum() > 1500
    lon, lat = lon[inside], lat[inside]
    for forward, inverse in ((wgs84_to_gcj02, gcj02_to_wgs84), (wgs84_to_bd09, bd09_to_wgs84)):
        out_lon, out_lat = forward(lon, lat)
        # The offset is real: tens to hundreds of metres everywhere in China.
        assert _metres(out_lon, out_lat, lon, lat).min() > 10.0
        back_lon, back_lat = inverse(out_lon, out_lat)
        assert _metres(back_lon, back_lat, lon, lat).max() < 0.01


def test_bd09_gcj02_round_trip():
    lon, lat = np.array([116.404, 113.62, 87.6]), np.array([39.915, 34.75, 43.8])
    back_lon, back_lat = bd09_to_gcj02(*gcj02_to_bd09(lon, lat))
    assert _metres(back_lon, back_lat, lon, lat).max() < 0.001


@pytest.mark.parametrize(
    ("name", "lon", "lat"),
    [
        ("Seoul", 126.98, 37.57),
        ("Pyongyang", 125.75, 39.03),
        ("Ulaanbaatar", 106.9, 47.9),
        ("Hanoi", 105.85, 21.03),
        ("Taipei", 121.5, 25.03),
        ("Tokyo", 139.7, 35.7),
        ("Kathmandu", 85.3, 27.7),
        ("Almaty", 76.9, 43.2),
        ("Vladivostok", 131.9, 43.1),
        ("London", -0.13, 51.5),
    ],
)
def test_no_gcj_offset_outside_china(name, lon, lat):
    assert not in_china(lon, lat)
    for convert in (wgs84_to_gcj02, gcj02_to_wgs84):
        out_lon, out_lat = convert(lon, lat)
        assert (float(out_lon), float(out_lat)) == (lon, lat)


@pytest.mark.parametrize(
    ("name", "lon", "lat"),
    [
        ("Beijing", 116.4, 39.9),
        ("Urumqi", 87.6, 43.8),
        ("Kashgar", 75.99, 39.47),
        ("Lhasa", 91.1, 29.65),
        ("Harbin", 126.6, 45.75),
        ("Hunchun", 130.37, 42.86),
        ("Sanya", 109.5, 18.25),
        ("Hong Kong", 114.17, 22.3),
        ("Xiamen", 118.1, 24.5),
        ("Hailar", 119.7, 49.2),
    ],
)
def test_offset_applies_across_china(name, lon, lat):
    assert in_china(lon, lat)


def test_named_sources():
    lon, lat = 116.38404722455657, 39.91334545536069
    assert tuple(map(float, to_wgs84_from("wgs84", lon, lat))) == (lon, lat)
    assert tuple(map(float, to_wgs84_from("cgcs2000", lon, lat))) == (lon, lat)
    w_lon, w_lat = to_wgs84_from("gcj02", lon, lat)
    assert _metres(w_lon, w_lat, 116.377817, 39.911954) < 0.001
    b_lon, b_lat = to_wgs84_from("bd09", *gcj02_to_bd09(lon, lat))
    assert _metres(b_lon, b_lat, 116.377817, 39.911954) < 0.001
    with pytest.raises(ValueError, match="unknown coordinate source 'baidu'"):
        to_wgs84_from("baidu", lon, lat)
