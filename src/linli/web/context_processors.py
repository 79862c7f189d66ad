from django.conf import settings
from django.utils.translation import gettext as _

from linli.accounts import twofactor
from linli.web.navigation import menu_for


def navigation(request):
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    # Between the password and the second factor the menu would only lead back to the code.
    if signed_in and not twofactor.is_verified(request) and twofactor.required(user):
        signed_in = False
    return {
        "menu": menu_for(user) if signed_in else [],
        "idle_timeout_minutes": settings.IDLE_TIMEOUT_MINUTES,
        "map_tiles": {
            "url": settings.MAP_TILE_URL,
            # OpenStreetMap's credit in the reader's language unless the installation sets one.
            "attribution": settings.MAP_TILE_ATTRIBUTION or _("© OpenStreetMap contributors"),
        },
    }
