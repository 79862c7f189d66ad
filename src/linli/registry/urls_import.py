from django.urls import path

from linli.registry import views_import

app_name = "registry_import"
urlpatterns = [
    path("", views_import.import_start, name="start"),
    path("confirm/", views_import.import_confirm, name="confirm"),
    path("templates/<slug:kind>.xlsx", views_import.template_download, name="template"),
]
