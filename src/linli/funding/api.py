"""Read-only REST endpoints for the funding ledgers (台账): calls, applications with their
functions, reviews, approval and money, and tranches.

Other government systems (the city's project database, the finance bureau) pull from here;
every change still happens on the workflow screens, through the audited services. Every
queryset passes through ``restrict``, so a street sees its own projects and an out-of-scope id
answers 404. Reviewers' internal comments are shown only to holders of
``funding.view_internal_review``, as on the review sheet.
"""

from __future__ import annotations

from rest_framework import serializers

from linli.api.views import RestrictedReadOnlyViewSet
from linli.core.permissions import has_permission
from linli.funding.models import (
    Application,
    ApplicationFunction,
    Call,
    Ledger,
    Review,
    SubsidyApproval,
    Tranche,
)
from linli.funding.services import APPLICATION_FIELDS


class CallSerializer(serializers.ModelSerializer):
    class Meta:
        model = Call
        fields = [
            "id",
            "title",
            "policy_id",
            "opens_on",
            "closes_on",
            "budget_cny",
            "districts",
            "notice",
            "state",
        ]


class ApplicationFunctionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApplicationFunction
        exclude = ["application"]


class ReviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = Review
        fields = [
            "department",
            "dimension",
            "decision",
            "comment",
            "internal_comment",
            "reviewed_at",
        ]

    def to_representation(self, review):
        row = super().to_representation(review)
        request = self.context.get("request")
        if request is None or not has_permission(request.user, Review, "view_internal"):
            del row["internal_comment"]
        return row


class SubsidyApprovalSerializer(serializers.ModelSerializer):
    class Meta:
        model = SubsidyApproval
        fields = [
            "letter_no",
            "approved_on",
            "inclusive_rate",
            "rate_reason",
            "basic_public_cny",
            "inclusive_cny",
            "total_cny",
            "allocation",
            "land_use_grace_expiry",
        ]


class LedgerSerializer(serializers.ModelSerializer):
    remaining_cny = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = Ledger
        fields = ["approved_cny", "released_cny", "remaining_cny"]


class ApplicationSerializer(serializers.ModelSerializer):
    public_status = serializers.CharField(read_only=True)
    functions = ApplicationFunctionSerializer(many=True, read_only=True)
    reviews = ReviewSerializer(many=True, read_only=True)
    subsidy_approval = SubsidyApprovalSerializer(read_only=True, allow_null=True)
    ledger = LedgerSerializer(read_only=True, allow_null=True)
    findings = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = [
            "id",
            "call",
            "jurisdiction",
            *APPLICATION_FIELDS,  # what the preparing office fills in
            "eligible",
            "state",
            "public_status",
            "functions",
            "findings",
            "reviews",
            "subsidy_approval",
            "ledger",
            "created_at",
            "updated_at",
        ]

    def get_findings(self, application) -> list[dict]:
        """The policy engine's findings as last evaluated, each with its clause."""
        return application.evaluation.get("findings", [])


class TrancheSerializer(serializers.ModelSerializer):
    milestone = serializers.CharField(source="milestone.kind", read_only=True)

    class Meta:
        model = Tranche
        fields = [
            "id",
            "application",
            "milestone",
            "amount_cny",
            "state",
            "note",
            "requested_at",
            "released_at",
        ]


class CallViewSet(RestrictedReadOnlyViewSet):
    queryset = Call.objects.prefetch_related("districts")
    serializer_class = CallSerializer
    filterset_fields = ["state", "policy_id"]


class ApplicationViewSet(RestrictedReadOnlyViewSet):
    queryset = Application.objects.select_related("subsidy_approval", "ledger").prefetch_related(
        "functions", "reviews"
    )
    serializer_class = ApplicationSerializer
    filterset_fields = ["call", "state", "kind", "eligible", "jurisdiction"]


class TrancheViewSet(RestrictedReadOnlyViewSet):
    queryset = Tranche.objects.select_related("milestone")
    serializer_class = TrancheSerializer
    filterset_fields = ["application", "state"]


ROUTES = {
    "funding/calls": (CallViewSet, "call"),
    "funding/applications": (ApplicationViewSet, "application"),
    "funding/tranches": (TrancheViewSet, "tranche"),
}
