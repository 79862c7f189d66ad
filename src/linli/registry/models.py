from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Length, Substr
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from linli.core.permissions import RestrictedQuerySet
from linli.core.vocabulary import choices
from linli.policy import vocabulary
from linli.registry.choices import FacilityStatus, OperatorType, SiteStatus
from linli.registry.locations import check_location
from linli.registry.validators import validate_uscc


class Level(models.TextChoices):
    """Administrative levels, top down: 市 → 区 → 街道/乡镇 → 社区 → 小区."""

    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    STREET = "street", _("Street / township")
    COMMUNITY = "community", _("Community")
    COMPOUND = "compound", _("Residential compound")


LEVEL_ORDER = [level.value for level in Level]


def parent_path(path):
    """The path of the parent of the node at ``path`` (a field name or an expression): ours
    minus one step of the materialised path, for use inside a query."""
    return Substr(path, 1, Length(path) - Jurisdiction.steplen)


class JurisdictionQuerySet(RestrictedQuerySet, MP_NodeQuerySet):
    def with_parent_id(self):
        """Annotate ``parent_id`` in the same query."""
        parents = Jurisdiction.objects.filter(path=parent_path(OuterRef("path"))).values("pk")[:1]
        return self.annotate(parent_id=Subquery(parents))


class JurisdictionManager(MP_NodeManager):
    def get_queryset(self):
        return JurisdictionQuerySet(self.model).order_by("path")

    def with_parent_id(self):
        return self.get_queryset().with_parent_id()


class Jurisdiction(MP_Node):
    """A node of the jurisdiction tree; a user bound to it sees it and its descendants.

    django-treebeard's materialised path makes "this node and everything below" one
    indexed prefix match, which is how every scoped query filters.
    """

    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    code = models.CharField(
        _("administrative code"),
        max_length=20,
        blank=True,
        help_text=_("Statistical division code (统计用区划代码) where known."),
    )

    objects = JurisdictionManager()

    scope_path = "path"

    class Meta:
        verbose_name = _("jurisdiction")
        verbose_name_plural = _("jurisdictions")
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=~models.Q(code=""),
                name="jurisdiction_code_unique",
                violation_error_message=_(
                    "Code: another jurisdiction already has this code; enter its own 12-digit code."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:jurisdiction_detail", args=[self.pk])


# --- The registry proper: communities, facilities, operators and candidate sites ---------

LON = {"validators": [MinValueValidator(-180), MaxValueValidator(180)]}
LAT = {"validators": [MinValueValidator(-90), MaxValueValidator(90)]}


def _money(verbose_name):
    return models.DecimalField(
        verbose_name,
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )


def _area(verbose_name, **kwargs):
    return models.DecimalField(
        verbose_name, max_digits=10, decimal_places=2, validators=[MinValueValidator(0)], **kwargs
    )


def _count(verbose_name):
    return models.PositiveIntegerField(verbose_name, default=0)


class RegistryModel(models.Model):
    """Scoped by the community (or other node) the object belongs to."""

    objects = RestrictedQuerySet.as_manager()
    scope_path = "jurisdiction__path"

    class Meta:
        abstract = True


class Community(RegistryModel):
    """A community (社区): residents by age group and its community service facility area."""

    jurisdiction = models.OneToOneField(
        Jurisdiction,
        on_delete=models.PROTECT,
        related_name="community",
        limit_choices_to={"level": Level.COMMUNITY},
        verbose_name=_("community"),
    )
    households = _count(_("households"))
    population = _count(_("population"))
    aged_0_2 = _count(_("aged 0–2"))
    aged_3_5 = _count(_("aged 3–5"))
    aged_6_12 = _count(_("aged 6–12"))
    aged_60_plus = _count(_("aged 60+"))
    aged_80_plus = _count(_("aged 80+"))
    service_area_m2 = _area(_("community service facility area (m²)"), default=0)
    boundary = models.JSONField(_("boundary (GeoJSON, WGS 84)"), null=True, blank=True)
    centroid_lon = models.FloatField(_("centroid longitude"), null=True, blank=True, **LON)
    centroid_lat = models.FloatField(_("centroid latitude"), null=True, blank=True, **LAT)
    pilot = models.BooleanField(_("pilot community"), default=False)

    # The head counts that every reader of a community (forms, API, planning) passes on.
    RESIDENT_FIGURES = (
        "households",
        "population",
        "aged_0_2",
        "aged_3_5",
        "aged_6_12",
        "aged_60_plus",
        "aged_80_plus",
    )

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["jurisdiction__path"]
        constraints = [
            models.CheckConstraint(
                name="community_age_groups_within_population",
                violation_error_message=_(
                    "Age groups: residents aged 80+ must be no more than those aged 60+, and "
                    "those aged 60+ no more than the population; correct the figures."
                ),
                condition=models.Q(aged_80_plus__lte=models.F("aged_60_plus"))
                & models.Q(aged_60_plus__lte=models.F("population")),
            )
        ]

    def __str__(self) -> str:
        return self.jurisdiction.name

    def get_absolute_url(self) -> str:
        return reverse("registry:community_detail", args=[self.pk])


class Compound(RegistryModel):
    """A residential compound (小区); a new estate falls under 四同步 (121号 二(三))."""

    jurisdiction = models.OneToOneField(
        Jurisdiction,
        on_delete=models.PROTECT,
        related_name="compound",
        limit_choices_to={"level": Level.COMPOUND},
        verbose_name=_("compound"),
    )
    households = _count(_("households"))
    centroid_lon = models.FloatField(_("centroid longitude"), null=True, blank=True, **LON)
    centroid_lat = models.FloatField(_("centroid latitude"), null=True, blank=True, **LAT)
    year_built = models.PositiveSmallIntegerField(_("year built"), null=True, blank=True)
    new_estate = models.BooleanField(_("new estate (四同步)"), default=False)

    class Meta:
        verbose_name = _("compound")
        verbose_name_plural = _("compounds")
        ordering = ["jurisdiction__path"]

    def __str__(self) -> str:
        return self.jurisdiction.name

    def get_absolute_url(self) -> str:
        return reverse("registry:compound_detail", args=[self.pk])

    def clean(self) -> None:
        check_location(self)  # within reach of the city, or refused naming the field


class Operator(models.Model):
    """An operating entity (运营主体). Operators serve across districts: not scoped."""

    name = models.CharField(_("name"), max_length=200)
    uscc = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        validators=[validate_uscc],
    )
    operator_type = models.CharField(_("type"), max_length=32, choices=OperatorType.choices)
    contact_name = models.CharField(_("contact person"), max_length=64, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_path = None
    operator_path = "pk"  # an operator's staff see their own operator only

    class Meta:
        verbose_name = _("operator")
        verbose_name_plural = _("operators")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:operator_detail", args=[self.pk])


class Facility(RegistryModel):
    """An embedded service facility, existing or planned, in a community.

    A facility a funded project became is linked to it by ``Application.facility``
    (``facility.funded_project``).
    """

    public_to_residents = True  # what is on offer, seen city-wide (core.permissions)

    operator_path = "operator"

    code = models.CharField(_("facility code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        on_delete=models.PROTECT,
        related_name="facilities",
        limit_choices_to={"level": Level.COMMUNITY},
        verbose_name=_("community"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=choices(vocabulary.KINDS))
    status = models.CharField(
        _("status"), max_length=24, choices=FacilityStatus.choices, default=FacilityStatus.OPERATING
    )
    lon = models.FloatField(_("longitude"), **LON)
    lat = models.FloatField(_("latitude"), **LAT)
    address = models.CharField(_("address"), max_length=200, blank=True)
    gross_floor_area_m2 = _area(_("gross floor area (m²)"))
    resident_activity_area_m2 = _area(_("resident activity area (m²)"), null=True, blank=True)
    floors_used = models.PositiveSmallIntegerField(_("floors used"), default=1)
    basement = models.BooleanField(_("uses a basement"), default=False)
    operator = models.ForeignKey(
        Operator,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="facilities",
        verbose_name=_("operator"),
    )
    operating_model = models.CharField(
        _("operating model"),
        max_length=32,
        blank=True,
        choices=choices(vocabulary.OPERATING_MODELS),
    )
    opening_date = models.DateField(_("opening date"), null=True, blank=True)
    land_use_grace_expiry = models.DateField(
        _("land-use grace expiry"),
        null=True,
        blank=True,
        help_text=_("End of the 5-year period without change of land use (121号 三(十))."),
    )

    class Meta:
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:facility_detail", args=[self.pk])

    def clean(self) -> None:
        check_location(self)  # within reach of the city, or refused naming the field


class FacilityFunction(models.Model):
    """One service a facility offers, with its category under the policy in force."""

    facility = models.ForeignKey(
        Facility, on_delete=models.CASCADE, related_name="functions", verbose_name=_("facility")
    )
    scenario = models.CharField(_("scenario"), max_length=32, choices=choices(vocabulary.SCENARIOS))
    category = models.CharField(
        _("category"), max_length=16, choices=choices(vocabulary.CATEGORIES)
    )
    floor_area_m2 = _area(_("floor area (m²)"), null=True, blank=True)
    beds = _count(_("beds"))
    nursing_beds = _count(_("nursing beds"))
    respite_beds = _count(_("respite beds"))
    infant_slots = _count(_("infant slots"))
    afterschool_places = _count(_("after-school places"))
    canteen_seats = _count(_("canteen seats"))
    opening_hours = models.CharField(_("opening hours"), max_length=100, blank=True)

    objects = RestrictedQuerySet.as_manager()
    public_to_residents = True
    scope_path = "facility__jurisdiction__path"
    operator_path = "facility__operator"

    class Meta:
        verbose_name = _("facility function")
        verbose_name_plural = _("facility functions")
        ordering = ["facility", "scenario"]
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "scenario"],
                name="one_function_per_scenario",
                violation_error_message=_(
                    "Scenario: this facility already has a function for this service; edit that "
                    "function instead of adding a second."
                ),
            ),
            models.CheckConstraint(
                name="special_beds_within_beds",
                violation_error_message=_(
                    "Beds: nursing beds and respite beds must each be no more than the beds in "
                    "total; correct the figures."
                ),
                condition=models.Q(nursing_beds__lte=models.F("beds"))
                & models.Q(respite_beds__lte=models.F("beds")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facility} · {self.get_scenario_display()}"


class CandidateSite(RegistryModel):
    """An idle building that could host a facility (121号 二(三)(五))."""

    code = models.CharField(_("site code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        on_delete=models.PROTECT,
        related_name="candidate_sites",
        verbose_name=_("community"),
    )
    lon = models.FloatField(_("longitude"), **LON)
    lat = models.FloatField(_("latitude"), **LAT)
    address = models.CharField(_("address"), max_length=200, blank=True)
    building_type = models.CharField(
        _("building type"), max_length=32, choices=choices(vocabulary.BUILDING_TYPES)
    )
    floor_area_m2 = _area(_("floor area (m²)"))
    floors = models.PositiveSmallIntegerField(_("floors"), default=1)
    ownership = models.CharField(_("ownership"), max_length=100, blank=True)
    space_source = models.CharField(
        _("space source"), max_length=16, choices=choices(vocabulary.SPACE_SOURCES)
    )
    renovation_cost_cny = _money(_("estimated renovation cost (CNY)"))
    status = models.CharField(
        _("status"), max_length=16, choices=SiteStatus.choices, default=SiteStatus.AVAILABLE
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("candidate site")
        verbose_name_plural = _("candidate sites")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:candidatesite_detail", args=[self.pk])

    def clean(self) -> None:
        check_location(self)  # within reach of the city, or refused naming the field
