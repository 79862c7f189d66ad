"""The deterministic demo city used by ``linli demo`` (plain data, no Django).

>>> city = generate_city()          # doctest: +SKIP
>>> write_osm(city, "demo.osm.pbf")  # doctest: +SKIP
"""

from linli.demo.city import Community, Compound, DemoCity, JurisdictionSpec, generate_city
from linli.demo.osm import StreetNetwork, write_osm
from linli.demo.services import CandidateSite, Capacity, Facility, FacilityFunction, Operator

__all__ = [
    "CandidateSite",
    "Capacity",
    "Community",
    "Compound",
    "DemoCity",
    "Facility",
    "FacilityFunction",
    "JurisdictionSpec",
    "Operator",
    "StreetNetwork",
    "generate_city",
    "write_osm",
]
