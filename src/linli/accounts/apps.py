from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "linli.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from linli.accounts import signals  # noqa: F401  (security-log receivers)
        from linli.accounts.todo import locked_accounts, requests_to_approve, tokens_to_confirm
        from linli.web.todo import register

        register(locked_accounts)
        register(requests_to_approve)
        register(tokens_to_confirm)
