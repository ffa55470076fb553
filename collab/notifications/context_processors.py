from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from collab.notifications.selectors import unread_count


def bell(request: HttpRequest) -> dict[str, object]:
    """The unread count for the header bell, counted only if a template shows it."""
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(request.user))}
