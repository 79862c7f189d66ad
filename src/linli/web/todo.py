"""The to-do list on each role's home page.

Apps add providers with :func:`register`; a provider returns the items waiting for a
user (already restricted to the user's scope). The funding workflow adds its queues here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class TodoItem:
    title: str | Promise
    url: str
    detail: str | Promise = ""


TodoProvider = Callable[[object], Iterable[TodoItem]]
_providers: list[TodoProvider] = []


def register(provider: TodoProvider) -> TodoProvider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def todo_for(user) -> list[TodoItem]:
    return [item for provider in _providers for item in provider(user)]
