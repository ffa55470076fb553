"""The registry of notification kinds.

A kind is a small class. A *reminder* kind answers ``due(now)`` from the database: what is due, for
whom, about what, and when. An *event* kind (``swept = False``) is pushed by a service through
``services.notify`` when something happens (a ranking change, a test message). Feature apps register
their kinds in ``AppConfig.ready()``; this floor never imports them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from django.db import models


@dataclass(frozen=True)
class Due:
    """One reminder that is due: to ``recipient_id`` about ``obj`` for ``due_at``."""

    recipient_id: int
    obj: models.Model
    due_at: datetime
    title: str
    body: str = ""
    link: str = ""
    event_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class Kind:
    key: ClassVar[str]
    label: ClassVar[str]
    description: ClassVar[str] = ""
    #: swept kinds are asked by every beat sweep; event kinds are sent by services when things happen
    swept: ClassVar[bool] = True
    #: may the email be bundled into the daily digest (urgent kinds should say False)
    digestible: ClassVar[bool] = True
    default_in_app: ClassVar[bool] = True
    default_email: ClassVar[bool] = True
    #: to the person's own Slack/Teams webhooks (only where they set one up)
    default_chat: ClassVar[bool] = True
    #: also posted (once) to the recipient's department chat channel, where an admin set one up. Off unless a kind
    #: is the team's business (escalations, meetings); personal ones (a digest, your sign-off, your request) never
    #: go there. Skipped too when the person turned chat off for the kind.
    team_chat: ClassVar[bool] = False
    #: shown on the preferences page
    user_configurable: ClassVar[bool] = True

    def due(self, now: datetime) -> Iterable[Due]:
        return ()

    def for_team(self, due: Due, department: str) -> Due:
        """What a department's shared chat channel is told about ``due`` (the person's own channels get
        ``due`` itself). A kind about something not every member of the department may open overrides this
        and leaves out its name and text."""
        return due


_KINDS: dict[str, Kind] = {}


def register(kind: Kind | type[Kind]) -> Kind:
    instance = kind() if isinstance(kind, type) else kind
    _KINDS[instance.key] = instance
    return instance


def unregister(key: str) -> None:
    _KINDS.pop(key, None)


def get(key: str) -> Kind:
    return _KINDS[key]


def all_kinds() -> Iterator[Kind]:
    yield from sorted(_KINDS.values(), key=lambda k: k.label)


def swept_kinds() -> Iterator[Kind]:
    yield from (k for k in all_kinds() if k.swept)
