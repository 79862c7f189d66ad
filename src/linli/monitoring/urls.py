from django.urls import path

from linli.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("figures/<slug:key>/", views.figure, name="figure"),
]
