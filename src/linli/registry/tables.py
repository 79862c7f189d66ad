import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from linli.core.vocabulary import label
from linli.policy.vocabulary import SCENARIOS
from linli.registry.models import (
    CandidateSite,
    Community,
    Compound,
    Facility,
    Jurisdiction,
    Operator,
)

_ATTRS = {"class": "table table-vcenter card-table table-sm"}


class JurisdictionTable(tables.Table):
    name = tables.Column(linkify=True)
    numchild = tables.Column(verbose_name=_("units below"), attrs={"td": {"class": "text-end"}})

    class Meta:
        model = Jurisdiction
        fields = ("name", "level", "code", "numchild")
        order_by = ("path",)
        attrs = _ATTRS


class CommunityTable(tables.Table):
    jurisdiction = tables.Column(
        verbose_name=_("community"), linkify=lambda record: record.get_absolute_url()
    )
    elderly_share = tables.Column(
        verbose_name=_("share aged 60+"),
        empty_values=(),
        orderable=False,
        attrs={"td": {"class": "text-end"}},
    )

    class Meta:
        model = Community
        fields = (
            "jurisdiction",
            "households",
            "population",
            "aged_0_2",
            "aged_60_plus",
            "aged_80_plus",
            "service_area_m2",
            "pilot",
        )
        sequence = (
            "jurisdiction",
            "households",
            "population",
            "aged_0_2",
            "aged_60_plus",
            "elderly_share",
            "aged_80_plus",
            "service_area_m2",
            "pilot",
        )
        order_by = ("jurisdiction__path",)
        attrs = _ATTRS

    def render_elderly_share(self, record):
        return f"{record.aged_60_plus / record.population:.1%}" if record.population else "—"


class CompoundTable(tables.Table):
    jurisdiction = tables.Column(
        verbose_name=_("compound"), linkify=lambda record: record.get_absolute_url()
    )
    community = tables.Column(
        verbose_name=_("community"), accessor="community_name", order_by=("jurisdiction__path",)
    )

    class Meta:
        model = Compound
        fields = ("jurisdiction", "households", "year_built", "new_estate")
        sequence = ("jurisdiction", "community", "households", "year_built", "new_estate")
        order_by = ("jurisdiction__path",)
        attrs = _ATTRS


class FacilityTable(tables.Table):
    name = tables.Column(linkify=True)
    scenarios = tables.Column(verbose_name=_("services"), empty_values=(), orderable=False)

    class Meta:
        model = Facility
        fields = (
            "code",
            "name",
            "kind",
            "status",
            "jurisdiction",
            "gross_floor_area_m2",
            "operator",
        )
        sequence = (
            "code",
            "name",
            "kind",
            "scenarios",
            "status",
            "jurisdiction",
            "gross_floor_area_m2",
            "operator",
        )
        attrs = _ATTRS

    def render_scenarios(self, record):
        # The label straight from the vocabulary: get_scenario_display() hashes every lazy
        # choice label on each call, a tenth of the page's time at 50 rows.
        return "、".join(label(SCENARIOS, f.scenario) for f in record.functions.all())


class CandidateSiteTable(tables.Table):
    name = tables.Column(linkify=True)

    class Meta:
        model = CandidateSite
        fields = (
            "code",
            "name",
            "jurisdiction",
            "building_type",
            "space_source",
            "floor_area_m2",
            "renovation_cost_cny",
            "status",
        )
        attrs = _ATTRS


class OperatorTable(tables.Table):
    name = tables.Column(linkify=True)
    facility_count = tables.Column(verbose_name=_("facilities"))

    class Meta:
        model = Operator
        fields = (
            "name",
            "uscc",
            "operator_type",
            "contact_name",
            "contact_phone",
            "facility_count",
        )
        attrs = _ATTRS
