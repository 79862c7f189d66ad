from django.urls import path

from linli.monitoring import views_public

app_name = "progress"
urlpatterns = [
    path("", views_public.index, name="index"),
    path("districts/<int:pk>/", views_public.district, name="district"),
    path("projects/<int:pk>/", views_public.project, name="project"),
    path("projects/<int:pk>/photos/<int:attachment>/", views_public.photo, name="photo"),
]
