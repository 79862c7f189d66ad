from django.urls import path

from linli.audit import views

app_name = "audit"
urlpatterns = [
    path("records/", views.AuditRecordListView.as_view(), name="auditrecord_list"),
    path("security/", views.SecurityEventListView.as_view(), name="securityevent_list"),
]
