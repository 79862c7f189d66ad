"""Map layers as GeoJSON, read through ``restrict`` like every other list."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from linli.core.permissions import has_permission, restrict
from linli.core.vocabulary import label
from linli.policy import vocabulary
from linli.registry.models import CandidateSite, Community, Facility, Jurisdiction


def _point(lon: float, lat: float) -> dict:
    return {"type": "Point", "coordinates": [lon, lat]}


def _community_feature(community: Community) -> dict | None:
    geometry = community.boundary or (
        _point(community.centroid_lon, community.centroid_lat)
        if community.centroid_lon is not None
        else None
    )
    if geometry is None:
        return None
    share = community.aged_60_plus / community.population if community.population else None
    return {
        "type": "Feature",
        "geometry": geometry,
        "properties": {
            "name": str(community),
            "url": community.get_absolute_url(),
            "population": community.population,
            "elderly_share": share,
        },
    }


def _facility_feature(facility: Facility) -> dict:
    return {
        "type": "Feature",
        "geometry": _point(facility.lon, facility.lat),
        "properties": {
            "name": facility.name,
            "url": facility.get_absolute_url(),
            "kind": facility.kind,
            "status": facility.status,
            "scenarios": [function.scenario for function in facility.functions.all()],
        },
    }


def _site_feature(site: CandidateSite) -> dict:
    return {
        "type": "Feature",
        "geometry": _point(site.lon, site.lat),
        "properties": {
            "name": site.name,
            "url": site.get_absolute_url(),
            "space_source": site.space_source,
            "status": site.status,
            "floor_area_m2": float(site.floor_area_m2),
        },
    }


LAYERS = {
    "communities": (Community, ("jurisdiction",), (), _community_feature),
    "facilities": (Facility, (), ("functions",), _facility_feature),
    "sites": (CandidateSite, (), (), _site_feature),
}


def map_features(user, layer: str, within: str | None = None) -> dict:
    """A FeatureCollection of ``layer`` for ``user``; ``within`` narrows to a node's subtree.

    Raises KeyError for an unknown layer and PermissionDenied without the view permission.
    """
    model, related, prefetch, to_feature = LAYERS[layer]
    if not has_permission(user, model, "view"):
        raise PermissionDenied
    queryset = restrict(model.objects.select_related(*related).prefetch_related(*prefetch), user)
    if within:
        node = (
            restrict(Jurisdiction.objects.filter(pk=within), user).first()
            if within.isdigit()
            else None
        )
        queryset = (
            queryset.filter(jurisdiction__path__startswith=node.path) if node else queryset.none()
        )
    features = [feature for obj in queryset if (feature := to_feature(obj)) is not None]
    # A foreign member of the collection (RFC 7946 §6.1): what the map's colours mean.
    return {"type": "FeatureCollection", "features": features, "legend": LEGENDS[layer]()}


def _community_legend() -> dict:
    return {"title": _("Share of residents aged 60+"), "ramp": {"from": "≤ 13%", "to": "≥ 35%"}}


def _facility_legend() -> dict:
    items = [
        {"key": code, "label": label(vocabulary.SCENARIOS, code)} for code in vocabulary.SCENARIOS
    ]
    return {
        "title": _("Facilities by their first service"),
        "items": [{"key": "complex", "label": label(vocabulary.KINDS, "complex")}, *items],
    }


def _site_legend() -> dict:
    return {
        "title": _("Candidate sites by space source"),
        "items": [
            {"key": code, "label": label(vocabulary.SPACE_SOURCES, code)}
            for code in vocabulary.SPACE_SOURCES
        ],
    }


LEGENDS = {"communities": _community_legend, "facilities": _facility_legend, "sites": _site_legend}
