from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from liaison import services
from liaison.models import Cadence, SeriesKind

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def at_now():
    """The clock stands at Monday 2 Nov 2026, 09:00 UTC."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def sync_series(cmo, cio):
    return services.series_create(
        by=cmo,
        title="CMO–CIO sync",
        kind=SeriesKind.CMO_CIO_SYNC,
        cadence=Cadence.MONTHLY,
        organiser=cmo,
        default_attendees=[cio],
        default_length_minutes=60,
        default_location="Board room",
    )


@pytest.fixture
def standup(liaison, member, cio):
    return services.series_create(
        by=liaison,
        title="Joint stand-up",
        kind=SeriesKind.JOINT_STANDUP,
        cadence=Cadence.WEEKLY,
        organiser=liaison,
        default_attendees=[member, cio],
        default_length_minutes=15,
    )


def make_meeting(series, start, *, status="planned", by=None, attendees=None, now=None):
    """A meeting created as if it were ``now`` (a day before a planned one, an hour after a held one)."""
    if now is None:
        now = start - timedelta(days=1) if status == "planned" else start + timedelta(hours=1)
    return services.meeting_create(
        by=by or series.organiser, series=series, start=start, status=status, attendees=attendees, now=now
    )


@pytest.fixture
def assignment(cmo, cio, liaison):
    return services.assignment_create(
        by=cio,
        person=liaison,
        served_department="marketing",
        start_date=date(2026, 1, 1),
        end_date=date(2027, 6, 30),
        mentor=cmo,
        focus_areas="Campaign tooling",
    )
