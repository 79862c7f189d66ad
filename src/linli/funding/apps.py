from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "linli.funding"
    label = "funding"
    verbose_name = _("Funding")

    def ready(self):
        from linli.funding.todo import funding_todo
        from linli.web.todo import register

        register(funding_todo)
