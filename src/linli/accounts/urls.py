from django.urls import path

from linli.accounts import views, views_requests, views_self

app_name = "accounts"
urlpatterns = [
    # administration (system and security administrators)
    path("", views.UserListView.as_view(), name="user_list"),
    path("new/", views.user_create, name="user_create"),
    path("import/", views.user_import, name="user_import"),
    path("import/template.xlsx", views.user_import_template, name="user_import_template"),
    path("<int:pk>/", views.user_edit, name="user_edit"),
    path("<int:pk>/request/<str:kind>/", views.user_request, name="user_request"),
    path("<int:pk>/token/", views.user_token, name="user_token"),
    path("<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
    path("requests/", views_requests.CredentialRequestListView.as_view(), name="request_list"),
    path("requests/<int:pk>/", views_requests.request_detail, name="request_detail"),
    path("requests/<int:pk>/decide/", views_requests.request_decide, name="request_decide"),
    path("requests/<int:pk>/cancel/", views_requests.request_cancel, name="request_cancel"),
    path(
        "requests/approve/",
        views_requests.request_approve_selected,
        name="request_approve_selected",
    ),
    # every user's own
    path("me/", views_self.my_account, name="me"),
    path("me/token/<int:pk>/", views_self.token_decide, name="token_decide"),
    path("me/token/revoke/", views_self.token_revoke, name="token_revoke"),
    path("password/", views_self.password_change, name="password_change"),
    path("reauthenticate/", views_self.reauthenticate, name="reauthenticate"),
    path("two-factor/", views_self.second_factor, name="second_factor"),
    path("two-factor/enrol/", views_self.enrol, name="enrol"),
    path("two-factor/verify/", views_self.verify, name="verify"),
    path("activate/", views_self.activate, name="activate"),
]
