"""Time helpers: store UTC, show local."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time

from django.utils import timezone


def zone(name: str | None) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def local(dt: datetime, tz_name: str | None) -> datetime:
    return timezone.localtime(dt, zone(tz_name))


def format_local(dt: datetime, tz_name: str | None) -> str:
    """'Tue 1 Dec 2026, 09:00 CET' in the given zone."""
    when = local(dt, tz_name)
    return f"{when:%a} {when.day} {when:%b %Y, %H:%M} {when.tzname()}"


def start_of_day(day: date) -> datetime:
    """Midnight at the start of ``day`` in the current time zone (the bound of a day-based period)."""
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def quarter_start(day: date) -> date:
    """The first day of the calendar quarter ``day`` falls in."""
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def common_timezones() -> list[str]:
    return sorted(zoneinfo.available_timezones() - {"Factory", "localtime"})
