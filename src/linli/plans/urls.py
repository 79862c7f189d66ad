from django.urls import path

from linli.plans import views

app_name = "plans"
urlpatterns = [
    path("diagnoses/", views.diagnosis_list, name="diagnosis_list"),
    path("diagnoses/<int:pk>/", views.diagnosis_detail, name="diagnosis_detail"),
    path("diagnoses/<int:pk>/map.geojson", views.diagnosis_map, name="diagnosis_map"),
    path("diagnoses/<int:pk>/export.xlsx", views.diagnosis_export, name="diagnosis_export"),
    path("sites/", views.site_plan_list, name="site_plan_list"),
    path("sites/<int:pk>/", views.site_plan_detail, name="site_plan_detail"),
    path("sites/<int:pk>/compare/<int:other>/", views.site_plan_compare, name="site_plan_compare"),
    path("sites/<int:pk>/apply/<int:rank>/", views.site_plan_apply, name="site_plan_apply"),
]
