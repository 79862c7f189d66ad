"""A city's extent and the distance of a point outside it, in metres."""

import pytest

from linli.geo.extent import Extent

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[113.0, 34.0], [113.1, 34.0], [113.1, 34.1], [113.0, 34.1], [113.0, 34.0]]],
}


def test_inside_is_zero_and_outside_is_metres():
    extent = Extent.from_geometries([SQUARE])
    assert extent.distance_m(113.05, 34.05) == 0
    # 0.01° of longitude at 34.05° N is about 922 m.
    assert extent.distance_m(113.11, 34.05) == pytest.approx(922, rel=0.01)
    # A digit wrong in the longitude: some 680 km away.
    assert extent.distance_m(120.5, 34.05) == pytest.approx(680_000, rel=0.02)


def test_points_extend_the_hull_and_nothing_gives_none():
    extent = Extent.from_geometries([SQUARE], lon=[113.2], lat=[34.05])
    assert extent.distance_m(113.15, 34.05) == 0
    assert Extent.from_geometries([], lon=[], lat=[]) is None
