"""Registry-only choices; the programme's own vocabulary comes from linli.policy.vocabulary."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FacilityStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    UNDER_CONSTRUCTION = "under_construction", _("Under construction")
    OPERATING = "operating", _("Operating")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


class SiteStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    RESERVED = "reserved", _("Reserved")
    USED = "used", _("Used")


class OperatorType(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    SOCIAL_ORGANIZATION = "social_organization", _("Social organisation")
    PUBLIC_INSTITUTION = "public_institution", _("Public institution")
