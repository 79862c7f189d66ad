from django.urls import path

from linli.participation import views

app_name = "participation"

urlpatterns = [
    path("surveys/", views.SurveyListView.as_view(), name="survey_list"),
    path("surveys/create/", views.survey_create, name="survey_create"),
    path("surveys/<int:pk>/", views.SurveyDetailView.as_view(), name="survey_detail"),
    path("surveys/<int:pk>/poster/", views.survey_poster, name="survey_poster"),
    path("surveys/<int:pk>/codes/", views.survey_codes, name="survey_codes"),
    path("surveys/<int:pk>/enter/", views.response_enter, name="response_enter"),
    path("surveys/<int:pk>/close/", views.survey_close, name="survey_close"),
    path("surveys/<int:pk>/export/", views.survey_export, name="survey_export"),
    path("notices/", views.NoticeListView.as_view(), name="notice_list"),
    path("notices/create/<int:application_pk>/", views.notice_create, name="notice_create"),
    path("notices/<int:pk>/", views.NoticeDetailView.as_view(), name="notice_detail"),
    path("comments/<int:pk>/moderate/", views.comment_moderate, name="comment_moderate"),
    path("comments/<int:pk>/answer/", views.comment_answer, name="comment_answer"),
]
