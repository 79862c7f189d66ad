from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "linli.funding"
    label = "funding"
    verbose_name = _("Funding")

    def ready(self):
        from linli.funding.overview import funding_overview
        from linli.funding.todo import funding_todo
        from linli.web import overview, todo

        todo.register(funding_todo)
        overview.register(funding_overview)
