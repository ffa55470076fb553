"""iCalendar output: a user's private feed and a single meeting's invitation. Times are written in UTC
(``...Z``), so every calendar app shows the same instant whatever its zone and across DST changes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from collab.lib import hooks
from collab.lib.urls import absolute_url
from liaison.models import Meeting, MeetingStatus

STATUS = {MeetingStatus.PLANNED: "CONFIRMED", MeetingStatus.HELD: "CONFIRMED", MeetingStatus.CANCELLED: "CANCELLED"}


def _utc(dt: datetime) -> datetime:
    return dt.astimezone(UTC)


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//Collab//Meetings//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    return cal


def meeting_event(meeting: Meeting, *, with_people: bool = False) -> Event:
    event = Event()
    event.add("uid", f"meeting-{meeting.pk}@collab")
    event.add("summary", meeting.series.title)
    event.add("dtstart", _utc(meeting.start))
    event.add("dtend", _utc(meeting.end))
    event.add("dtstamp", _utc(meeting.updated_at))
    event.add("sequence", meeting.version)
    event.add("status", STATUS[MeetingStatus(meeting.status)])
    if meeting.location:
        event.add("location", meeting.location)
    event.add("url", absolute_url(meeting.get_absolute_url()))
    if with_people:
        organiser = vCalAddress(f"mailto:{meeting.organiser.email or 'collab@localhost'}")
        organiser.params["cn"] = vText(meeting.organiser.display_name)
        event["organizer"] = organiser
        for person in meeting.attendees.all():
            if person.email:
                attendee = vCalAddress(f"mailto:{person.email}")
                attendee.params["cn"] = vText(person.display_name)
                event.add("attendee", attendee, encode=False)
        agenda = "\n".join(f"{i}. {item.title}" for i, item in enumerate(meeting.agenda.all(), start=1))
        event.add("description", f"Agenda:\n{agenda}" if agenda else "Agenda to follow.")
    return event


def _extra_event(data: dict[str, Any]) -> Event:
    event = Event()
    event.add("uid", data["uid"])
    event.add("summary", data.get("summary", ""))
    event.add("dtstart", _utc(data["start"]))
    event.add("dtend", _utc(data["end"]))
    event.add("dtstamp", _utc(timezone.now()))
    if data.get("location"):
        event.add("location", data["location"])
    if data.get("url"):
        event.add("url", data["url"])
    return event


def feed(user: Any, meetings: Iterable[Meeting]) -> bytes:
    """The user's meetings plus every ``calendar.events`` provider's events (QBRs, later)."""
    cal = _calendar(f"Collab — {user.display_name}")
    for meeting in meetings:
        cal.add_component(meeting_event(meeting))
    for events in hooks.results("calendar.events", user):
        for data in events or []:
            cal.add_component(_extra_event(data))
    return cal.to_ical()


def invitation(meeting: Meeting) -> bytes:
    cal = _calendar(meeting.series.title)
    cal.add_component(meeting_event(meeting, with_people=True))
    return cal.to_ical()
