from django.urls import path

from linli.jobs import views

app_name = "jobs"
urlpatterns = [path("<int:pk>/progress/", views.job_progress, name="progress")]
