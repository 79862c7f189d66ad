from django.apps import AppConfig
from django.core import checks


class WebConfig(AppConfig):
    name = "linli.web"
    label = "web"

    def ready(self) -> None:
        from django.conf import settings

        from linli.policy.pack import add_search_directory
        from linli.web.checks import check_data_dir, check_https_proxy, check_policy_packs

        checks.register(check_data_dir, checks.Tags.security, deploy=True)
        checks.register(check_https_proxy, checks.Tags.security, deploy=True)
        checks.register(check_policy_packs, deploy=True)
        # A city's own policy packs live in its data directory (the demo city's too).
        add_search_directory(settings.DATA_DIR / "policy")
