"""Coordinate reference systems: WGS 84 / CGCS2000 storage and a local metric CRS for distances.

linli stores coordinates in WGS 84 (EPSG:4326). CGCS2000 (EPSG:4490) differs from WGS 84 by a
few centimetres, far below the accuracy of any address or survey the programme handles, so the
two are treated as equal and never transformed into each other. Metric work (buffers, areas,
nearest neighbours) runs in the UTM zone of the data.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import numpy.typing as npt
from pyproj import CRS, Transformer

WGS84 = CRS.from_epsg(4326)
CGCS2000 = CRS.from_epsg(4490)

CRSLike = CRS | str | int


def as_crs(crs: CRSLike) -> CRS:
    """Return ``crs`` as a :class:`pyproj.CRS` (accepts an EPSG integer, a string or a CRS)."""
    return crs if isinstance(crs, CRS) else CRS.from_user_input(crs)


def is_wgs84_equivalent(crs: CRSLike) -> bool:
    """Whether ``crs`` is WGS 84 or CGCS2000 lon/lat (in either axis order, so ``OGC:CRS84``
    of GeoJSON counts), which linli treats as the same system."""
    crs = as_crs(crs)
    return any(crs.equals(reference, ignore_axis_order=True) for reference in (WGS84, CGCS2000))


def utm_crs(lon: float, lat: float) -> CRS:
    """The WGS 84 UTM zone CRS containing ``(lon, lat)`` — the local metric CRS for that place.

    UTM keeps scale error under 0.04 % within a zone, so distances of a city-sized area are
    exact enough for walking-range planning.
    """
    if not (-180.0 <= lon <= 180.0 and -80.0 <= lat <= 84.0):
        raise ValueError(f"no UTM zone for lon={lon}, lat={lat}")
    zone = min(int((lon + 180.0) // 6.0) + 1, 60)
    return CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


def local_metric_crs(lon: npt.ArrayLike, lat: npt.ArrayLike) -> CRS:
    """The UTM zone CRS at the centre of the bounding box of the given WGS 84 points."""
    lon_arr = np.asarray(lon, dtype=float)
    lat_arr = np.asarray(lat, dtype=float)
    if lon_arr.size == 0:
        raise ValueError("cannot choose a metric CRS for no points")
    centre_lon = (float(np.nanmin(lon_arr)) + float(np.nanmax(lon_arr))) / 2.0
    centre_lat = (float(np.nanmin(lat_arr)) + float(np.nanmax(lat_arr))) / 2.0
    return utm_crs(centre_lon, centre_lat)


@lru_cache(maxsize=64)
def _transformer(source_wkt: str, target_wkt: str) -> Transformer:
    return Transformer.from_crs(source_wkt, target_wkt, always_xy=True)


def transform(
    x: npt.ArrayLike, y: npt.ArrayLike, source: CRSLike, target: CRSLike
) -> tuple[np.ndarray, np.ndarray]:
    """Transform coordinate arrays from ``source`` to ``target`` (x = easting/longitude first).

    WGS 84 and CGCS2000 are treated as equal, so a transform between them returns a copy.
    """
    x_arr = np.array(x, dtype=float)
    y_arr = np.array(y, dtype=float)
    source_crs, target_crs = as_crs(source), as_crs(target)
    if source_crs == target_crs or (
        is_wgs84_equivalent(source_crs) and is_wgs84_equivalent(target_crs)
    ):
        return x_arr, y_arr
    out_x, out_y = _transformer(source_crs.to_wkt(), target_crs.to_wkt()).transform(x_arr, y_arr)
    return np.asarray(out_x, dtype=float), np.asarray(out_y, dtype=float)


def to_wgs84(x: npt.ArrayLike, y: npt.ArrayLike, source: CRSLike) -> tuple[np.ndarray, np.ndarray]:
    """Transform coordinates in ``source`` to WGS 84 longitude and latitude."""
    return transform(x, y, source, WGS84)


def from_wgs84(
    lon: npt.ArrayLike, lat: npt.ArrayLike, target: CRSLike
) -> tuple[np.ndarray, np.ndarray]:
    """Transform WGS 84 longitude and latitude to ``target``."""
    return transform(lon, lat, WGS84, target)
