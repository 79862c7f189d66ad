"""``POST /api/v1/policy/check``: the ``linli check`` answer over HTTP (DESIGN §6)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from linli.api.pagination import single_value
from linli.api.views import refuse_unknown_parameters
from linli.policy import (
    DEFAULT_POLICY,
    ApplicationInputError,
    evaluate,
    list_packs,
    load_pack,
    parse_application,
)
from linli.policy.application import MAX_AMOUNT_CNY, MAX_AREA_M2, MAX_COUNT, MAX_NAME
from linli.policy.vocabulary import CATEGORIES, CONSTRUCTIONS, KINDS

_AMOUNT = {"type": "number", "minimum": 0, "maximum": MAX_AMOUNT_CNY}
_AREA = {"type": "number", "minimum": 0, "maximum": MAX_AREA_M2}
_RATE = {"type": "number", "minimum": 0, "maximum": 1}
_COUNT = {"type": "integer", "minimum": 0, "maximum": MAX_COUNT}
_NAME = {"type": "string", "pattern": "\\S"}  # not blank
_SCENARIO = {
    "type": "string",
    "pattern": "\\w",
    "maxLength": MAX_NAME,
    "description": "a scenario code (elderly_care …) or the texts' Chinese name (养老服务 …); "
    "any other name is judged by the pack (an unknown scenario)",
}


def _names(labels) -> dict:
    """A code or its Chinese name (the engine also reads other widths, cases and spacing)."""
    return {"type": "string", "enum": [*labels, *(zh for zh, _ in labels.values())]}


def _optional(schema: dict) -> dict:
    return {**schema, "nullable": True}


# DESIGN §6: the application that `linli check` reads. Rules across fields (each function's
# floor area when investments are shared, the pack's highest inclusive rate) answer 400.
APPLICATION_SCHEMA = {
    "type": "object",
    "required": [
        "name",
        "city",
        "kind",
        "construction",
        "gross_floor_area_m2",
        "total_investment_cny",
        "functions",
    ],
    "properties": {
        "name": _NAME,
        "city": _NAME,
        "kind": _names(KINDS),
        "construction": _names(CONSTRUCTIONS),
        "gross_floor_area_m2": _AREA,
        "resident_activity_area_m2": _optional(_AREA),
        "total_investment_cny": _AMOUNT,
        "inclusive_subsidy_rate": _optional(_RATE),
        "government_built": _optional({"type": "boolean"}),
        "functions": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["scenario", "category"],
                "properties": {
                    "scenario": _SCENARIO,
                    "category": _names(CATEGORIES),
                    "floor_area_m2": _optional(_AREA),
                    "investment_cny": _optional(_AMOUNT),
                    "capacity": _optional(
                        {
                            "type": "object",
                            "properties": {
                                key: _optional(_COUNT)
                                for key in ("beds", "nursing_beds", "infant_slots", "seats")
                            },
                        }
                    ),
                },
            },
        },
        "community": _optional(
            {
                "type": "object",
                "required": ["households", "population", "service_area_m2"],
                "properties": {
                    "households": _COUNT,
                    "population": _COUNT,
                    "service_area_m2": _AREA,
                },
            }
        ),
        "overrides": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["rule", "reason"],
                "properties": {"rule": _NAME, "reason": {"type": "string"}},
            },
        },
    },
}
# The check's own refusals name the field in "error"; a body that is not JSON gets "detail".
_ERROR = {
    "type": "object",
    "properties": {"error": {"type": "string"}, "detail": {"type": "string"}},
}


class PolicyCheckView(APIView):
    """Evaluate an application against a policy pack: findings with citations and subsidy.

    Pure computation on the posted data: any signed-in user may ask. Only shipped pack ids
    are accepted here (never a file path).
    """

    permission_classes = [IsAuthenticated]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        refuse_unknown_parameters(self, request, {"policy"})

    @extend_schema(
        request={"application/json": APPLICATION_SCHEMA},
        responses={200: OpenApiTypes.OBJECT, 400: _ERROR},
        parameters=[
            OpenApiParameter(
                "policy",
                str,
                enum=[pack.id for pack in list_packs(skip_invalid=True)],
                description=f"pack id, default {DEFAULT_POLICY}",
            )
        ],
    )
    def post(self, request):
        policy_id = single_value(request, "policy")
        policy_id = DEFAULT_POLICY if policy_id is None else policy_id
        if policy_id not in {pack.id for pack in list_packs(skip_invalid=True)}:
            return Response(
                {"error": f"policy: unknown pack {policy_id!r}"}, status.HTTP_400_BAD_REQUEST
            )
        try:
            data = request.data
        except RecursionError:  # DRF's parser turns only ValueError into a 400
            return Response(
                {"error": "JSON nested too deeply to be an application"},
                status.HTTP_400_BAD_REQUEST,
            )
        try:
            evaluation = evaluate(parse_application(data), load_pack(policy_id))
        except ApplicationInputError as error:
            return Response({"error": str(error)}, status.HTTP_400_BAD_REQUEST)
        return Response(evaluation.to_dict())
