"""Chinese map offsets: GCJ-02 (高德, 腾讯) and BD-09 (百度) to and from WGS 84.

Coordinates copied from 高德/腾讯 maps are in GCJ-02, a published but non-invertible distortion of
WGS 84 of up to about 700 m; 百度 adds its own BD-09 distortion on top of GCJ-02. linli converts
such input to WGS 84 on import and never stores the offset coordinates.

Why not a library: of the PyPI packages that do this, ``coord-convert``, ``eviltransform`` and
``prcoords`` are unmaintained since 2018–2019, and the maintained ``coordTransform`` inverts
GCJ-02 in one step, which leaves errors of 1–2 m; all of them are scalar-only and decide
"inside China" by a rectangle (such as 73.66–135.05 E, 3.86–53.55 N) that wrongly offsets
Seoul, Pyongyang, Ulaanbaatar and Hanoi. Here the forward transforms are the published formulas,
vectorised with numpy; the inverses iterate the forward transform to below a micrometre; and
"inside China" is a coarse outline.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import shapely

Arrays = tuple[np.ndarray, np.ndarray]

SOURCES = ("wgs84", "cgcs2000", "gcj02", "bd09")
"""Named coordinate sources: ``wgs84`` (GPS), ``cgcs2000`` (天地图, surveys; equal to WGS 84
for linli), ``gcj02`` (高德, 腾讯) and ``bd09`` (百度)."""

# Krasovsky 1940 ellipsoid, as used by the GCJ-02 algorithm.
_A = 6378245.0
_EE = 0.00669342162296594323
_BD_FACTOR = np.pi * 3000.0 / 180.0
_INVERSE_TOLERANCE_DEG = 1e-11  # about 1 µm
_INVERSE_MAX_ITERATIONS = 30

# Mainland China with Hong Kong, Macau and Hainan, where map providers apply GCJ-02. A coarse
# outline (about ±30 km at land borders) that keeps neighbouring capitals outside; Taiwan is
# outside it.
# fmt: off
_CHINA_POLYGON = shapely.Polygon([
    (123.5, 53.55), (125.6, 53.0), (127.5, 50.3), (130.6, 48.9), (132.5, 47.7), (134.75, 48.4),
    (133.1, 45.1), (131.9, 45.3), (131.2, 44.9), (131.3, 43.0), (130.6, 42.4), (129.7, 42.45),
    (128.1, 41.9), (126.6, 41.7), (125.0, 40.5), (124.6, 39.8), (123.5, 37.5), (123.0, 31.0),
    (121.0, 27.5), (120.0, 26.0), (119.0, 24.5), (117.5, 23.0), (114.5, 22.0), (113.0, 21.7),
    (111.2, 19.8), (109.6, 17.9), (108.3, 18.5), (108.0, 21.6), (106.7, 22.0), (105.3, 23.3),
    (103.9, 22.5), (102.4, 22.6), (101.6, 21.2), (99.3, 21.9), (98.9, 23.2), (97.5, 23.9),
    (97.7, 25.0), (98.7, 25.9), (98.7, 27.5), (97.5, 28.3), (96.0, 29.4), (94.0, 29.2),
    (92.0, 27.9), (89.6, 28.2), (88.9, 27.3), (88.0, 27.9), (85.9, 28.2), (84.0, 28.6),
    (81.2, 30.0), (78.7, 31.5), (78.7, 32.5), (79.5, 34.3), (78.0, 35.5), (75.8, 36.9),
    (74.6, 37.1), (74.8, 38.0), (73.6, 39.3), (74.9, 40.5), (76.8, 41.0), (78.3, 41.5),
    (80.2, 42.1), (80.8, 43.2), (80.2, 44.8), (82.6, 45.3), (82.3, 46.9), (83.0, 47.3),
    (85.6, 47.1), (87.3, 49.1), (88.7, 48.2), (90.2, 47.6), (90.9, 46.2), (91.0, 45.0),
    (93.5, 44.9), (95.4, 44.2), (96.4, 42.7), (100.8, 42.6), (105.0, 41.6), (107.0, 42.3),
    (110.0, 42.6), (111.9, 43.6), (113.6, 44.8), (116.5, 46.3), (118.0, 46.7), (119.9, 46.8),
    (117.0, 48.0), (115.6, 47.9), (117.3, 49.6), (119.2, 50.3), (120.0, 51.9), (121.5, 53.3),
])
# fmt: on
shapely.prepare(_CHINA_POLYGON)
# GCJ-02 moves points by at most about 0.01°; this margin holds every offset image.
_CHINA_NEIGHBOURHOOD = _CHINA_POLYGON.buffer(0.05)
shapely.prepare(_CHINA_NEIGHBOURHOOD)


def _arrays(lon: npt.ArrayLike, lat: npt.ArrayLike) -> Arrays:
    lon_arr, lat_arr = np.broadcast_arrays(
        np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    )
    return lon_arr.astype(float, copy=True), lat_arr.astype(float, copy=True)


def in_china(lon: npt.ArrayLike, lat: npt.ArrayLike) -> np.ndarray:
    """Whether each point lies where GCJ-02 applies (mainland China, Hong Kong, Macau)."""
    lon_arr, lat_arr = _arrays(lon, lat)
    return shapely.contains_xy(_CHINA_POLYGON, lon_arr, lat_arr)


def _gcj_delta(lon: np.ndarray, lat: np.ndarray) -> Arrays:
    """The GCJ-02 offset in degrees at a WGS 84 point (the published algorithm)."""
    x, y = lon - 105.0, lat - 35.0
    common = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    d_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    d_lat += common
    d_lat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    d_lat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    d_lon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    d_lon += common
    d_lon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    d_lon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    rad_lat = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * np.cos(rad_lat) * np.pi)
    return d_lon, d_lat


def wgs84_to_gcj02(lon: npt.ArrayLike, lat: npt.ArrayLike) -> Arrays:
    """WGS 84 to GCJ-02; points outside China are returned unchanged."""
    lon_arr, lat_arr = _arrays(lon, lat)
    inside = in_china(lon_arr, lat_arr)
    d_lon, d_lat = _gcj_delta(lon_arr[inside], lat_arr[inside])
    lon_arr[inside] += d_lon
    lat_arr[inside] += d_lat
    return lon_arr, lat_arr


def _invert(
    forward: Callable[[np.ndarray, np.ndarray], Arrays], lon: np.ndarray, lat: np.ndarray
) -> Arrays:
    """Solve ``forward(x) == target`` by fixed-point iteration, starting from the target.

    The offsets change by less than 1e-3 of a degree per degree, so each step gains about
    three digits; a handful of steps reach the tolerance.
    """
    x_lon, x_lat = lon.copy(), lat.copy()
    for _ in range(_INVERSE_MAX_ITERATIONS):
        f_lon, f_lat = forward(x_lon, x_lat)
        err_lon, err_lat = f_lon - lon, f_lat - lat
        x_lon -= err_lon
        x_lat -= err_lat
        if max(np.max(np.abs(err_lon), initial=0.0), np.max(np.abs(err_lat), initial=0.0)) < (
            _INVERSE_TOLERANCE_DEG
        ):
            break
    return x_lon, x_lat


def gcj02_to_wgs84(lon: npt.ArrayLike, lat: npt.ArrayLike) -> Arrays:
    """GCJ-02 to WGS 84 to sub-millimetre accuracy (iterative inverse of the forward
    transform); points outside China are returned unchanged."""
    lon_arr, lat_arr = _arrays(lon, lat)
    # Whether the offset applies depends on the WGS 84 point, which is still unknown: solve
    # for every point near China, and keep the solution only where it lands inside.
    near = shapely.contains_xy(_CHINA_NEIGHBOURHOOD, lon_arr, lat_arr)

    def offset(x: np.ndarray, y: np.ndarray) -> Arrays:
        d_lon, d_lat = _gcj_delta(x, y)
        return x + d_lon, y + d_lat

    w_lon, w_lat = _invert(offset, lon_arr[near], lat_arr[near])
    inside = in_china(w_lon, w_lat)
    near_index = np.flatnonzero(near)[inside]
    lon_arr.flat[near_index] = w_lon[inside]
    lat_arr.flat[near_index] = w_lat[inside]
    return lon_arr, lat_arr


def gcj02_to_bd09(lon: npt.ArrayLike, lat: npt.ArrayLike) -> Arrays:
    """GCJ-02 to BD-09 (百度's published transform)."""
    x, y = _arrays(lon, lat)
    z = np.hypot(x, y) + 0.00002 * np.sin(y * _BD_FACTOR)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _BD_FACTOR)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def bd09_to_gcj02(lon: npt.ArrayLike, lat: npt.ArrayLike) -> Arrays:
    """BD-09 to GCJ-02, iterating :func:`gcj02_to_bd09` (the usual closed form is off by
    millimetres)."""
    lon_arr, lat_arr = _arrays(lon, lat)
    return _invert(gcj02_to_bd09, lon_arr, lat_arr)


def wgs84_to_bd09(lon: npt.ArrayLike, lat: npt.ArrayLike) -> Arrays:
    """WGS 84 to BD-09."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: npt.ArrayLike, lat: npt.ArrayLike) -> Arrays:
    """BD-09 to WGS 84."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def to_wgs84_from(source: str, lon: npt.ArrayLike, lat: npt.ArrayLike) -> Arrays:
    """Convert longitude/latitude from a named ``source`` (see :data:`SOURCES`) to WGS 84."""
    if source in ("wgs84", "cgcs2000"):
        return _arrays(lon, lat)
    if source == "gcj02":
        return gcj02_to_wgs84(lon, lat)
    if source == "bd09":
        return bd09_to_wgs84(lon, lat)
    raise ValueError(f"unknown coordinate source {source!r}; expected one of {', '.join(SOURCES)}")
