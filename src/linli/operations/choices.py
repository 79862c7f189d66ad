"""Operations' fixed lists: who a service is for, price units, weekdays, complaint states.

Complaint states follow DESIGN.md §8 (``open · answered · escalated · closed``).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AgeGroup(models.TextChoices):
    """Who a service is for, in the age bands the registry counts (Community.aged_*)."""

    ALL = "all", _("Everyone")
    INFANTS = "infants", _("Infants under 3")
    PRESCHOOL = "preschool", _("Children aged 3–5")
    SCHOOL = "school", _("Children aged 6–12")
    ADULTS = "adults", _("Adults")
    ELDERLY = "elderly", _("Older people (60+)")
    OLDEST = "oldest", _("Older people (80+)")
    FAMILIES = "families", _("Families with children")


class PriceUnit(models.TextChoices):
    PER_VISIT = "per_visit", _("per visit")
    PER_MEAL = "per_meal", _("per meal")
    PER_HOUR = "per_hour", _("per hour")
    PER_DAY = "per_day", _("per day")
    PER_MONTH = "per_month", _("per month")
    PER_SESSION = "per_session", _("per session")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class UseSource(models.TextChoices):
    ENTERED = "entered", _("Entered")
    IMPORTED = "imported", _("Imported")


class InspectionKind(models.TextChoices):
    ROUTINE = "routine", _("Routine supervision")
    SAFETY = "safety", _("Safety")
    FIRE = "fire", _("Fire safety")
    FOOD = "food", _("Food safety")
    SERVICE_QUALITY = "service_quality", _("Service quality")


class InspectionResult(models.TextChoices):
    PASSED = "passed", _("Passed")
    RECTIFY = "rectify", _("Passed with rectification required")
    FAILED = "failed", _("Failed")


class ComplaintChannel(models.TextChoices):
    ONLINE = "online", _("Online")
    PHONE = "phone", _("Telephone")
    IN_PERSON = "in_person", _("In person")
    HOTLINE = "hotline", _("12345 hotline")
    STREET = "street", _("Referred by the street")


class ComplaintState(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")
    ESCALATED = "escalated", _("Escalated to the street")
    CLOSED = "closed", _("Closed")
