"""Walking reach drawn as the streets reached, not a circle: across a river the bank opposite is
near in a straight line and far on foot."""

import numpy as np
from shapely.geometry import Point, shape

from linli.planning.network import NetworkReport, graph_from_edges, haversine_m
from linli.planning.reach import reach_areas

STEP = 0.001  # degrees of longitude between street nodes, about 91 m at 34.75° N
N = 31


def _two_banks():
    """Street A (south bank) and street B, 100 m north across a river, joined only by a
    bridge at the far east end, 2.7 km away."""
    lon = np.r_[113.60 + STEP * np.arange(N), 113.60 + STEP * np.arange(N)]
    lat = np.r_[np.full(N, 34.75), np.full(N, 34.7509)]
    u = np.r_[np.arange(N - 1), N + np.arange(N - 1), N - 1]
    v = np.r_[np.arange(1, N), N + np.arange(1, N), 2 * N - 1]
    w = haversine_m(lon[u], lat[u], lon[v], lat[v])
    return graph_from_edges(
        np.arange(2 * N), lon, lat, u, v, w, NetworkReport(highway_ways=0, walkable_ways=0)
    )


def test_the_reach_follows_the_streets_not_a_circle():
    (area,) = reach_areas(_two_banks(), lon=[113.60], lat=[34.75], radius_m=500)
    reach = shape(area)
    assert reach.contains(Point(113.60 + 4 * STEP, 34.75))  # 366 m along the street
    assert not reach.contains(Point(113.60 + 7 * STEP, 34.75))  # 640 m: beyond the walk
    # 100 m across the river, inside a 500 m circle, but 5 km away on foot.
    assert not reach.contains(Point(113.60, 34.7509))


def test_a_point_off_the_network_reaches_nothing():
    assert reach_areas(_two_banks(), lon=[114.5], lat=[34.75], radius_m=500) == [None]
