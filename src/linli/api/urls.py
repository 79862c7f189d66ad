from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from linli.api.policy import PolicyCheckView
from linli.api.views import RestrictedRouter
from linli.funding.api import ROUTES as FUNDING_ROUTES
from linli.registry.api import ROUTES as REGISTRY_ROUTES

app_name = "api"
router = RestrictedRouter()
for prefix, (viewset, basename) in {**REGISTRY_ROUTES, **FUNDING_ROUTES}.items():
    router.register(prefix, viewset, basename=basename)

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("policy/check", PolicyCheckView.as_view(), name="policy-check"),
    path("", include(router.urls)),
]
