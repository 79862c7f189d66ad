"""Residents' vocabulary (DESIGN.md §8: consent kinds are fixed codes)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Relation(models.TextChoices):
    PARENT = "parent", _("Parent")
    CHILD = "child", _("Child")
    SPOUSE = "spouse", _("Spouse")
    GRANDPARENT = "grandparent", _("Grandparent")
    GRANDCHILD = "grandchild", _("Grandchild")
    OTHER = "other", _("Other relative")


class ConsentKind(models.TextChoices):
    GENERAL = "general", _("Personal information (general)")
    SENSITIVE = "sensitive", _("Sensitive personal information (health, disability)")
    GUARDIAN = "guardian", _("Guardian's consent for a child under 14")


class ConsentMethod(models.TextChoices):
    ONLINE = "online", _("Given online")
    PAPER = "paper", _("Signed on paper at the community desk")


class CodePurpose(models.TextChoices):
    SIGN_UP = "sign_up", _("Sign-up")
    SIGN_IN = "sign_in", _("Sign-in")


class BookingState(models.TextChoices):
    """DESIGN.md §8: requested · confirmed · waitlisted · cancelled · attended · no_show."""

    REQUESTED = "requested", _("Requested")
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("Did not come")


ACTIVE_STATES = (BookingState.REQUESTED, BookingState.CONFIRMED, BookingState.WAITLISTED)
