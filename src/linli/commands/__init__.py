"""Command groups of the ``linli`` CLI; see :mod:`linli.cli`."""


class CommandError(Exception):
    """Bad input for a command: printed on stderr, exit status 2, nothing changed."""
