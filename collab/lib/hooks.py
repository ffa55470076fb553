"""Named hooks: how a lower floor asks a higher (or sideways) app for something without importing it.

An app *provides* a hook in its ``AppConfig.ready()``; the asking code calls ``results`` or ``first``.
Hook names in use (keep this list current):

- ``liaison.covering(department: str, served_by: str | None) -> int | None`` — the user id of the active
  liaison serving ``department`` (provided by ``liaison``; asked by ``parkinglot`` to pick a snag owner).
- ``meetings.agenda_suggestions(meeting) -> list[dict]`` — items other apps want on a meeting's agenda
  (provided by ``parkinglot``: parked snags for the attendees; asked by ``liaison``).
- ``calendar.events(user) -> list[dict]`` — extra events for a user's private calendar feed, each a dict
  ``{"uid", "summary", "start", "end", "location", "url"}`` with aware datetimes (asked by ``liaison``'s
  feed; provided by ``reviews`` for QBRs).
- ``goals.detours(goal_id: int, user) -> dict | None`` — the snags that detoured a shared goal:
  ``{"snags": [objects with .code, .title, .get_absolute_url(), .days_lost, .get_status_display()],
  "days_lost": int, "count": int, "hidden": int}`` — the list only snags ``user`` may open, the figures every
  snag and ``hidden`` how many of them the list leaves out (provided by ``parkinglot``; asked by
  ``collab.projects`` on the goal page; ``None`` = no parking lot, shown as an honest empty state).
- ``snags.hidden_in(user, texts: list[str]) -> list[bool]`` — for each text, whether it names a snag (its code)
  that ``user`` may not open (provided by ``parkinglot``; asked through ``collab.lib.snag_mentions`` by
  ``liaison`` and ``reviews`` to hide stored agenda items and history lines made from parked snags).
- ``search.providers`` — each provider is a ``collab.lib.search.Provider`` (kind, label, order and
  ``search(user, query, limit) -> list[Hit]``), registered with ``collab.lib.search.register`` (provided by
  ``parkinglot``, ``collab.projects``, ``liaison`` and ``reviews``; asked by the search page in
  ``collab.dashboard``). The provider itself is the hook's callable.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

_HOOKS: dict[str, list[Callable[..., Any]]] = defaultdict(list)


def provide(name: str, func: Callable[..., Any]) -> None:
    if func not in _HOOKS[name]:
        _HOOKS[name].append(func)


def withdraw(name: str, func: Callable[..., Any]) -> None:
    if func in _HOOKS.get(name, []):
        _HOOKS[name].remove(func)


def providers(name: str) -> list[Callable[..., Any]]:
    return list(_HOOKS.get(name, []))


def results(name: str, *args: Any, **kwargs: Any) -> list[Any]:
    """Every provider's answer, in registration order."""
    return [func(*args, **kwargs) for func in providers(name)]


def first(name: str, *args: Any, default: Any = None, **kwargs: Any) -> Any:
    """The first provider's answer that is not None, else ``default``."""
    for func in providers(name):
        value = func(*args, **kwargs)
        if value is not None:
            return value
    return default
