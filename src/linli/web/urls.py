from django.contrib.auth import views as auth_views
from django.urls import include, path

from linli.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("registry/import/", include("linli.registry.urls_import")),
    path("registry/", include("linli.registry.urls")),
    path("accounts/", include("linli.accounts.urls")),
    path("audit/", include("linli.audit.urls")),
    path("funding/", include("linli.funding.urls")),
    path("operations/", include("linli.operations.urls")),
    path("jobs/", include("linli.jobs.urls")),
    path("plans/", include("linli.plans.urls")),
    path("participation/", include("linli.participation.urls")),
    path("p/", include("linli.participation.urls_public")),
    path("captcha/", include("captcha.urls")),
    path("monitoring/", include("linli.monitoring.urls")),
    path("progress/", include("linli.monitoring.urls_public")),
    path("residents/", include("linli.residents.urls")),
    path("api/v1/", include("linli.api.urls")),
]
