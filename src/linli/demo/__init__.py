"""The deterministic demo city used by ``linli demo`` (plain data, no Django).

>>> city = generate_city()          # doctest: +SKIP
>>> write_osm(city, "demo.osm.pbf")  # doctest: +SKIP
"""

from linli.demo.city import Community, Compound, DemoCity, JurisdictionSpec, generate_city
from linli.demo.osm import StreetNetwork, write_osm
from linli.demo.services import CandidateSite, Capacity, Facility, FacilityFunction, Operator

# Every demo account's password (printed by ``linli demo``; the demo is not for production).
DEMO_PASSWORD = "linli-demo-2026"

__all__ = [
    "DEMO_PASSWORD",
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
