"""What the home page gathers from the apps: each app registers providers of items for a user.

Used by the to-do list (:mod:`linli.web.todo`) and the key figures (:mod:`linli.web.overview`);
a provider returns only what the user may see (it reads through ``restrict``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

Item = TypeVar("Item")


class Providers(Generic[Item]):
    def __init__(self) -> None:
        self._providers: list[Callable[[object], Iterable[Item]]] = []

    def register(self, provider: Callable[[object], Iterable[Item]]):
        if provider not in self._providers:
            self._providers.append(provider)
        return provider

    def collect(self, user) -> list[Item]:
        return [item for provider in self._providers for item in provider(user)]
