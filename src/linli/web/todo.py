"""The to-do list on each role's home page.

Apps add providers with :func:`register`; a provider returns the items waiting for a
user (already restricted to the user's scope). The funding workflow adds its queues here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise

from linli.web.providers import Providers


@dataclass(frozen=True)
class TodoItem:
    title: str | Promise
    url: str
    detail: str | Promise = ""


_todo: Providers[TodoItem] = Providers()
register = _todo.register
todo_for = _todo.collect
