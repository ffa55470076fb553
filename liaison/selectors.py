"""Reads of liaisons and meetings, for their pages, the dashboard and the reviews' facts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from collab.accounts import permissions as perm
from collab.accounts.models import Department, Role, User
from collab.lib import search
from liaison.models import (
    ActionItem,
    AgendaItem,
    LiaisonAssignment,
    LogEntry,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    MentorCheckIn,
    SeriesKind,
)

COVERAGE_WARN_DAYS = 30
SYNC_LAPSE_DAYS = 31

DIRECTIONS = (
    ("it_to_marketing", "IT → marketing", Department.IT, Department.MARKETING),
    ("marketing_to_it", "Marketing → IT", Department.MARKETING, Department.IT),
)


def current_assignments(today: date | None = None) -> QuerySet[LiaisonAssignment]:
    today = today or timezone.localdate()
    return (
        LiaisonAssignment.objects.current(today)
        .select_related("person", "mentor")
        .prefetch_related("projects")
        .order_by("served_department", "end_date", "id")
    )


def coverage(today: date | None = None) -> list[dict[str, Any]]:
    """Per direction (IT → marketing, marketing → IT): the active liaisons, their end dates and a warning
    (None when covered): no active liaison, or one ends within 30 days."""
    today = today or timezone.localdate()
    rows = list(
        LiaisonAssignment.objects.current(today)
        .filter(
            Q(home_department=Department.IT, served_department=Department.MARKETING)
            | Q(home_department=Department.MARKETING, served_department=Department.IT)
        )
        .select_related("person", "mentor")
        .order_by("end_date", "id")
    )
    out = []
    for key, label, home, served in DIRECTIONS:
        active = [a for a in rows if a.home_department == home and a.served_department == served]
        warning = None
        if not active:
            warning = f"No active liaison from {Department(home).label} serves {Department(served).label}."
        else:
            ending = [a for a in active if a.end_date and a.end_date <= today + timedelta(days=COVERAGE_WARN_DAYS)]
            if ending:
                a = ending[0]
                days = (a.end_date - today).days  # type: ignore[operator]
                when = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
                warning = f"{a.person}'s assignment ({label}) ends {when}, on {a.end_date:%d %b %Y}."
        out.append(
            {
                "key": key,
                "label": label,
                "home_department": home,
                "served_department": served,
                "liaisons": active,
                "end_dates": [a.end_date for a in active],
                "warning": warning,
            }
        )
    return out


def covering_liaison_id(department: str, served_by: str | None = None) -> int | None:
    """The user id of the active liaison serving ``department`` (from ``served_by`` when given)."""
    qs = LiaisonAssignment.objects.current(timezone.localdate()).filter(served_department=department)
    if served_by:
        qs = qs.filter(home_department=served_by)
    return qs.order_by("start_date", "id").values_list("person_id", flat=True).first()


def assignments_overview(today: date | None = None) -> list[tuple[str, list[LiaisonAssignment]]]:
    """Current assignments grouped by served department (label, rows)."""
    groups: dict[str, list[LiaisonAssignment]] = {}
    for a in current_assignments(today):
        groups.setdefault(a.get_served_department_display(), []).append(a)
    return sorted(groups.items())


def upcoming_assignments(today: date | None = None) -> QuerySet[LiaisonAssignment]:
    today = today or timezone.localdate()
    return LiaisonAssignment.objects.active().filter(start_date__gt=today).select_related("person", "mentor")


def log_for(liaison: User, query: str = "") -> QuerySet[LogEntry]:
    qs = LogEntry.objects.filter(liaison=liaison).prefetch_related(
        Prefetch("follow_ups", queryset=ActionItem.objects.select_related("owner"))
    )
    if query:
        qs = qs.filter(Q(meeting__icontains=query) | Q(learned__icontains=query))
    return qs


# --- meetings ------------------------------------------------------------------------------
def _meetings() -> QuerySet[Meeting]:
    return Meeting.objects.select_related("series", "organiser").annotate(
        n_attendees=Count("attendees", distinct=True),
        n_open_actions=Count("action_items", filter=Q(action_items__done_at__isnull=True), distinct=True),
    )


def meetings_overview(now: datetime | None = None, past_limit: int = 10) -> dict[str, Any]:
    """Upcoming meetings (planned, from now) and the recent past, each grouped by series."""
    now = now or timezone.now()
    upcoming = list(_meetings().filter(status=MeetingStatus.PLANNED, start__gte=now).order_by("start")[:50])
    past = list(_meetings().filter(start__lt=now).order_by("-start")[:50])
    series = list(
        MeetingSeries.objects.select_related("organiser").annotate(n_meetings=Count("meetings")).order_by("title")
    )
    by_series: dict[int, dict[str, Any]] = {s.pk: {"series": s, "upcoming": [], "past": []} for s in series}
    for m in upcoming:
        by_series[m.series_id]["upcoming"].append(m)
    for m in past:
        if len(by_series[m.series_id]["past"]) < past_limit:
            by_series[m.series_id]["past"].append(m)
    return {"upcoming": upcoming, "past": past, "series": list(by_series.values())}


def meeting_list(
    *,
    user_id: int,
    mine: bool = False,
    status: str = "",
    start_after: datetime | None = None,
    start_before: datetime | None = None,
) -> QuerySet[Meeting]:
    """Every meeting, newest first (the REST API's list): only ``user_id``'s (organised or attended) with ``mine``;
    ``start_after`` inclusive, ``start_before`` exclusive."""
    qs = Meeting.objects.select_related("series", "organiser").order_by("-start", "-id")
    if mine:
        qs = qs.for_user(user_id)
    if status:
        qs = qs.filter(status=status)
    if start_after:
        qs = qs.filter(start__gte=start_after)
    if start_before:
        qs = qs.filter(start__lt=start_before)
    return qs


def meeting_with_people(pk: int) -> Meeting | None:
    """One meeting with its series, organiser, attendees (by name) and agenda (in order): a fixed number of
    queries."""
    return (
        Meeting.objects.select_related("series", "organiser")
        .prefetch_related(
            Prefetch("attendees", queryset=User.objects.order_by("first_name", "last_name")),
            Prefetch("agenda", queryset=AgendaItem.objects.order_by("position", "id")),
        )
        .filter(pk=pk)
        .first()
    )


def series_meetings(series: MeetingSeries) -> list[Meeting]:
    return list(_meetings().filter(series=series).order_by("-start"))


def agenda(meeting: Meeting) -> list[AgendaItem]:
    return list(
        meeting.agenda.select_related("action_item__owner", "action_item__meeting", "added_by").order_by(
            "position", "id"
        )
    )


def cmo_cio_sync_status(now: datetime | None = None) -> dict[str, Any]:
    """The CMO–CIO sync rule: the next planned sync, the last held one, days since it, and whether the
    monthly rhythm has lapsed (31 days or more without a held sync)."""
    now = now or timezone.now()
    syncs = Meeting.objects.filter(series__kind=SeriesKind.CMO_CIO_SYNC).select_related("series")
    last_held = syncs.filter(status=MeetingStatus.HELD, start__lte=now).order_by("-start").first()
    next_planned = syncs.filter(status=MeetingStatus.PLANNED, start__gte=now).order_by("start").first()
    days_since = (now - last_held.start).days if last_held else None
    series = MeetingSeries.objects.filter(kind=SeriesKind.CMO_CIO_SYNC).order_by("pk").first()
    return {
        "series": series,
        "next": next_planned,
        "last_held": last_held,
        "days_since": days_since,
        "overdue": days_since is not None and days_since >= SYNC_LAPSE_DAYS,
        "scheduled": next_planned is not None,
    }


def open_action_items_for(users: Iterable[Any]) -> QuerySet[ActionItem]:
    """Open meeting and log action items owned by ``users`` (users or ids), soonest due first."""
    ids = [u if isinstance(u, int) else u.pk for u in users]
    return (
        ActionItem.objects.open()
        .filter(owner_id__in=ids)
        .select_related("owner", "meeting__series", "log_entry")
        .order_by("due_date", "id")
    )


def meetings_held_between(start: date, end: date) -> list[Meeting]:
    """Meetings held on days ``start`` to ``end`` (inclusive), oldest first, with their series."""
    return list(
        Meeting.objects.held()
        .filter(start__date__gte=start, start__date__lte=end)
        .select_related("series")
        .order_by("start")
    )


def meetings_for_calendar(user: Any, now: datetime | None = None) -> QuerySet[Meeting]:
    """A user's meetings for their feed: from 90 days ago on, including cancelled ones (so calendars drop them)."""
    now = now or timezone.now()
    return (
        Meeting.objects.for_user(user.pk)
        .filter(start__gte=now - timedelta(days=90))
        .select_related("series", "organiser")
        .order_by("start")
    )


def open_action_items_of_executives(limit: int = 10) -> list[ActionItem]:
    """Open action items owned by the executives of IT and marketing (one query), soonest due first."""
    return list(
        ActionItem.objects.open()
        .filter(owner__role=Role.EXECUTIVE, owner__department__in=[Department.IT, Department.MARKETING])
        .select_related("owner", "meeting__series")
        .order_by("due_date", "id")[:limit]
    )


def log_entries_between(start: date, end: date) -> int:
    """How many liaison log entries were written about days ``start`` to ``end`` (for the QBR facts)."""
    return LogEntry.objects.filter(date__gte=start, date__lte=end).count()


# --- search (registered with collab.lib.search in apps.py) ---------------------------------
MEETING_SEARCH = search.Columns(
    vector="liaison_meeting.search_vector",  # location, notes, decisions; the series title through ``parent``
    title_sql="liaison_meetingseries.title",
    title="series__title",
    body=("location", "notes", "decisions"),
    tiebreak=("-start", "-id"),
    parent=search.Parent(fk_sql="liaison_meeting.series_id", table="liaison_meetingseries"),
)
AGENDA_SEARCH = search.Columns(
    vector="liaison_agendaitem.search_vector",
    title_sql="liaison_agendaitem.title",
    title="title",
    body=("source",),
    tiebreak=("-meeting__start", "-id"),
)


ACTION_SEARCH = search.Columns(
    vector="liaison_actionitem.search_vector",
    title_sql="liaison_actionitem.title",
    title="title",
    tiebreak=("-due_date", "-id"),
)


def _meeting_label(meeting: Meeting) -> str:
    return f"{meeting.series.title}, {timezone.localtime(meeting.start):%d %b %Y}"


def search_meetings(user: Any, query: search.Query, limit: int) -> list[search.Hit]:
    """Meetings by their series' title, location, notes and decisions: every signed-in employee may open every
    meeting page, so every meeting is searched."""
    if not perm.can_view_app(user):
        return []
    found, partial = search.matches(Meeting.objects.select_related("series"), MEETING_SEARCH, query, limit)
    return [
        search.hit(
            m,
            query,
            partial,
            kind="meeting",
            title=_meeting_label(m),
            url=m.get_absolute_url(),
            snippet=search.snippet(query, m.notes, m.decisions, m.location),
            status=m.get_status_display(),
            date=m.start,
        )
        for m in found
    ]


def search_agenda_items(user: Any, query: search.Query, limit: int) -> list[search.Hit]:
    if not perm.can_view_app(user):
        return []
    qs = AgendaItem.objects.select_related("meeting__series")
    found, partial = search.matches(qs, AGENDA_SEARCH, query, limit)
    return [
        search.hit(
            i,
            query,
            partial,
            kind="meeting_item",
            title=i.title,
            url=i.meeting.get_absolute_url() + "#agenda",
            snippet=search.snippet(query, i.source),
            status="Done" if i.done else i.meeting.get_status_display(),
            date=i.meeting.start,
            context=_meeting_label(i.meeting),
        )
        for i in found
    ]


def search_action_items(user: Any, query: search.Query, limit: int) -> list[search.Hit]:
    """Action items from meetings and liaison logs: their pages are open to every signed-in employee."""
    if not perm.can_view_app(user):
        return []
    qs = ActionItem.objects.select_related("meeting__series", "owner")
    found, partial = search.matches(qs, ACTION_SEARCH, query, limit)
    return [
        search.hit(
            a,
            query,
            partial,
            kind="meeting_action",
            title=a.title,
            url=a.get_absolute_url(),
            status=("Done" if a.done_at else f"Open · {a.owner.display_name}"),
            date=a.due_date,
            context=_meeting_label(a.meeting) if a.meeting else "From a liaison's log",
        )
        for a in found
    ]


def checkins_readable_by(user: Any, assignments: list[Any]) -> dict[int, list[MentorCheckIn]]:
    """The mentor check-ins of each assignment ``user`` may read (``perm.can_read_checkins``), newest first, by
    assignment id (one query); an assignment they may not read is absent. Its history lines about check-ins
    lose their detail (the readiness) in memory, for the page."""
    allowed = [a.pk for a in assignments if perm.can_read_checkins(user, a)]
    out: dict[int, list[MentorCheckIn]] = {pk: [] for pk in allowed}
    if allowed:
        for c in MentorCheckIn.objects.filter(assignment_id__in=allowed).select_related("mentor"):
            out[c.assignment_id].append(c)
    for a in assignments:
        if a.pk not in out:
            for h in a.history.all():
                if h.action == "check-in":
                    h.detail = ""
    return out
