from __future__ import annotations

from datetime import datetime
from typing import Any

from collab.notifications.models import Heartbeat, Notification


def last_sweep_at() -> datetime | None:
    from collab.notifications.services import SWEEP_HEARTBEAT

    beat = Heartbeat.objects.filter(name=SWEEP_HEARTBEAT).only("at").first()
    return beat.at if beat else None


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.for_user(user).unread().count()
