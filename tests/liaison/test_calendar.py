from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from collab.lib import hooks
from liaison import services
from tests.liaison.conftest import make_meeting

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


def _events(body: bytes) -> list:
    return [c for c in Calendar.from_ical(body).walk("VEVENT")]


def test_feed_has_the_right_utc_instants_across_a_dst_change(sync_series, cio):
    # 09:00 in Berlin the week before and after the end of summer time (25 Oct 2026)
    before = make_meeting(
        sync_series, datetime(2026, 10, 22, 9, 0, tzinfo=BERLIN), now=datetime(2026, 10, 1, tzinfo=UTC)
    )
    after = make_meeting(
        sync_series, datetime(2026, 10, 29, 9, 0, tzinfo=BERLIN), now=datetime(2026, 10, 1, tzinfo=UTC)
    )
    feed = services.calendar_feed_for(user=cio)
    r = Client().get(reverse("liaison:calendar_feed", args=[feed.token]), headers={})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/calendar")
    starts = {str(e["uid"]): e.decoded("dtstart") for e in _events(r.content)}
    assert starts[f"meeting-{before.pk}@collab"] == datetime(2026, 10, 22, 7, 0, tzinfo=UTC)
    assert starts[f"meeting-{after.pk}@collab"] == datetime(2026, 10, 29, 8, 0, tzinfo=UTC)
    assert b"DTSTART:20261022T070000Z" in r.content


def test_wrong_and_revoked_tokens_are_404(cio):
    old = services.calendar_feed_for(user=cio).token
    assert Client().get(reverse("liaison:calendar_feed", args=["nope"])).status_code == 404
    services.calendar_feed_regenerate(user=cio)
    assert Client().get(reverse("liaison:calendar_feed", args=[old])).status_code == 404
    new = services.calendar_feed_for(user=cio).token
    assert new != old
    assert Client().get(reverse("liaison:calendar_feed", args=[new])).status_code == 200


def test_feed_includes_events_from_the_calendar_hook(cio):
    def qbrs(user):
        return [
            {
                "uid": "qbr-2026-q4@collab",
                "summary": "QBR 2026 Q4",
                "start": datetime(2026, 12, 10, 13, tzinfo=UTC),
                "end": datetime(2026, 12, 10, 15, tzinfo=UTC),
                "location": "Board room",
                "url": "http://x/reviews/2026/q4/",
            }
        ]

    hooks.provide("calendar.events", qbrs)
    try:
        body = Client().get(services.calendar_feed_for(user=cio).get_absolute_url()).content
    finally:
        hooks.withdraw("calendar.events", qbrs)
    assert [str(e["summary"]) for e in _events(body)] == ["QBR 2026 Q4"]


def test_feed_shows_only_the_users_meetings(sync_series, cio, member):
    make_meeting(sync_series, datetime(2030, 1, 1, 9, tzinfo=UTC))
    assert len(_events(Client().get(services.calendar_feed_for(user=cio).get_absolute_url()).content)) == 1
    assert _events(Client().get(services.calendar_feed_for(user=member).get_absolute_url()).content) == []


def test_meeting_ics_download(client_as, sync_series, cmo, cio):
    m = make_meeting(sync_series, datetime(2030, 1, 1, 9, tzinfo=UTC))
    services.agenda_item_add(meeting=m, by=cmo, title="Budget")
    r = client_as(cio).get(reverse("liaison:meeting_ics", args=[m.pk]))
    (event,) = _events(r.content)
    assert event.decoded("dtstart") == datetime(2030, 1, 1, 9, tzinfo=UTC)
    assert "Budget" in str(event["description"])


def test_calendar_page_and_regenerate(client_as, cio):
    c = client_as(cio)
    r = c.get(reverse("liaison:calendar"))
    token = services.calendar_feed_for(user=cio).token
    assert token in r.content.decode()
    assert c.post(reverse("liaison:calendar_regenerate")).status_code == 302
    assert services.calendar_feed_for(user=cio).token != token
