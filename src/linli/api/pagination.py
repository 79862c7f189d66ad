"""Limit/offset pagination that refuses what its schema does not allow.

DRF's own falls back to the default on a malformed ``limit`` and passes any ``offset`` to the
database, where 2⁶³ overflows (a 500). Here both are integers in a documented range, given
once; anything else is a 400 that names the parameter.
"""

from __future__ import annotations

import re

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination

MAX_LIMIT = 1000
MAX_OFFSET = 1_000_000_000
_DIGITS = re.compile(r"[0-9]{1,10}")


def single_value(request, name: str) -> str | None:
    """The one value of a query parameter; a parameter given twice is refused."""
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise ValidationError({name: ["Give this parameter once."]})
    return values[0] if values else None


def _bounded(request, name: str, minimum: int, maximum: int, default: int | None) -> int | None:
    raw = single_value(request, name)
    if raw is None:
        return default
    if not _DIGITS.fullmatch(raw) or not minimum <= int(raw) <= maximum:
        raise ValidationError({name: [f"Expected a whole number from {minimum} to {maximum}."]})
    return int(raw)


class StrictLimitOffsetPagination(LimitOffsetPagination):
    max_limit = MAX_LIMIT

    def get_limit(self, request):
        return _bounded(request, self.limit_query_param, 1, MAX_LIMIT, self.default_limit)

    def get_offset(self, request):
        return _bounded(request, self.offset_query_param, 0, MAX_OFFSET, 0)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {self.limit_query_param: (1, MAX_LIMIT), self.offset_query_param: (0, MAX_OFFSET)}
        for parameter in parameters:
            low, high = bounds[parameter["name"]]
            parameter["schema"] = {"type": "integer", "minimum": low, "maximum": high}
        return parameters
