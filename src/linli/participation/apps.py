from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    """Residents' needs surveys, and the public notice (公示) of proposed projects."""

    name = "linli.participation"
    label = "participation"
    verbose_name = _("Participation")

    def ready(self):
        from linli.participation.todo import participation_todo
        from linli.web import todo

        todo.register(participation_todo)
