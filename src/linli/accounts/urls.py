from django.urls import path

from linli.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.UserListView.as_view(), name="user_list"),
    path("<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
]
