from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

MIN_RETENTION_DAYS = 180  # 网络安全法 第二十一条: network logs kept no less than six months


class AuditConfig(AppConfig):
    name = "linli.audit"
    label = "audit"
    verbose_name = _("Audit")

    def ready(self) -> None:
        checks.register(check_retention, checks.Tags.security)
        from linli.audit.database import refuse_updates_on_sqlite

        post_migrate.connect(refuse_updates_on_sqlite, sender=self)


def check_retention(app_configs, **kwargs):
    from django.conf import settings

    if settings.AUDIT_RETENTION_DAYS < MIN_RETENTION_DAYS:
        return [
            checks.Error(
                f"LINLI_AUDIT_RETENTION_DAYS={settings.AUDIT_RETENTION_DAYS} is below the legal "
                f"minimum of {MIN_RETENTION_DAYS} days (网络安全法 第二十一条).",
                id="linli.E001",
            )
        ]
    return []
