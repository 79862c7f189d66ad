from django.urls import path

from linli.operations import views

app_name = "operations"

_F = "facilities/<int:pk>"
_S = f"{_F}/services/<int:service_pk>"

urlpatterns = [
    path("", views.facility_list, name="facility_list"),
    path(f"{_F}/", views.facility_portal, name="facility"),
    path(f"{_F}/services/new/", views.service_add, name="service_add"),
    path(f"{_S}/", views.service_detail, name="service_detail"),
    path(f"{_S}/edit/", views.service_edit, name="service_edit"),
    path(f"{_S}/hours/", views.service_hours, name="service_hours"),
    path(f"{_S}/publish/", views.service_publish, name="service_publish"),
    path(f"{_S}/prices/new/", views.price_add, name="price_add"),
    path(f"{_S}/sessions/new/", views.slot_add, name="slot_add"),
    path(f"{_F}/sessions/<int:slot_pk>/delete/", views.slot_delete, name="slot_delete"),
    path(f"{_F}/rooms/new/", views.room_add, name="room_add"),
    path(f"{_F}/use/new/", views.use_add, name="use_add"),
    path(f"{_F}/use/import/", views.use_import, name="use_import"),
    path(f"{_F}/use/template.xlsx", views.use_template, name="use_template"),
    path(f"{_F}/inspections/new/", views.inspection_add, name="inspection_add"),
    path(
        f"{_F}/inspections/<int:inspection_pk>/rectify/",
        views.inspection_rectify,
        name="inspection_rectify",
    ),
    path(f"{_F}/complaints/new/", views.complaint_add, name="complaint_add"),
    path(
        f"{_F}/complaints/<int:complaint_pk>/answer/",
        views.complaint_answer,
        name="complaint_answer",
    ),
]
