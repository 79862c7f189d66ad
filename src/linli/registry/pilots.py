"""Who may make a community a pilot (试点社区): a decision of the city (121号 一: 每个试点城市选择
100个左右社区作为先行试点项目), or of the district where the installation's policy pack says so.

The flag changes only through :func:`linli.registry.services.registry_update` (and create, and
the import), which ask :func:`may_designate_pilots` and audit the change like any other.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from linli.core.permissions import has_permission
from linli.policy import load_pack


def designating_level() -> str:
    """The level that designates pilots under the installation's pack (the city by default)."""
    designation = load_pack(settings.POLICY_PACK).pilots
    return designation.by if designation else "city"


def may_designate_pilots(actor) -> bool:
    """Whether ``actor`` may set or clear the pilot flag (within its own scope)."""
    from linli.registry.models import Community

    return (
        actor.jurisdiction is not None
        and actor.jurisdiction.level == designating_level()
        and has_permission(actor, Community, "change")
    )


def require_pilot_designator(actor) -> None:
    if not may_designate_pilots(actor):
        raise PermissionDenied(
            _("Pilot communities are designated by the %(level)s office.")
            % {"level": _level_label(designating_level())}
        )


def _level_label(level: str) -> str:
    from linli.registry.models import Level

    return str(Level(level).label)
