"""Demo liaisons and meetings: two liaisons with mentors (one ending soon), a monthly CMO–CIO sync with a
year of history whose last meeting was over 31 days ago (so the alarm shows), weekly joint stand-ups,
fortnightly liaison check-ins, mentor check-ins, log entries and action items in every state."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from collab.accounts.models import User
from collab.lib.demo import seeder
from collab.lib.time import zone
from collab.projects.models import Project
from liaison import services
from liaison.models import (
    ActionItem,
    AgendaItem,
    Cadence,
    LiaisonAssignment,
    LogEntry,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    MentorCheckIn,
    Readiness,
    SeriesKind,
)

SYNC_TOPICS = [
    "Ranking of the joint projects",
    "Escalated snags that need a decision",
    "Budget for the marketing data platform",
    "Liaison coverage and mentoring",
]
STANDUP_TOPICS = ["Campaign launches this week", "Blocked tickets", "Website release window"]


def _at(day: date, hour: int, tz_name: str) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=zone(tz_name))


def _meeting(series: MeetingSeries, start: datetime, status: str, attendees: list[User], **extra: object) -> Meeting:
    m = Meeting.objects.create(
        series=series,
        start=start,
        length_minutes=series.default_length_minutes,
        location=series.default_location,
        organiser=series.organiser,
        status=status,
        **extra,
    )
    m.attendees.set(attendees)
    return m


def _agenda(m: Meeting, titles: list[str], *, done: bool) -> None:
    AgendaItem.objects.bulk_create(
        [
            AgendaItem(meeting=m, title=t, source="Added", position=i, done=done, added_by=m.organiser)
            for i, t in enumerate(titles, start=1)
        ]
    )


def _assignments(people: dict[str, User], today: date) -> None:
    lena, elif_ = people["liaison"], people["elif.demir"]
    a1 = LiaisonAssignment.objects.create(
        person=lena,
        home_department=lena.department,
        served_department="marketing",
        mentor=people["cmo"],
        focus_areas="Campaign tooling, the CRM roll-out and the marketing data platform.",
        start_date=today - timedelta(days=220),
        end_date=today + timedelta(days=150),
    )
    a1.projects.set(Project.objects.order_by("pk")[:2])
    a2 = LiaisonAssignment.objects.create(
        person=elif_,
        home_department=elif_.department,
        served_department="it",
        mentor=people["cio"],
        focus_areas="Email platform migration and consent data.",
        start_date=today - timedelta(days=160),
        end_date=today + timedelta(days=20),
    )
    notes = [
        (a1, people["cmo"], 180, Readiness.NOT_YET, "Learning the campaign calendar; shy in the planning meeting."),
        (a1, people["cmo"], 90, Readiness.GROWING, "Led the CRM requirements session well. Next: budget talks."),
        (a1, people["cmo"], 20, Readiness.READY, "Trusted by both teams; ready to run the stand-up alone."),
        (a2, people["cio"], 120, Readiness.GROWING, "Understands our release process; needs the security basics."),
        (a2, people["cio"], 30, Readiness.GROWING, "Good bridge on consent data. Discuss extending the term."),
    ]
    for a, mentor, ago, readiness, text in notes:
        MentorCheckIn.objects.create(
            assignment=a, mentor=mentor, date=today - timedelta(days=ago), readiness=readiness, notes=text
        )
    log = [
        (60, "Marketing weekly planning", "Spring campaign needs a landing page builder; they budget in Q1.", True),
        (40, "Brand review", "New brand colours ship in March; web templates must follow.", False),
        (12, "Campaign retro", "Email bounces doubled after the DNS change; nobody owned it.", False),
        (5, "Content council", "Content team wants a headless CMS trial.", None),
    ]
    for ago, meeting, learned, done in log:
        entry = LogEntry.objects.create(
            liaison=lena, date=today - timedelta(days=ago), meeting=meeting, learned=learned
        )
        if done is not None:
            ActionItem.objects.create(
                log_entry=entry,
                title=f"Follow up: {meeting}",
                owner=lena,
                due_date=entry.date + timedelta(days=14),
                done_at=timezone.now() if done else None,
                created_by=lena,
            )


def _sync(people: dict[str, User], today: date) -> None:
    cmo, cio, lena = people["cmo"], people["cio"], people["liaison"]
    series = MeetingSeries.objects.create(
        title="CMO–CIO sync",
        kind=SeriesKind.CMO_CIO_SYNC,
        cadence=Cadence.MONTHLY,
        organiser=cmo,
        default_length_minutes=60,
        default_location="Board room 2",
    )
    series.default_attendees.set([cio, lena])
    last = today - timedelta(days=40)  # the last sync lapsed: over 31 days ago, none scheduled
    for months_ago in range(11, -1, -1):
        day = last - timedelta(days=30 * months_ago)
        status = MeetingStatus.CANCELLED if months_ago == 5 else MeetingStatus.HELD
        m = _meeting(
            series,
            _at(day, 9, cmo.time_zone),
            status,
            [cio, lena],
            notes="" if status == MeetingStatus.CANCELLED else "Both teams' priorities reviewed.",
            decisions="" if status == MeetingStatus.CANCELLED else "Keep the ranking; revisit next month.",
        )
        if status == MeetingStatus.HELD:
            _agenda(m, SYNC_TOPICS[: 2 + months_ago % 3], done=True)
        if months_ago == 0:
            ActionItem.objects.create(
                meeting=m, title="Agree the data platform budget", owner=cio, due_date=day + timedelta(days=21)
            )
            ActionItem.objects.create(
                meeting=m, title="Name a second marketing liaison", owner=cmo, due_date=day + timedelta(days=45)
            )
            ActionItem.objects.create(
                meeting=m,
                title="Share the campaign calendar with IT",
                owner=cmo,
                due_date=day + timedelta(days=7),
                done_at=m.start + timedelta(days=5),
            )
        elif months_ago == 1:
            ActionItem.objects.create(
                meeting=m,
                title="Publish the platform roadmap",
                owner=cio,
                due_date=day + timedelta(days=14),
                done_at=m.start + timedelta(days=10),
            )


def _standups(people: dict[str, User], today: date) -> None:
    lena = people["liaison"]
    attendees = [people[u] for u in ("member", "sofia.alvarez", "raj.patel", "grace.liu") if u in people]
    series = MeetingSeries.objects.create(
        title="Joint stand-up",
        kind=SeriesKind.JOINT_STANDUP,
        cadence=Cadence.WEEKLY,
        organiser=lena,
        default_length_minutes=15,
        default_location="https://meet.example.com/joint-standup",
    )
    series.default_attendees.set(attendees)
    monday = today - timedelta(days=today.weekday())
    owner = people["member"]
    for weeks in range(8, 0, -1):
        m = _meeting(series, _at(monday - timedelta(weeks=weeks), 10, lena.time_zone), MeetingStatus.HELD, attendees)
        _agenda(m, STANDUP_TOPICS, done=True)
        if weeks == 1:  # action items in every state
            for title, due, done in (
                ("Fix the newsletter sign-up form", today - timedelta(days=4), False),  # overdue
                ("Book the release window", today + timedelta(days=1), False),  # due tomorrow
                ("Draft the tracking plan", today + timedelta(days=10), False),  # open
                ("Rotate the CMS API key", today - timedelta(days=2), True),  # done
            ):
                ActionItem.objects.create(
                    meeting=m,
                    title=title,
                    owner=owner if "tracking" not in title else lena,
                    due_date=due,
                    done_at=timezone.now() if done else None,
                    created_by=lena,
                )
    upcoming = [
        _meeting(series, _at(monday + timedelta(weeks=w), 10, lena.time_zone), MeetingStatus.PLANNED, attendees)
        for w in (1, 2, 3)
    ]
    services.agenda_assemble(meeting=upcoming[0])


def _checkins(people: dict[str, User], today: date) -> None:
    cio, lena = people["cio"], people["liaison"]
    series = MeetingSeries.objects.create(
        title="Liaison check-in",
        kind=SeriesKind.LIAISON_CHECKIN,
        cadence=Cadence.FORTNIGHTLY,
        organiser=cio,
        default_length_minutes=30,
        default_location="CIO office",
    )
    series.default_attendees.set([lena])
    for weeks in (6, 4, 2):
        m = _meeting(series, _at(today - timedelta(weeks=weeks), 14, cio.time_zone), MeetingStatus.HELD, [lena])
        _agenda(m, ["How the marketing side sees us", "Next steps in the role"], done=True)
    _meeting(series, _at(today + timedelta(days=5), 14, cio.time_zone), MeetingStatus.PLANNED, [lena])


@seeder(order=50, name="liaison")
def seed_liaison(say: Callable[[str], None]) -> None:
    wanted = ["cmo", "cio", "liaison", "member", "elif.demir", "sofia.alvarez", "raj.patel", "grace.liu"]
    people = {u.username: u for u in User.objects.filter(username__in=wanted)}
    if not {"cmo", "cio", "liaison", "member", "elif.demir"} <= set(people):
        return
    if MeetingSeries.objects.exists() or LiaisonAssignment.objects.exists():
        say("liaison: already there")
        return
    today = timezone.localdate()
    _assignments(people, today)
    _sync(people, today)
    _standups(people, today)
    _checkins(people, today)
    say(
        f"liaison: {LiaisonAssignment.objects.count()} assignments, {Meeting.objects.count()} meetings, "
        f"{ActionItem.objects.count()} action items"
    )
