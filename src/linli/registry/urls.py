from django.urls import path

from linli.registry import views

app_name = "registry"


def _crud(prefix: str, name: str, list_view, detail_view, create, edit) -> list:
    return [
        path(f"{prefix}/", list_view.as_view(), name=f"{name}_list"),
        path(f"{prefix}/new/", create, name=f"{name}_create"),
        path(f"{prefix}/<int:pk>/", detail_view.as_view(), name=f"{name}_detail"),
        path(f"{prefix}/<int:pk>/edit/", edit, name=f"{name}_edit"),
        path(f"{prefix}/<int:pk>/delete/", getattr(views, f"{name}_delete"), name=f"{name}_delete"),
    ]


urlpatterns = [
    path("jurisdictions/", views.JurisdictionListView.as_view(), name="jurisdiction_list"),
    path(
        "jurisdictions/<int:pk>/",
        views.JurisdictionDetailView.as_view(),
        name="jurisdiction_detail",
    ),
    path(
        "jurisdictions/<int:pk>/add/", views.jurisdiction_add_child, name="jurisdiction_add_child"
    ),
    path("jurisdictions/pick/", views.jurisdiction_pick, name="jurisdiction_pick"),
    path("jurisdictions/<int:pk>/edit/", views.jurisdiction_edit, name="jurisdiction_edit"),
    *_crud(
        "communities",
        "community",
        views.CommunityListView,
        views.CommunityDetailView,
        views.community_create,
        views.community_edit,
    ),
    *_crud(
        "compounds",
        "compound",
        views.CompoundListView,
        views.CompoundDetailView,
        views.compound_create,
        views.compound_edit,
    ),
    *_crud(
        "facilities",
        "facility",
        views.FacilityListView,
        views.FacilityDetailView,
        views.facility_create,
        views.facility_edit,
    ),
    *_crud(
        "sites",
        "candidatesite",
        views.CandidateSiteListView,
        views.CandidateSiteDetailView,
        views.site_create,
        views.site_edit,
    ),
    *_crud(
        "operators",
        "operator",
        views.OperatorListView,
        views.OperatorDetailView,
        views.operator_create,
        views.operator_edit,
    ),
    path("map/<slug:layer>.geojson", views.map_data, name="map_data"),
]
