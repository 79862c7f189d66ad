"""Deployment checks of the web platform (``linli manage check --deploy``)."""

from __future__ import annotations

import stat

from django.conf import settings
from django.core import checks


def check_data_dir(app_configs, **kwargs):
    """The data directory holds the database, uploads and the key: its owner's only."""
    path = settings.DATA_DIR
    if not path.exists():
        return []
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        return [
            checks.Warning(
                f"{path} is mode {mode:o}: other users of the machine can read the platform's "
                "data (SQLite database, uploads, keys).",
                hint=f"chmod 700 {path}",
                id="linli.W101",
            )
        ]
    return []


def check_https_proxy(app_configs, **kwargs):
    """HTTPS needs the proxy that ends TLS to be trusted, or every request redirects again."""
    if settings.HTTPS and not settings.TRUSTED_PROXY:
        return [
            checks.Warning(
                "LINLI_HTTPS is on but LINLI_TRUSTED_PROXY is empty: behind nginx every request "
                "would look like plain HTTP and redirect to HTTPS for ever, and the logs would "
                "record the proxy's address instead of the client's.",
                hint="Set LINLI_TRUSTED_PROXY to the address nginx connects from, e.g. 127.0.0.1.",
                id="linli.W102",
            )
        ]
    return []


def check_policy_packs(app_configs, **kwargs):
    """Every policy pack on the search path loads (a city's pack with a typo is left out of the
    platform's choices until fixed: say so, with the file, key and reason)."""
    from linli.policy.pack import invalid_packs

    return [
        checks.Error(
            f"policy pack {pack_id!r} does not load: {reason}",
            hint=f"linli policy validate {pack_id}; see docs/policy-packs.md",
            id="linli.E103",
        )
        for pack_id, reason in invalid_packs().items()
    ]
