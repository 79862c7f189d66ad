from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "linli.registry"
    label = "registry"
    verbose_name = _("Registry")

    def ready(self):
        from linli.registry.overview import registry_overview
        from linli.web.overview import register

        register(registry_overview)
