"""Every write to liaison assignments, logs, meetings, agendas and action items."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from collab.accounts import permissions as perm
from collab.lib import hooks
from collab.lib.markdown import with_html
from liaison.models import (
    ActionItem,
    AgendaChange,
    AgendaItem,
    AssignmentChange,
    AssignmentStatus,
    CalendarFeed,
    LiaisonAssignment,
    LogEntry,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    MentorCheckIn,
    new_token,
)


class ConflictError(Exception):
    """Someone else saved first; ``current`` is what they saved."""

    def __init__(self, message: str, current: Any) -> None:
        super().__init__(message)
        self.current = current


# --- assignments ---------------------------------------------------------------------------
def _check_mentor(mentor: Any) -> None:
    if mentor is not None and not perm.can_be_mentor(mentor):
        raise ValidationError({"mentor": f"{mentor} is not an executive; a mentor must be one."})


def _assignment_log(assignment: LiaisonAssignment, by: Any, action: str, detail: str = "") -> None:
    AssignmentChange.objects.create(assignment=assignment, by=by, action=action, detail=detail[:500])


def assignment_create(
    *,
    by: Any,
    person: Any,
    served_department: str,
    start_date: date,
    end_date: date | None = None,
    mentor: Any = None,
    focus_areas: str = "",
    projects: Iterable[Any] = (),
    home_department: str | None = None,
) -> LiaisonAssignment:
    if not perm.can_manage_liaisons(by):
        raise PermissionDenied("Only executives and admins assign liaisons.")
    _check_mentor(mentor)
    assignment = LiaisonAssignment(
        person=person,
        home_department=home_department or person.department,
        served_department=served_department,
        mentor=mentor,
        focus_areas=focus_areas,
        start_date=start_date,
        end_date=end_date,
    )
    assignment.full_clean()
    try:
        with transaction.atomic():
            assignment.save()
            assignment.projects.set(list(projects))
            _assignment_log(assignment, by, "created", f"{start_date} – {end_date or 'open-ended'}")
    except IntegrityError as exc:
        raise ValidationError("This person already has an active assignment serving that department.") from exc
    return assignment


ASSIGNMENT_FIELDS = ("mentor", "focus_areas", "start_date", "end_date", "served_department")


def assignment_update(*, assignment: LiaisonAssignment, by: Any, version: int, **fields: Any) -> LiaisonAssignment:
    """Save an edit made on ``version``; a stale version raises ConflictError and changes nothing."""
    if not perm.can_manage_liaisons(by):
        raise PermissionDenied("Only executives and admins change liaison assignments.")
    projects = fields.pop("projects", None)
    if "mentor" in fields:
        _check_mentor(fields["mentor"])
    values = {f: fields[f] for f in ASSIGNMENT_FIELDS if f in fields}
    candidate = LiaisonAssignment(
        **{f: getattr(assignment, f) for f in (*ASSIGNMENT_FIELDS, "person", "home_department", "status")},
        pk=assignment.pk,
    )
    candidate._state.adding = False
    for name, value in values.items():
        setattr(candidate, name, value)
    candidate.full_clean(exclude=["version"])
    changed_fields = [f for f, v in values.items() if getattr(assignment, f) != v]
    try:
        with transaction.atomic():
            changed = LiaisonAssignment.objects.filter(pk=assignment.pk, version=version).update(
                **with_html(LiaisonAssignment, dict(**values, version=F("version") + 1, updated_at=timezone.now())),
            )
            if not changed:
                raise ConflictError(
                    "Someone else changed this assignment while you were editing; nothing of yours was saved.",
                    LiaisonAssignment.objects.get(pk=assignment.pk),
                )
            if projects is not None:
                assignment.projects.set(list(projects))
            _assignment_log(assignment, by, "edited", ", ".join(changed_fields) or "no field changed")
    except IntegrityError as exc:
        raise ValidationError("This person already has an active assignment serving that department.") from exc
    assignment.refresh_from_db()
    return assignment


def assignment_end(*, assignment: LiaisonAssignment, by: Any, end_date: date | None = None) -> LiaisonAssignment:
    if not perm.can_manage_liaisons(by):
        raise PermissionDenied("Only executives and admins end liaison assignments.")
    end = end_date or timezone.localdate()
    if end < assignment.start_date:
        raise ValidationError({"end_date": "The end date cannot be before the start date."})
    with transaction.atomic():
        LiaisonAssignment.objects.filter(pk=assignment.pk).update(
            status=AssignmentStatus.ENDED, end_date=end, version=F("version") + 1, updated_at=timezone.now()
        )
        _assignment_log(assignment, by, "ended", f"on {end}")
    assignment.refresh_from_db()
    return assignment


def checkin_add(*, assignment: LiaisonAssignment, by: Any, date: date, notes: str, readiness: str) -> MentorCheckIn:
    if not perm.can_add_checkin(by, assignment):
        raise PermissionDenied("Only the mentor (or an executive) records a check-in.")
    checkin = MentorCheckIn(assignment=assignment, mentor=by, date=date, notes=notes, readiness=readiness)
    checkin.full_clean()
    with transaction.atomic():
        checkin.save()
        _assignment_log(assignment, by, "check-in", f"{date}: {checkin.get_readiness_display()}")
    return checkin


def log_entry_add(
    *,
    liaison: Any,
    by: Any,
    date: date,
    meeting: str,
    learned: str,
    follow_ups: Iterable[dict[str, Any]] = (),
) -> LogEntry:
    """A log entry; each follow-up ({"title", "owner", "due_date"}) becomes an action item."""
    if not perm.can_write_liaison_log(by, liaison):
        raise PermissionDenied("Only the liaison (or an executive) writes this log.")
    entry = LogEntry(liaison=liaison, date=date, meeting=meeting, learned=learned)
    entry.full_clean()
    actions = [ActionItem(created_by=by, **f) for f in follow_ups if f.get("title")]
    with transaction.atomic():
        entry.save()
        for action in actions:
            action.log_entry = entry
            action.full_clean()
            action.save()
    return entry


# --- meetings ------------------------------------------------------------------------------
def _meeting_log(meeting: Meeting, by: Any, action: str, detail: str = "") -> None:
    AgendaChange.objects.create(meeting=meeting, by=by, action=action, detail=detail[:500])


def series_create(
    *,
    by: Any,
    title: str,
    kind: str,
    cadence: str,
    organiser: Any,
    default_attendees: Iterable[Any] = (),
    default_length_minutes: int = 30,
    default_location: str = "",
) -> MeetingSeries:
    if not perm.can_create_series(by):
        raise PermissionDenied("Only executives, admins and liaisons start a meeting series.")
    series = MeetingSeries(
        title=title,
        kind=kind,
        cadence=cadence,
        organiser=organiser,
        default_length_minutes=default_length_minutes,
        default_location=default_location,
    )
    series.full_clean()
    with transaction.atomic():
        series.save()
        series.default_attendees.set(list(default_attendees))
    return series


def _refuse_past_planned(start: datetime, status: str, now: datetime) -> None:
    if status == MeetingStatus.PLANNED and start < now:
        raise ValidationError(
            {"start": "A meeting in the past cannot be “planned”: pick a future time, or record it as held."}
        )


def meeting_create(
    *,
    by: Any,
    series: MeetingSeries,
    start: datetime,
    length_minutes: int | None = None,
    location: str | None = None,
    attendees: Iterable[Any] | None = None,
    status: str = MeetingStatus.PLANNED,
    now: datetime | None = None,
) -> Meeting:
    """Schedule (or record) a meeting of ``series``; attendees default to the series'."""
    if not perm.can_schedule_meeting(by, series):
        raise PermissionDenied("Only the organiser, executives and liaisons schedule meetings.")
    now = now or timezone.now()
    if timezone.is_naive(start):
        raise ValidationError({"start": "The start time needs a time zone."})
    _refuse_past_planned(start, status, now)
    if status == MeetingStatus.HELD and start > now:
        raise ValidationError({"start": "A meeting cannot be held before it starts."})
    meeting = Meeting(
        series=series,
        start=start,
        length_minutes=length_minutes or series.default_length_minutes,
        location=series.default_location if location is None else location,
        organiser=series.organiser,
        status=status,
    )
    meeting.full_clean()
    people = list(series.default_attendees.all()) if attendees is None else list(attendees)
    with transaction.atomic():
        meeting.save()
        meeting.attendees.set(people)
        _meeting_log(meeting, by, "scheduled", f"{start:%Y-%m-%d %H:%M %Z}")
    if status == MeetingStatus.PLANNED:
        agenda_assemble(meeting=meeting, now=now)
    return meeting


def meeting_set_attendees(*, meeting: Meeting, by: Any, attendees: Iterable[Any]) -> Meeting:
    if not perm.can_manage_meeting(by, meeting):
        raise PermissionDenied("Only the organiser and executives change who attends.")
    people = list(attendees)
    with transaction.atomic():
        meeting.attendees.set(people)
        _meeting_log(meeting, by, "attendees", ", ".join(str(p) for p in people))
    return meeting


def meeting_set_status(*, meeting: Meeting, by: Any, to: str, now: datetime | None = None) -> Meeting:
    """Mark a meeting held or cancelled (organisers and executives), or re-plan it while it is in the future."""
    if to not in MeetingStatus.values:
        raise ValidationError("Unknown meeting status.")
    if to == MeetingStatus.CANCELLED and not perm.can_manage_meeting(by, meeting):
        raise PermissionDenied("Only the organiser and executives cancel a meeting.")
    if not perm.can_edit_meeting_agenda(by, meeting):
        raise PermissionDenied("Only attendees record how a meeting went.")
    if to == MeetingStatus.PLANNED and not perm.can_manage_meeting(by, meeting):
        raise PermissionDenied("Only the organiser and executives re-plan a meeting.")
    now = now or timezone.now()
    _refuse_past_planned(meeting.start, to, now)
    if to == MeetingStatus.HELD and meeting.start > now:
        raise ValidationError("A meeting cannot be held before it starts.")
    with transaction.atomic():
        Meeting.objects.filter(pk=meeting.pk).update(status=to, version=F("version") + 1, updated_at=now)
        _meeting_log(meeting, by, "status", f"{meeting.status} → {to}")
    meeting.refresh_from_db()
    if to == MeetingStatus.HELD:
        following = Meeting.objects.planned().filter(series=meeting.series, start__gt=meeting.start).first()
        if following is not None:
            agenda_assemble(meeting=following, now=now)
    return meeting


def meeting_notes_save(*, meeting: Meeting, by: Any, version: int, notes: str, decisions: str) -> Meeting:
    """Save notes and decisions written on ``version``; a stale version raises ConflictError."""
    if not perm.can_edit_meeting_agenda(by, meeting):
        raise PermissionDenied("Only attendees edit the notes.")
    with transaction.atomic():
        changed = Meeting.objects.filter(pk=meeting.pk, version=version).update(
            **with_html(
                Meeting, dict(notes=notes, decisions=decisions, version=F("version") + 1, updated_at=timezone.now())
            ),
        )
        if not changed:
            raise ConflictError(
                "Someone else saved the notes while you were writing. Their version is shown below; nothing of "
                "yours was saved — copy what you need into it and save again.",
                Meeting.objects.get(pk=meeting.pk),
            )
        _meeting_log(meeting, by, "notes", "notes and decisions saved")
    meeting.refresh_from_db()
    return meeting


# --- agenda --------------------------------------------------------------------------------
def _next_position(meeting: Meeting) -> int:
    return (meeting.agenda.aggregate(top=Max("position"))["top"] or 0) + 1


def _is_next_of_series(meeting: Meeting, now: datetime) -> bool:
    """No other planned meeting of the series comes between now and this one."""
    return not (
        Meeting.objects.planned()
        .filter(series_id=meeting.series_id, start__lt=meeting.start, start__gte=now - timedelta(hours=12))
        .exclude(pk=meeting.pk)
        .exists()
    )


def suggestions_for(meeting: Meeting) -> list[dict[str, str]]:
    """What other apps want on this meeting's agenda (the ``meetings.agenda_suggestions`` hook)."""
    out: list[dict[str, str]] = []
    for result in hooks.results("meetings.agenda_suggestions", meeting):
        for item in result or []:
            title = str(item.get("title", "")).strip()
            if title:
                out.append(
                    {
                        "title": title[:200],
                        "link": str(item.get("link", ""))[:300],
                        "source": str(item.get("source", "")),
                    }
                )
    return out


def agenda_assemble(*, meeting: Meeting, now: datetime | None = None) -> int:
    """Put the open action items of the series' earlier meetings and other apps' suggestions on the agenda
    of a planned meeting that is the next of its series. Idempotent: each item appears once."""
    now = now or timezone.now()
    if meeting.status != MeetingStatus.PLANNED or not _is_next_of_series(meeting, now):
        return 0
    carried = (
        ActionItem.objects.open()
        .filter(meeting__series_id=meeting.series_id, meeting__start__lt=meeting.start)
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .select_related("owner")
        .order_by("due_date", "id")
    )
    wanted: list[AgendaItem] = [
        AgendaItem(
            meeting=meeting,
            title=a.title,
            source="Open action item",
            key=f"action:{a.pk}",
            action_item=a,
            link=a.get_absolute_url(),
        )
        for a in carried
    ]
    wanted.extend(
        AgendaItem(
            meeting=meeting,
            title=s["title"],
            link=s["link"],
            source=s["source"],
            key=f"hook:{s['source']}:{s['link'] or s['title']}"[:200],
        )
        for s in suggestions_for(meeting)
    )
    if not wanted:
        return 0
    with transaction.atomic():
        existing = set(meeting.agenda.exclude(key="").values_list("key", flat=True))
        new = [item for item in wanted if item.key not in existing]
        position = _next_position(meeting)
        for offset, item in enumerate(new):
            item.position = position + offset
        AgendaItem.objects.bulk_create(new, ignore_conflicts=True)
        if new:
            _meeting_log(meeting, None, "assembled", f"{len(new)} item(s) carried over or suggested")
    return len(new)


def agenda_item_add(*, meeting: Meeting, by: Any, title: str, link: str = "") -> AgendaItem:
    if not perm.can_edit_meeting_agenda(by, meeting):
        raise PermissionDenied("Only attendees edit the agenda.")
    item = AgendaItem(meeting=meeting, title=title, link=link, source="Added", added_by=by)
    item.position = _next_position(meeting)
    item.full_clean()
    with transaction.atomic():
        item.save()
        _meeting_log(meeting, by, "added", item.title)
    return item


def agenda_item_tick(*, item: AgendaItem, by: Any, done: bool) -> AgendaItem:
    if not perm.can_edit_meeting_agenda(by, item.meeting):
        raise PermissionDenied("Only attendees tick off agenda items.")
    with transaction.atomic():
        AgendaItem.objects.filter(pk=item.pk).update(done=done)
        _meeting_log(item.meeting, by, "ticked" if done else "unticked", item.title)
    item.refresh_from_db()
    return item


def agenda_item_remove(*, item: AgendaItem, by: Any) -> None:
    if not perm.can_edit_meeting_agenda(by, item.meeting):
        raise PermissionDenied("Only attendees edit the agenda.")
    with transaction.atomic():
        _meeting_log(item.meeting, by, "removed", item.title)
        item.delete()


def agenda_reorder(*, meeting: Meeting, by: Any, order: list[int]) -> None:
    """Put the agenda in the given order (ids); every item must be listed once."""
    if not perm.can_edit_meeting_agenda(by, meeting):
        raise PermissionDenied("Only attendees reorder the agenda.")
    items = {i.pk: i for i in meeting.agenda.all()}
    if sorted(order) != sorted(items) or len(set(order)) != len(order):
        raise ValidationError("The new order must list every agenda item once; reload the page and try again.")
    with transaction.atomic():
        for position, pk in enumerate(order, start=1):
            items[pk].position = position
        AgendaItem.objects.bulk_update(items.values(), ["position"])
        _meeting_log(meeting, by, "reordered", " → ".join(items[pk].title for pk in order))


def agenda_item_move(*, item: AgendaItem, by: Any, direction: str) -> None:
    order = list(item.meeting.agenda.values_list("id", flat=True))
    index = order.index(item.pk)
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(order):
        order[index], order[target] = order[target], order[index]
    agenda_reorder(meeting=item.meeting, by=by, order=order)


# --- action items --------------------------------------------------------------------------
def action_item_add(*, meeting: Meeting, by: Any, title: str, owner: Any, due_date: date) -> ActionItem:
    if not perm.can_edit_meeting_agenda(by, meeting):
        raise PermissionDenied("Only attendees record action items.")
    action = ActionItem(meeting=meeting, title=title, owner=owner, due_date=due_date, created_by=by)
    action.full_clean()
    with transaction.atomic():
        action.save()
        _meeting_log(meeting, by, "action", f"{title} ({owner}, due {due_date})")
    return action


def action_item_done(*, action: ActionItem, by: Any, done: bool = True) -> ActionItem:
    if not perm.can_close_meeting_action(by, action, action.meeting):
        raise PermissionDenied("Only the owner, the organiser or an executive closes an action item.")
    with transaction.atomic():
        if done:
            ActionItem.objects.filter(pk=action.pk, done_at__isnull=True).update(done_at=timezone.now())
        else:
            ActionItem.objects.filter(pk=action.pk).update(done_at=None)
        if action.meeting_id:
            _meeting_log(action.meeting, by, "done" if done else "reopened", action.title)  # type: ignore[arg-type]
    action.refresh_from_db()
    return action


# --- calendar ------------------------------------------------------------------------------
def calendar_feed_for(*, user: Any) -> CalendarFeed:
    feed, _ = CalendarFeed.objects.get_or_create(user=user)
    return feed


def calendar_feed_regenerate(*, user: Any) -> CalendarFeed:
    """A new secret token; the old feed URL stops working at once."""
    with transaction.atomic():
        feed, created = CalendarFeed.objects.select_for_update().get_or_create(user=user)
        if not created:
            feed.token = new_token()
            feed.save(update_fields=["token"])
    return feed
