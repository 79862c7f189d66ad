from django.urls import path

from linli.monitoring import views, views_projects

app_name = "monitoring"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("figures/<slug:key>/", views.figure, name="figure"),
    path("projects/", views_projects.project_list, name="project_list"),
    path("projects/<int:pk>/", views_projects.project_detail, name="project_detail"),
    path("projects/<int:pk>/publish/", views_projects.project_publish, name="project_publish"),
]
