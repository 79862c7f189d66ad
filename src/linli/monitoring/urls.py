from django.urls import path

from linli.monitoring import views, views_projects, views_reports

app_name = "monitoring"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("figures/<slug:key>/", views.figure, name="figure"),
    path("projects/", views_projects.project_list, name="project_list"),
    path("projects/<int:pk>/", views_projects.project_detail, name="project_detail"),
    path("projects/<int:pk>/publish/", views_projects.project_publish, name="project_publish"),
    path("reports/", views_reports.report_list, name="report_list"),
    path("reports/new/", views_reports.report_create, name="report_create"),
    path(
        "reports/<int:pk>/report.<str:fmt>",
        views_reports.report_download,
        name="report_download",
    ),
]
