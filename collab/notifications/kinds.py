"""The kinds this floor delivers itself: the daily digest and the admins' test message."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from django.db.models import Min
from django.utils import timezone

from collab.lib.time import zone
from collab.notifications.models import Delivery, DeliveryStatus, DigestSetting
from collab.notifications.registry import Due, Kind


def last_digest_time(now: datetime, tz_name: str, hour: int) -> datetime:
    """The most recent local ``hour``:00 at or before ``now``, as an aware datetime."""
    tz = zone(tz_name)
    local_now = timezone.localtime(now, tz)
    candidate = local_now.replace(hour=hour, minute=0, second=0, microsecond=0)
    if candidate > local_now:
        candidate = (candidate - timedelta(days=1)).replace(hour=hour)
    # normalise through UTC so a DST change gives the real instant of that wall-clock hour
    return candidate.astimezone(zone("UTC"))


class DailyDigest(Kind):
    key = "daily_digest"
    label = "Daily digest"
    description = "One email a day with the reminders held for it."
    digestible = False
    default_in_app = False
    default_email = True
    default_chat = False
    team_chat = False
    user_configurable = False

    def due(self, now: datetime) -> Iterator[Due]:
        first_held = dict(
            Delivery.objects.filter(status=DeliveryStatus.DIGEST, due_at__lte=now)
            .values("recipient_id")
            .annotate(first=Min("due_at"))
            .values_list("recipient_id", "first")
        )
        if not first_held:
            return
        for setting in DigestSetting.objects.filter(enabled=True, user_id__in=first_held).select_related("user"):
            at = last_digest_time(now, setting.user.time_zone, setting.hour)
            if first_held[setting.user_id] <= at:
                yield Due(
                    recipient_id=setting.user_id,
                    obj=setting.user,
                    due_at=at,
                    title="Your daily Collab digest",
                    link="/notifications/",
                )


class TestMessage(Kind):
    key = "test"
    label = "Test message"
    description = "Sent by an administrator to check that mail and the bell work."
    swept = False
    digestible = False
    team_chat = False
    user_configurable = False
