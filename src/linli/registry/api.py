"""REST endpoints for the registry; every queryset passes through ``restrict``."""

from rest_framework import serializers, viewsets

from linli.api.views import RestrictedReadOnlyViewSet, RestrictedViewSetMixin, service_call
from linli.core.permissions import restrict
from linli.registry import services
from linli.registry.models import (
    CandidateSite,
    Community,
    Compound,
    Facility,
    FacilityFunction,
    Jurisdiction,
    Operator,
)


class JurisdictionSerializer(serializers.ModelSerializer):
    parent = serializers.IntegerField(source="parent_id", read_only=True, allow_null=True)

    class Meta:
        model = Jurisdiction
        fields = ["id", "name", "level", "code", "parent", "depth", "numchild"]


class CommunitySerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="jurisdiction.name", read_only=True)
    code = serializers.CharField(source="jurisdiction.code", read_only=True)

    class Meta:
        model = Community
        fields = [
            "id",
            "jurisdiction",
            "name",
            "code",
            *Community.RESIDENT_FIGURES,
            "service_area_m2",
            "centroid_lon",
            "centroid_lat",
            "boundary",
            "pilot",
        ]


class CompoundSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="jurisdiction.name", read_only=True)

    class Meta:
        model = Compound
        fields = [
            "id",
            "jurisdiction",
            "name",
            "households",
            "centroid_lon",
            "centroid_lat",
            "year_built",
            "new_estate",
        ]


class FacilityFunctionSerializer(serializers.ModelSerializer):
    class Meta:
        model = FacilityFunction
        exclude = ["facility"]


class FacilitySerializer(serializers.ModelSerializer):
    functions = FacilityFunctionSerializer(many=True, required=False)

    class Meta:
        model = Facility
        fields = "__all__"


class CandidateSiteSerializer(serializers.ModelSerializer):
    class Meta:
        model = CandidateSite
        fields = "__all__"


class OperatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Operator
        fields = "__all__"


class RegistryViewSet(RestrictedViewSetMixin, viewsets.ModelViewSet):
    """Read and write a registry model; writes go through the audited registry services."""

    def get_serializer(self, *args, **kwargs):
        # A node outside the scope is "no such object", as everywhere else.
        serializer = super().get_serializer(*args, **kwargs)
        field = getattr(serializer, "fields", {}).get("jurisdiction")
        if field is not None and not field.read_only:
            field.queryset = restrict(Jurisdiction.objects.all(), self.request.user)
        return serializer

    def perform_create(self, serializer):
        serializer.instance = service_call(
            services.registry_create,
            actor=self.request.user,
            model=self.queryset.model,
            **serializer.validated_data,
        )

    def perform_update(self, serializer):
        serializer.instance = service_call(
            services.registry_update,
            actor=self.request.user,
            obj=serializer.instance,
            **serializer.validated_data,
        )

    def perform_destroy(self, instance):
        service_call(services.registry_delete, actor=self.request.user, obj=instance)


class FacilityViewSetBase(RegistryViewSet):
    """A facility is written together with its functions (``functions`` replaces the list)."""

    def _save(self, serializer, facility):
        fields = dict(serializer.validated_data)
        functions = fields.pop("functions", None)
        if functions is None:
            functions = (
                [] if facility is None else list(facility.functions.values(*FUNCTION_FIELDS))
            )
        serializer.instance = service_call(
            services.facility_save,
            actor=self.request.user,
            facility=facility,
            functions=functions,
            **fields,
        )

    def perform_create(self, serializer):
        self._save(serializer, None)

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)


FUNCTION_FIELDS = [f for f in FacilityFunctionSerializer().fields if f != "id"]


def _viewset(model_queryset, serializer, filters: list[str], base=RegistryViewSet) -> type:
    return type(
        f"{serializer.Meta.model.__name__}ViewSet",
        (base,),
        {"queryset": model_queryset, "serializer_class": serializer, "filterset_fields": filters},
    )


JurisdictionViewSet = _viewset(
    Jurisdiction.objects.with_parent_id(),
    JurisdictionSerializer,
    ["level", "code"],
    base=RestrictedReadOnlyViewSet,
)
CommunityViewSet = _viewset(
    Community.objects.select_related("jurisdiction"), CommunitySerializer, ["pilot"]
)
CompoundViewSet = _viewset(
    Compound.objects.select_related("jurisdiction"), CompoundSerializer, ["new_estate"]
)
FacilityViewSet = _viewset(
    Facility.objects.prefetch_related("functions"),
    FacilitySerializer,
    ["kind", "status", "functions__scenario"],
    base=FacilityViewSetBase,
)
CandidateSiteViewSet = _viewset(
    CandidateSite.objects.all(), CandidateSiteSerializer, ["space_source", "status"]
)
OperatorViewSet = _viewset(Operator.objects.all(), OperatorSerializer, ["operator_type"])

ROUTES = {
    "jurisdictions": (JurisdictionViewSet, "jurisdiction"),
    "communities": (CommunityViewSet, "community"),
    "compounds": (CompoundViewSet, "compound"),
    "facilities": (FacilityViewSet, "facility"),
    "sites": (CandidateSiteViewSet, "candidatesite"),
    "operators": (OperatorViewSet, "operator"),
}
