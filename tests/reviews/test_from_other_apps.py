"""What the QBR reads from the other apps: the quarter's snags and meetings in its facts, parked snags, and the
QBR in each attendee's private calendar feed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from liaison import services as liaison_services
from liaison.models import Cadence, SeriesKind
from parkinglot import services as snag_services
from reviews import facts

pytestmark = pytest.mark.django_db


def _section(review, key):
    return next(s["data"] for s in facts.compute(review)["sections"] if s["key"] == key)


def test_facts_count_the_quarters_snags_and_list_those_parked_for_the_qbr(review, member, liaison, cmo):
    in_q = datetime(2026, 10, 15, 9, 0, tzinfo=UTC)
    a = snag_services.snag_create(raised_by=member, title="Tag missing", impact="critical", now=in_q)
    b = snag_services.snag_create(raised_by=member, title="Budget stuck", impact="low", now=in_q)
    snag_services.snag_create(raised_by=member, title="Last quarter", now=datetime(2026, 8, 1, tzinfo=UTC))
    snag_services.snag_transition(snag=a, by=liaison, to="answered", note="Fixed", now=in_q + timedelta(hours=6))
    snag_services.snag_transition(snag=a, by=member, to="resolved", now=in_q + timedelta(hours=8))
    snag_services.snag_transition(snag=b, by=liaison, to="parked", note="Both sponsors", parked_for="qbr", now=in_q)
    data = _section(review, "snags")
    figures = {f["label"]: f["value"] for f in data["figures"]}
    assert figures["Logged"] == 2 and figures["Resolved"] == 1
    assert figures["Median time to first answer"] == "6.0 h"
    assert [row[0] for row in data["table"]["rows"]] == [f"{b.code} Budget stuck"]


def test_facts_degrade_gracefully_without_data(review):
    assert _section(review, "snags") == {"empty": "No snags were logged this quarter."}
    assert "empty" in _section(review, "meetings")


def test_facts_count_the_meetings_held(review, cmo, cio):
    series = liaison_services.series_create(
        by=cmo, title="CMO–CIO sync", kind=SeriesKind.CMO_CIO_SYNC, cadence=Cadence.MONTHLY, organiser=cmo,
        default_attendees=[cio], default_length_minutes=60,
    )  # fmt: skip
    for month in (10, 11):
        start = datetime(2026, month, 5, 9, 0, tzinfo=UTC)
        liaison_services.meeting_create(
            by=cmo, series=series, start=start, status="held", now=start + timedelta(hours=2)
        )
    data = _section(review, "meetings")
    assert {"label": "CMO–CIO syncs", "value": 2} in data["figures"]


def test_the_qbr_is_in_each_attendees_calendar_feed(review, cio, outsider):
    feed = liaison_services.calendar_feed_for(user=cio)
    body = Client().get(reverse("liaison:calendar_feed", args=[feed.token])).content
    events = {str(e["uid"]): e for e in Calendar.from_ical(body).walk("VEVENT")}
    qbr = events["qbr-2026-q4@collab"]
    assert qbr.decoded("dtstart") == datetime(2026, 12, 10, 13, 0, tzinfo=UTC)
    other = liaison_services.calendar_feed_for(user=outsider)
    assert b"qbr-2026-q4" not in Client().get(reverse("liaison:calendar_feed", args=[other.token])).content
