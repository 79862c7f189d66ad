from django.urls import path

from linli.monitoring import views, views_documents, views_flags, views_projects, views_reports

app_name = "monitoring"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("figures/<slug:key>/", views.figure, name="figure"),
    path("projects/", views_projects.project_list, name="project_list"),
    path("projects/<int:pk>/", views_projects.project_detail, name="project_detail"),
    path("projects/<int:pk>/publish/", views_projects.project_publish, name="project_publish"),
    path(
        "projects/<int:pk>/documents/new/",
        views_documents.document_create,
        name="document_create",
    ),
    path("documents/<int:pk>/", views_documents.document_detail, name="document_detail"),
    path("documents/<int:pk>/upload/", views_documents.document_upload, name="document_upload"),
    path("versions/<int:pk>/", views_documents.version_download, name="version_download"),
    path("flags/", views_flags.flag_list, name="flag_list"),
    path("flags/measure/", views_flags.flags_raise, name="flags_raise"),
    path("flags/<int:pk>/", views_flags.flag_detail, name="flag_detail"),
    path("reports/", views_reports.report_list, name="report_list"),
    path("reports/new/", views_reports.report_create, name="report_create"),
    path(
        "reports/<int:pk>/report.<str:fmt>",
        views_reports.report_download,
        name="report_download",
    ),
]
