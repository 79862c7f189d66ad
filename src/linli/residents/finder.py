"""Finding services by walking distance: the planning engine's network, across boundaries.

From the resident's compound or a point picked on the map, one bounded Dijkstra search on the
city's walking network (:func:`linli.planning.access.catchments`) reaches every street corner
within the radius; each operating facility the user may see is then at the network distance
of its nearest corner, plus the short straight walks from the start to the network and from
the network to the door. Administrative lines play no part: a facility across the street in
the next community is found like one's own.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings

from linli.core.permissions import restrict
from linli.planning.access import catchments, snap_index, snap_points
from linli.planning.network import read_walk_graph
from linli.registry.models import Facility

# Age groups a resident filters by, and the scenarios that serve each (DESIGN.md §5).
AGE_GROUP_SCENARIOS = {
    "elderly": ("elderly_care", "community_meals", "health", "culture_leisure", "fitness"),
    "infants": ("infant_care", "child_play", "health"),
    "children": ("child_afterschool", "child_play", "culture_leisure", "fitness"),
    "adults": ("home_services", "health", "fitness", "culture_leisure", "community_meals"),
}
DEFAULT_RADIUS_M = 1000.0  # the 15-minute life circle (GB 50180-2018)
MAX_RADIUS_M = 3000.0
METRES_PER_DEGREE = 110_000.0

_graph_lock = threading.Lock()
_graph: tuple | None = None  # (file and time, graph, snapping index)


def network_path() -> Path:
    from linli.plans.handlers import network_path as plans_network_path

    return plans_network_path()


class NoNetwork(LookupError):
    """The city's walking network file is not there (set LINLI_NETWORK_FILE)."""


def walk_graph():
    """The city's walking network and its snapping index, read once per process (and again
    when the file changes)."""
    global _graph
    path = network_path()
    if not path.exists():
        raise NoNetwork(str(path))
    key = (str(path), path.stat().st_mtime)
    with _graph_lock:
        if _graph is None or _graph[0] != key:
            graph = read_walk_graph(path, cache_dir=settings.DATA_DIR / "cache" / "networks")
            _graph = (key, graph, snap_index(graph))
        return _graph[1], _graph[2]


@dataclass
class Found:
    facility: Facility
    distance_m: float
    scenarios: tuple[str, ...]
    price: str = ""  # the lowest price in force, set where prices are known

    @property
    def labels(self) -> list[str]:
        from linli.core.vocabulary import label
        from linli.policy.vocabulary import SCENARIOS

        return [label(SCENARIOS, s) for s in self.scenarios]

    @property
    def minutes(self) -> int:
        """Walking minutes at 60 m a minute (RULES.md §10.7)."""
        return max(1, math.ceil(self.distance_m / 60))


def facilities_near(
    user,
    lon: float,
    lat: float,
    radius_m: float = DEFAULT_RADIUS_M,
    scenarios: tuple[str, ...] | None = None,
) -> list[Found]:
    """Operating facilities within ``radius_m`` of walking from (lon, lat), nearest first."""
    radius_m = min(float(radius_m), MAX_RADIUS_M)
    lat_margin = radius_m / METRES_PER_DEGREE
    lon_margin = radius_m / (METRES_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01))
    facilities = restrict(
        Facility.objects.filter(
            status="operating",
            lon__range=(lon - lon_margin, lon + lon_margin),
            lat__range=(lat - lat_margin, lat + lat_margin),
        ),
        user,
    ).prefetch_related("functions")
    if scenarios:
        facilities = facilities.filter(functions__scenario__in=scenarios).distinct()
    facilities = list(facilities)
    if not facilities:
        return []
    graph, index = walk_graph()
    start = snap_points(index, np.array([lon]), np.array([lat]))
    doors = snap_points(
        index, np.array([f.lon for f in facilities]), np.array([f.lat for f in facilities])
    )
    reach = catchments(graph, start.node, radius_m)
    walked = dict(zip(reach.node.tolist(), reach.distance_m.tolist(), strict=True))
    found = []
    for i, facility in enumerate(facilities):
        on_network = walked.get(int(doors.node[i]))
        if on_network is None:
            continue
        distance = on_network + float(start.distance_m[0]) + float(doors.distance_m[i])
        if distance > radius_m:
            continue
        offered = tuple(
            f.scenario for f in facility.functions.all() if not scenarios or f.scenario in scenarios
        )
        found.append(Found(facility=facility, distance_m=distance, scenarios=offered))
    return sorted(found, key=lambda f: (f.distance_m, f.facility.code))
