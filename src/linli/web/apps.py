from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "linli.web"
    label = "web"

    def ready(self) -> None:
        from django.conf import settings

        from linli.policy.pack import add_search_directory

        # A city's own policy packs live in its data directory (the demo city's too).
        add_search_directory(settings.DATA_DIR / "policy")
