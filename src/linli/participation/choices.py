"""The fixed answers of the needs-survey template (121号 二(四): 广泛征求居民意见和诉求)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SurveyState(models.TextChoices):
    OPEN = "open", _("Taking answers")
    CLOSED = "closed", _("Closed")


class Channel(models.TextChoices):
    ONLINE = "online", _("Online (phone)")
    PAPER = "paper", _("Paper, entered at the desk")


class Hours(models.TextChoices):
    WEEKDAY_DAY = "weekday_day", _("Weekday daytime")
    WEEKDAY_EVENING = "weekday_evening", _("Weekday evenings")
    WEEKEND = "weekend", _("Weekends")
    ANY = "any", _("Any time")


class MonthlyPay(models.TextChoices):
    """What the household would pay a month for the service it ranks first (CNY)."""

    NOTHING = "0", _("Nothing")
    UP_TO_100 = "1-100", _("Up to 100 CNY")
    UP_TO_300 = "101-300", _("101–300 CNY")
    UP_TO_800 = "301-800", _("301–800 CNY")
    MORE = "800+", _("More than 800 CNY")


class CommentState(models.TextChoices):
    PENDING = "pending", _("Awaiting moderation")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Not published")
