"""The OpenAPI schema documents every answer an operation can give, errors included."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema

_ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
# Field errors: {"field": ["message", …]}, or {"detail": "…"} for the request as a whole.
_INVALID = {"type": "object", "additionalProperties": True}


def _response(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


class LinliAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = {
            "400": _response("The request is not valid; the body names each problem.", _INVALID),
            "401": _response("No valid credentials: send an API token.", _ERROR),
            "403": _response("The account's role does not allow this.", _ERROR),
        }
        if "{" in self.path:
            errors["404"] = _response("No such object within the account's scope.", _ERROR)
        if self.method == "DELETE":
            errors["409"] = _response("Other records still refer to this object.", _ERROR)
        for code, response in errors.items():
            responses.setdefault(code, response)
        return responses
