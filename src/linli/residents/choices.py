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
