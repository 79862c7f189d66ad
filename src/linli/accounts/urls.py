from django.urls import path

from linli.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.UserListView.as_view(), name="user_list"),
    path("new/", views.user_create, name="user_create"),
    path("import/", views.user_import, name="user_import"),
    path("import/template.xlsx", views.user_import_template, name="user_import_template"),
    path("<int:pk>/", views.user_edit, name="user_edit"),
    path("<int:pk>/password/", views.user_password, name="user_password"),
    path("<int:pk>/token/", views.user_token, name="user_token"),
    path("<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
    path("password/", views.password_change, name="password_change"),
]
