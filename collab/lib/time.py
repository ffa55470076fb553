"""Time helpers: store UTC, show local."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta

from django.conf import settings
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


def company_zone() -> zoneinfo.ZoneInfo:
    """The company's time zone (``settings.TIME_ZONE``): where working days and morning reminders are counted."""
    return zone(settings.TIME_ZONE)


def company_morning(day: date, hour: int = 8) -> datetime:
    """``hour`` o'clock on ``day`` in the company's time zone (an aware datetime)."""
    return datetime.combine(day, time(hour, 0), tzinfo=company_zone())


def add_working_days(start: datetime, days: int) -> datetime:
    """``start`` plus ``days`` working days (Monday to Friday, in the company's time zone), at the same local time
    of day; a negative ``days`` counts back. A weekend start counts from the next (or previous) working day."""
    tz = company_zone()
    when = start.astimezone(tz)
    step = 1 if days >= 0 else -1
    left = abs(days)
    day = when.date()
    while left > 0:
        day += timedelta(days=step)
        if day.weekday() < 5:
            left -= 1
    # rebuild on the wall clock so a daylight-saving change keeps the local time of day
    return datetime.combine(day, when.timetz().replace(tzinfo=None), tzinfo=tz)
