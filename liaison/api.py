"""Meetings over the REST API (read only): the same meetings the /meetings/ pages show to every employee."""

from __future__ import annotations

from datetime import UTC, datetime

from django.http import Http404, HttpRequest
from ninja import Field, Path, Query, Router, Schema
from pydantic import field_validator

from collab.accounts.api_auth import MAX_ID, PersonOut, errors, person, user_of
from collab.lib import snag_mentions
from collab.lib.pagination import page_of
from liaison import selectors
from liaison.models import Meeting, MeetingStatus, SeriesKind

router = Router(tags=["meetings"])


class MeetingOut(Schema):
    id: int
    series_id: int
    series_title: str
    kind: SeriesKind
    start: datetime
    end: datetime
    length_minutes: int
    location: str
    status: MeetingStatus
    organiser: PersonOut
    url: str


class AgendaItemOut(Schema):
    id: int
    title: str
    link: str
    source: str
    done: bool


class MeetingDetailOut(MeetingOut):
    attendees: list[PersonOut]
    agenda: list[AgendaItemOut]
    notes: str
    decisions: str
    version: int


class MeetingPage(Schema):
    count: int
    page: int
    pages: int
    items: list[MeetingOut]


class MeetingFilterIn(Schema):
    status: MeetingStatus | None = None
    mine: bool = Field(False, description="Only meetings you organise or attend.")
    start_after: datetime | None = None
    start_before: datetime | None = None
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(25, ge=1, le=100)

    @field_validator("start_after", "start_before")
    @classmethod
    def _in_utc(cls, value: datetime | None) -> datetime | None:
        """Any offset is accepted and turned into UTC (the database takes offsets of at most a few hours)."""
        if value is None:
            return None
        try:
            return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
        except OverflowError:
            raise ValueError("This time is out of range.") from None


def meeting_out(m: Meeting) -> MeetingOut:
    return MeetingOut(
        id=m.pk,
        series_id=m.series_id,
        series_title=m.series.title,
        kind=SeriesKind(m.series.kind),
        start=m.start,
        end=m.end,
        length_minutes=m.length_minutes,
        location=m.location,
        status=MeetingStatus(m.status),
        organiser=person(m.organiser),
        url=m.get_absolute_url(),
    )


@router.get("/meetings", response={200: MeetingPage, **errors(422)}, summary="List meetings, newest first")
def list_meetings(request: HttpRequest, filters: Query[MeetingFilterIn]) -> MeetingPage:
    qs = selectors.meeting_list(
        user_id=user_of(request).pk,
        mine=filters.mine,
        status=filters.status or "",
        start_after=filters.start_after,
        start_before=filters.start_before,
    )
    return MeetingPage(**page_of(qs, page=filters.page, page_size=filters.page_size, item=meeting_out))


@router.get("/meetings/{int:pk}", response={200: MeetingDetailOut, **errors(404, 422)}, summary="One meeting")
def get_meeting(request: HttpRequest, pk: int = Path(..., ge=1, le=MAX_ID)) -> MeetingDetailOut:
    found = selectors.meeting_with_people(pk)
    if found is None:
        raise Http404("No such meeting.")
    items = list(found.agenda.all())
    snag_mentions.hide(user_of(request), items, ("title", "link", "source"))  # as on the meeting page
    return MeetingDetailOut(
        **meeting_out(found).model_dump(),
        attendees=[person(a) for a in found.attendees.all()],
        agenda=[AgendaItemOut(id=i.pk, title=i.title, link=i.link, source=i.source, done=i.done) for i in items],
        notes=found.notes,
        decisions=found.decisions,
        version=found.version,
    )
