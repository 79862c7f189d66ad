"""Password rules of 等保 level 3 (GB/T 22239-2019 8.1.4.1 a): composition and history.

Django's validators cover length, common passwords and likeness to the username; these two
add what they do not: several kinds of character, and no reuse of recent passwords.
"""

from __future__ import annotations

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def _classes(password: str) -> int:
    return sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )


class CharacterClassValidator:
    """At least ``min_classes`` of: lower-case, upper-case, digits, other characters."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        if _classes(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return _(
            "The password must mix at least %(count)d of: lower-case letters, upper-case "
            "letters, digits and other characters."
        ) % {"count": self.min_classes}


class PasswordHistoryValidator:
    """None of the user's last ``count`` passwords (the current one and those before it)."""

    def __init__(self, count: int = 5):
        self.count = count

    def validate(self, password, user=None):
        if user is None or user.pk is None or not self.count:
            return
        earlier = [user.password] if user.has_usable_password() else []
        history = user.password_history.values_list("password", flat=True)
        earlier += list(history[: self.count - 1])
        if any(check_password(password, encoded) for encoded in earlier):
            raise ValidationError(self.get_help_text(), code="password_reused")

    def get_help_text(self):
        return ngettext(
            "The password must differ from your last password.",
            "The password must differ from your last %(count)d passwords.",
            self.count,
        ) % {"count": self.count}
