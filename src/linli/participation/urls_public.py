"""Pages without an account: short addresses, as they are printed on posters."""

from django.urls import path

from linli.participation import views_public

app_name = "participation_public"

urlpatterns = [
    path("s/<str:token>/", views_public.survey_answer, name="survey"),
    path("s/<str:token>/thanks/", views_public.survey_thanks, name="survey_thanks"),
    path("n/<str:token>/", views_public.notice_page, name="notice"),
]
