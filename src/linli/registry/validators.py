from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from linli.validators import is_valid_uscc


def validate_uscc(value: str) -> None:
    if not is_valid_uscc(value):
        raise ValidationError(
            _("%(value)s is not a valid unified social credit code (GB 32100-2015)."),
            params={"value": value},
        )
