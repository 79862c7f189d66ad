"""``linli manage bootstrap``: the city node and the three administrators of a new installation."""

import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from linli.accounts.roles import Role
from linli.accounts.services import user_create_administrator
from linli.core import context
from linli.registry.services import jurisdiction_create_root

ADMINISTRATORS = (
    ("sysadmin", Role.SYSTEM_ADMIN),
    ("secadmin", Role.SECURITY_ADMIN),
    ("auditor", Role.AUDITOR),
)


class Command(BaseCommand):
    help = "Create the city and its system administrator, security administrator and auditor."

    def add_arguments(self, parser):
        parser.add_argument("--city", required=True, help="city name, e.g. 北京市")
        parser.add_argument("--code", default="", help="12-digit division code, e.g. 110000000000")

    def handle(self, *args, city, code, **options):
        passwords = {name: self._password(name) for name, _role in ADMINISTRATORS}
        try:
            with context.bound(context.cli_context()), transaction.atomic():
                root = jurisdiction_create_root(name=city, code=code)
                for name, role in ADMINISTRATORS:
                    user_create_administrator(
                        username=name, password=passwords[name], role=role, jurisdiction=root
                    )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(f"{city}: created {', '.join(n for n, _r in ADMINISTRATORS)}")

    def _password(self, username: str) -> str:
        first = getpass.getpass(f"password for {username}: ")
        if first != getpass.getpass(f"password for {username} (again): "):
            raise CommandError(f"{username}: the two passwords differ")
        return first
