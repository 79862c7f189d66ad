"""``{% consultation_record application %}``: the residents' consultation of an application
(the needs survey of its area, its public notice with comments and the district's answers),
shown beside the enterprise consultation on the application and in the joint review. The
funding templates load it; funding's code does not know this app."""

from django import template

from linli.core.permissions import has_permission
from linli.core.vocabulary import label
from linli.participation.models import PublicNotice
from linli.participation.selectors import consultation_record as record_of
from linli.policy import vocabulary

register = template.Library()


@register.inclusion_tag("participation/_consultation.html", takes_context=True)
def consultation_record(context, application):
    user = context["request"].user
    record = record_of(application, user)
    return {
        "application": application,
        "record": record,
        "can_publish": record.notice is None and has_permission(user, PublicNotice, "add"),
    }


@register.inclusion_tag("participation/_need_weights.html")
def need_weights_note(shown):
    """Which survey weighed a plan or diagnosis, and each service's weight (the area's)."""
    if not shown:
        return {"shown": None}
    weights = sorted(
        ((label(vocabulary.SCENARIOS, code), value) for code, value in shown["area"].items()),
        key=lambda item: -item[1],
    )
    return {"shown": shown, "weights": weights}
