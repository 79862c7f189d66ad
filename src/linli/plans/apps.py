from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    """The web side of the planning engine: diagnoses and site plans as background jobs."""

    name = "linli.plans"
    label = "plans"
    verbose_name = _("Planning")

    def ready(self) -> None:
        from linli.plans import handlers  # noqa: F401  (registers the job handlers)
