"""The demo city's walking network, written once per test process: the sample registry
(linli.registry.testing) lies inside the demo city's area, so this network serves it."""

import tempfile
from pathlib import Path

from linli.demo.city import generate_city
from linli.demo.osm import write_osm

NETWORK = write_osm(generate_city(), Path(tempfile.mkdtemp(prefix="linli-net-")) / "city.osm.pbf")
