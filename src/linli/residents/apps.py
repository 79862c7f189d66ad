from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentsConfig(AppConfig):
    name = "linli.residents"
    label = "residents"
    verbose_name = _("Residents")

    def ready(self):
        from linli.residents.overview import residents_overview
        from linli.web import overview

        overview.register(residents_overview)
