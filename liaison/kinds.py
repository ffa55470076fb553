"""Reminder kinds of liaisons and meetings: meetings, action items, the lapsed CMO–CIO sync, assignments ending."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

from collab.accounts.models import Department, User
from collab.notifications.registry import Due, Kind
from liaison.models import ActionItem, LiaisonAssignment, Meeting, MeetingSeries, MeetingStatus, SeriesKind
from liaison.selectors import SYNC_LAPSE_DAYS

REPEAT_EVERY = timedelta(days=3)


def _morning(day: date) -> datetime:
    return datetime.combine(day, time(8, 0), tzinfo=UTC)


def both_executives() -> list[int]:
    """The CMO and the CIO: the executive heads of marketing and IT."""
    return list(
        User.objects.executives()
        .filter(is_department_head=True, department__in=[Department.MARKETING, Department.IT])
        .order_by("pk")
        .values_list("pk", flat=True)
    )


class MeetingSoon(Kind):
    """A day and an hour before a planned meeting, to its organiser and attendees."""

    key = "meeting_soon"
    label = "Meeting coming up"
    description = "A meeting you attend starts in a day, and again an hour before."
    digestible = False
    team_chat = True  # the team hears about it in its chat channel too

    def due(self, now: datetime) -> Iterator[Due]:
        meetings = list(
            Meeting.objects.planned()
            .filter(start__gt=now, start__lte=now + timedelta(days=1))
            .select_related("series")
            .prefetch_related("attendees")
        )
        for m in meetings:
            people = {m.organiser_id} | {u.pk for u in m.attendees.all() if u.is_active}
            for before, label in ((timedelta(days=1), "tomorrow"), (timedelta(hours=1), "in an hour")):
                at = m.start - before
                if at > now:
                    continue
                for pk in sorted(people):
                    yield Due(
                        recipient_id=pk,
                        obj=m,
                        due_at=at,
                        title=f"{m.series.title} {label}",
                        body=m.location,
                        link=m.get_absolute_url(),
                        event_at=m.start,
                    )


class ActionDue(Kind):
    """The day before an open action item is due, to its owner."""

    key = "meeting_action_due"
    label = "Action item due"
    description = "An action item from a meeting or a liaison's log is due tomorrow."

    def due(self, now: datetime) -> Iterator[Due]:
        today = now.date()
        for a in ActionItem.objects.open().filter(due_date__in=[today, today + timedelta(days=1)]):
            at = _morning(a.due_date - timedelta(days=1))
            if at <= now:
                yield Due(
                    recipient_id=a.owner_id,
                    obj=a,
                    due_at=at,
                    title=f"Due tomorrow: {a.title}",
                    link=a.get_absolute_url(),
                )


class ActionOverdue(Kind):
    """From the morning after the due date, every three days while open, to the owner."""

    key = "meeting_action_overdue"
    label = "Action item overdue"
    description = "An action item from a meeting or a liaison's log is past its due date."

    def due(self, now: datetime) -> Iterator[Due]:
        for a in ActionItem.objects.open().filter(due_date__lt=now.date()).select_related("owner"):
            first = _morning(a.due_date + timedelta(days=1))
            if first > now:
                continue
            k = int((now - first) / REPEAT_EVERY)
            yield Due(
                recipient_id=a.owner_id,
                obj=a,
                due_at=first + k * REPEAT_EVERY,
                title=f"Overdue: {a.title}",
                body=f"Was due {a.due_date:%d %b %Y}.",
                link=a.get_absolute_url(),
            )


class SyncLapsed(Kind):
    """31 days after the last held CMO–CIO sync, and every three days after, both executives are reminded
    until a sync is scheduled."""

    key = "cmo_cio_sync_lapsed"
    label = "CMO–CIO sync lapsed"
    description = "The CMO and the CIO have not met for a month; schedule the next sync."
    digestible = False

    def due(self, now: datetime) -> Iterator[Due]:
        syncs = Meeting.objects.filter(series__kind=SeriesKind.CMO_CIO_SYNC)
        if syncs.filter(status=MeetingStatus.PLANNED, start__gte=now).exists():
            return
        last = syncs.filter(status=MeetingStatus.HELD, start__lte=now).order_by("-start").first()
        series = MeetingSeries.objects.filter(kind=SeriesKind.CMO_CIO_SYNC).order_by("pk").first()
        if series is None:
            return
        since = last.start if last else series.created_at
        lapse = since + timedelta(days=SYNC_LAPSE_DAYS)
        if lapse > now:
            return
        k = int((now - lapse) / REPEAT_EVERY)
        days = (now - since).days
        for pk in both_executives():
            yield Due(
                recipient_id=pk,
                obj=last or series,
                due_at=lapse + k * REPEAT_EVERY,
                title=f"No CMO–CIO sync for {days} days",
                body="The CMO and the CIO meet at least monthly. Schedule the next sync.",
                link=series.get_absolute_url(),
            )


class AssignmentEnding(Kind):
    """30 and 7 days before a liaison assignment ends, to the liaison, the mentor and both executives."""

    key = "liaison_assignment_ending"
    label = "Liaison assignment ending"
    description = "A liaison assignment ends in 30 days, and again in 7."

    def due(self, now: datetime) -> Iterator[Due]:
        today = now.date()
        ending = LiaisonAssignment.objects.active().filter(
            end_date__gte=today, end_date__lte=today + timedelta(days=30)
        )
        rows = list(ending.select_related("person"))
        if not rows:
            return
        executives = both_executives()
        for a in rows:
            assert a.end_date is not None  # noqa: S101 - filtered above
            marks = [(_morning(a.end_date - timedelta(days=d)), d) for d in (30, 7)]
            passed = [(at, d) for at, d in marks if at <= now]
            if not passed:
                continue
            at, days = passed[-1]  # only the latest mark: an assignment made 5 days before its end warns once
            people = {a.person_id, *executives} | ({a.mentor_id} if a.mentor_id else set())
            for pk in sorted(people):
                yield Due(
                    recipient_id=pk,
                    obj=a,
                    due_at=at,
                    title=f"{a.person}'s liaison assignment ends in {days} days",
                    body=f"Serving {a.get_served_department_display()} until {a.end_date:%d %b %Y}.",
                    link=a.get_absolute_url(),
                )
