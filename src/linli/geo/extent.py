"""A city's extent, and how far a point lies outside it (no Django).

The extent is the convex hull of the city's communities (their boundaries, or their centroids
where no boundary is known), in the local UTM zone. A point inside it is plausible; a point
outside is measured in metres, so that a caller can warn ("1.2 km outside the city") or refuse
("712 km outside: longitude and latitude swapped?").

>>> extent = Extent.from_geometries([], lon=[116.30, 116.40, 116.35], lat=[39.90, 39.90, 39.95])
>>> round(float(extent.distance_m(116.35, 39.92)))
0
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import CRS
from shapely.geometry import shape

from linli.geo.crs import from_wgs84, local_metric_crs


@dataclass(frozen=True)
class Extent:
    """The convex hull of a city's communities in a local metric CRS."""

    crs: CRS
    hull: shapely.Geometry

    @classmethod
    def from_geometries(
        cls, geometries: Iterable[dict], lon: npt.ArrayLike = (), lat: npt.ArrayLike = ()
    ) -> Extent | None:
        """The hull of GeoJSON ``geometries`` (WGS 84) and of the points ``lon, lat``.

        Returns None when there is nothing located to measure against.
        """
        xs = [np.asarray(lon, dtype=float).ravel()]
        ys = [np.asarray(lat, dtype=float).ravel()]
        for geometry in geometries:
            coords = shapely.get_coordinates(shape(geometry).convex_hull)
            xs.append(coords[:, 0])
            ys.append(coords[:, 1])
        x, y = np.concatenate(xs), np.concatenate(ys)
        keep = np.isfinite(x) & np.isfinite(y)
        if not keep.any():
            return None
        x, y = x[keep], y[keep]
        crs = local_metric_crs(x, y)
        east, north = from_wgs84(x, y, crs)
        return cls(crs=crs, hull=shapely.multipoints(np.column_stack([east, north])).convex_hull)

    def distance_m(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> np.ndarray:
        """Metres from each point to the extent; 0 inside it."""
        east, north = from_wgs84(lon, lat, self.crs)
        return np.asarray(shapely.distance(self.hull, shapely.points(east, north)), dtype=float)
