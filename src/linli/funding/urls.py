from django.urls import path

from linli.funding import views

app_name = "funding"
urlpatterns = [
    path("calls/", views.CallListView.as_view(), name="call_list"),
    path("calls/new/", views.call_create, name="call_create"),
    path("calls/<int:pk>/", views.CallDetailView.as_view(), name="call_detail"),
    path("calls/<int:pk>/notice/", views.call_notice, name="call_notice"),
    path("calls/<int:pk>/close/", views.call_close, name="call_close"),
    path("calls/<int:call_pk>/apply/", views.application_create, name="application_create"),
    path("calls/<int:call_pk>/check/", views.application_check, name="application_check"),
    path("applications/", views.ApplicationListView.as_view(), name="application_list"),
    path(
        "applications/<int:pk>/", views.ApplicationDetailView.as_view(), name="application_detail"
    ),
    path("applications/<int:pk>/edit/", views.application_edit, name="application_edit"),
    path(
        "applications/<int:pk>/<slug:action>/",
        views.application_action,
        name="application_action",
    ),
    path(
        "applications/<int:pk>/exceptions/<str:rule>/",
        views.exception_decide,
        name="exception_decide",
    ),
    path("district/batch/", views.district_batch, name="district_batch"),
    path("district/pipeline/", views.district_pipeline, name="district_pipeline"),
    path("reviews/", views.ReviewListView.as_view(), name="review_list"),
    path("reviews/<int:pk>/", views.review_edit, name="review_edit"),
    path("approvals/", views.SubsidyApprovalListView.as_view(), name="approval_list"),
    path("approvals/<int:pk>/letter.pdf", views.approval_letter, name="approval_letter"),
    path(
        "supplements/<int:pk>/letter.pdf", views.supplementary_letter, name="supplementary_letter"
    ),
    path("tranches/", views.TrancheListView.as_view(), name="tranche_list"),
    path("tranches/<int:pk>/<slug:action>/", views.tranche_action, name="tranche_action"),
    path("changes/<int:pk>/<slug:decision>/", views.change_decide, name="change_decide"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("notifications/", views.notification_list, name="notifications"),
]
