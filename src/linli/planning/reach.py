"""Walking reach as an area: the streets within a walk of a place, drawn as a polygon.

A circle of the walking radius claims places the streets do not lead to (across a river, behind
a wall) and misses none, so a map that draws one overstates a site's reach. This draws what the
bounded searches of :func:`linli.planning.access.catchments` actually reach: every street
segment walked from the place within the radius, the last one cut where the distance runs out,
widened by a few metres into an area.

>>> reach = reach_areas(graph, lon=[113.60], lat=[34.75], radius_m=500)  # doctest: +SKIP
>>> reach[0]["type"]  # doctest: +SKIP
'Polygon'
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import mapping

from linli.geo.crs import from_wgs84, local_metric_crs, to_wgs84
from linli.planning.access import catchments, snap_index, snap_points
from linli.planning.network import WalkGraph

# Half the width of a street as drawn, and the simplification tolerance, in metres.
STREET_HALF_WIDTH_M = 25.0
SIMPLIFY_M = 5.0


def reach_areas(
    graph: WalkGraph,
    lon: npt.ArrayLike,
    lat: npt.ArrayLike,
    radius_m: float,
    *,
    max_snap_m: float = 500.0,
) -> list[dict | None]:
    """The area within a walk of ``radius_m`` of each point, as GeoJSON geometries (WGS 84).

    Points farther than ``max_snap_m`` from the network reach nothing (``None``).
    """
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    if lon.size == 0:
        return []
    snapped = snap_points(snap_index(graph), lon, lat, max_snap_m)
    reach = catchments(graph, snapped.node, radius_m)
    crs = local_metric_crs(lon, lat)
    areas: list[dict | None] = []
    for i in range(lon.size):
        if snapped.too_far[i]:
            areas.append(None)
            continue
        window = slice(reach.offsets[i], reach.offsets[i + 1])
        streets = _walked_segments(graph, reach.node[window], reach.distance_m[window], radius_m)
        areas.append(_area(graph, streets, crs))
    return areas


def _walked_segments(graph: WalkGraph, nodes: np.ndarray, distance: np.ndarray, radius_m: float):
    """(from node, to node, fraction walked) of every street segment leaving a reached node."""
    first = graph.indptr[nodes].astype(np.int64)
    degree = graph.indptr[nodes + 1].astype(np.int64) - first
    # Every edge index of every reached node, in one vector: first + 0, 1, … degree - 1.
    edges = np.repeat(first - (np.cumsum(degree) - degree), degree) + np.arange(degree.sum())
    start = np.repeat(nodes, degree)
    left = np.repeat(radius_m - distance, degree)
    length = graph.length_m[edges]
    walked = np.clip(np.divide(left, length, out=np.ones_like(left), where=length > 0), 0, 1)
    return start, graph.indices[edges], walked


def _area(graph: WalkGraph, streets, crs) -> dict | None:
    start, end, walked = streets
    if not len(start):
        return None
    x0, y0 = from_wgs84(graph.lon[start], graph.lat[start], crs)
    x1, y1 = from_wgs84(graph.lon[end], graph.lat[end], crs)
    x1, y1 = x0 + walked * (x1 - x0), y0 + walked * (y1 - y0)
    lines = shapely.linestrings(
        np.stack([np.column_stack([x0, y0]), np.column_stack([x1, y1])], axis=1)
    )
    area = shapely.union_all(shapely.buffer(lines, STREET_HALF_WIDTH_M, quad_segs=2))
    area = shapely.simplify(area, SIMPLIFY_M)

    def back(coords: np.ndarray) -> np.ndarray:
        lon, lat = to_wgs84(coords[:, 0], coords[:, 1], crs)
        return np.column_stack([lon, lat]).round(6)

    return mapping(shapely.transform(area, back))
