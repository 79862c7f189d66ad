"""Is a location plausible? Measured against the city's extent (the hull of its communities).

A point outside the extent by more than ``LOCATION_WARN_OUTSIDE_M`` is saved with a warning
that gives the distance; beyond ``LOCATION_REFUSE_OUTSIDE_M`` it is refused, naming the field:
such a point is a typing error, swapped longitude and latitude, or another city (a site 700 km
away was once accepted into a community). Until some community is located there is nothing to
measure against, and every point passes.

The extent is the whole installation's (one city per installation, the root of the tree). It is
read without ``restrict``: the check reveals a distance, never another office's data.
"""

from __future__ import annotations

import threading

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Sum
from django.utils.translation import gettext as _

from linli.geo.extent import Extent

# What is located, and where: the model's longitude and latitude fields.
LOCATED = {
    "facility": ("lon", "lat"),
    "candidatesite": ("lon", "lat"),
    "compound": ("centroid_lon", "centroid_lat"),
}

_memo: dict = {}
_memo_lock = threading.Lock()


def city_extent() -> Extent | None:
    """The hull of the communities' boundaries (or centroids), recomputed when they change."""
    from linli.audit.models import AuditRecord
    from linli.registry.models import Community

    communities = Community.objects.all()
    figures = communities.aggregate(n=Count("pk"), lon=Sum("centroid_lon"), lat=Sum("centroid_lat"))
    # Every change to a community is audited, imports included: the newest record marks it.
    changed = AuditRecord.objects.filter(object_type="registry.community").aggregate(Max("pk"))
    key = (*figures.values(), changed["pk__max"])
    with _memo_lock:
        if _memo.get("key") == key:
            return _memo["extent"]
    rows = list(communities.values_list("boundary", "centroid_lon", "centroid_lat"))
    unbounded = [(lon, lat) for boundary, lon, lat in rows if not boundary and lon is not None]
    extent = Extent.from_geometries(
        [boundary for boundary, _lon, _lat in rows if boundary],
        lon=[lon for lon, _lat in unbounded],
        lat=[lat for _lon, lat in unbounded],
    )
    with _memo_lock:
        _memo.update(key=key, extent=extent)
    return extent


def distance_outside_m(lon: float, lat: float, extent: Extent | None = None) -> float:
    """Metres between the point and the city's extent (0 inside, or with nothing to measure)."""
    if lon is None or lat is None or not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return 0.0  # missing or out of range: the field's own validators say so
    extent = extent if extent is not None else city_extent()
    return 0.0 if extent is None else float(extent.distance_m(lon, lat))


def _km(metres: float) -> str:
    return f"{metres / 1000:,.1f}"


def refusal(distance_m: float) -> str | None:
    """Why a point this far outside is refused, or None."""
    if distance_m <= settings.LOCATION_REFUSE_OUTSIDE_M:
        return None
    return _(
        "This point lies %(distance)s km outside the city's communities, more than the "
        "%(limit)s km allowed: check the longitude and latitude (swapped, or taken from a "
        "GCJ-02/BD-09 map without saying so)."
    ) % {"distance": _km(distance_m), "limit": _km(settings.LOCATION_REFUSE_OUTSIDE_M)}


def warning(distance_m: float) -> str | None:
    """What to tell the user about a point this far outside, or None."""
    if distance_m <= settings.LOCATION_WARN_OUTSIDE_M:
        return None
    return _(
        "The location lies %(distance)s km outside the city's communities; please check it."
    ) % {"distance": _km(distance_m)}


def check_location(obj) -> None:
    """Refuse ``obj`` (a facility, site or compound) located implausibly far from the city."""
    fields = LOCATED.get(obj._meta.model_name)
    if fields is None:
        return
    lon, lat = (getattr(obj, name) for name in fields)
    message = refusal(distance_outside_m(lon, lat))
    if message:
        raise ValidationError({fields[0]: message})


def location_warning(obj) -> str | None:
    """The warning to show once ``obj`` is saved, if its location is doubtful."""
    fields = LOCATED.get(obj._meta.model_name)
    if fields is None:
        return None
    return warning(distance_outside_m(*(getattr(obj, name) for name in fields)))
