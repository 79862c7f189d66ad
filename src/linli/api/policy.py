"""``POST /api/v1/policy/check``: the ``linli check`` answer over HTTP (DESIGN §6)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from linli.policy import (
    DEFAULT_POLICY,
    ApplicationInputError,
    evaluate,
    list_packs,
    load_pack,
    parse_application,
)


class PolicyCheckView(APIView):
    """Evaluate an application against a policy pack: findings with citations and subsidy.

    Pure computation on the posted data: any signed-in user may ask. Only shipped pack ids
    are accepted here (never a file path).
    """

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=OpenApiTypes.OBJECT,
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
        parameters=[
            OpenApiParameter("policy", str, description=f"pack id, default {DEFAULT_POLICY}")
        ],
    )
    def post(self, request):
        policy_id = request.query_params.get("policy", DEFAULT_POLICY)
        if policy_id not in {pack.id for pack in list_packs()}:
            return Response(
                {"error": f"policy: unknown pack {policy_id!r}"}, status.HTTP_400_BAD_REQUEST
            )
        try:
            evaluation = evaluate(parse_application(request.data), load_pack(policy_id))
        except ApplicationInputError as error:
            return Response({"error": str(error)}, status.HTTP_400_BAD_REQUEST)
        return Response(evaluation.to_dict())
