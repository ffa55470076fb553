"""Company-scale data for `make bench`: 2,000 people, 500 projects with milestones and sign-offs, N snags with
history (100,000 by default), three comments per snag, 2,000 meetings with agendas, 40 QBRs and N/2 notifications.

Fast: rows are built in Python and written with Postgres ``COPY`` (``bulk_create`` in batches elsewhere), with
explicit primary keys so related rows need no read-back; sequences are moved past them at the end.
Distributions are believable: most snags closed, some answered or parked, about 1% overdue and escalating.
Idempotent: a database that already holds N snags is left alone.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import connection, models, transaction
from django.utils import timezone

from collab.accounts.models import Department, Role, User
from collab.lib.markdown import html_fields, render_markdown
from collab.notifications.models import Notification
from collab.projects import models as pm
from liaison import models as lm
from parkinglot.models import Comment, ResponseSettings, Snag, SnagEvent
from reviews import models as rm

BATCH = 5_000
WORDS = (
    "campaign crm export segment tag consent banner landing page email bounce budget cdp release freeze "
    "webinar import duplicate records dashboard attribution analytics sso login vpn dam upload api token "
    "ads sync feed marketplace chatbot search cms queue test environment form inbox microsite laptop"
).split()


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)  # noqa: S101 - concrete columns only
    return field


def _copy(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write rows fast: COPY on Postgres, bulk_create in batches elsewhere. COPY skips ``save()``, so the stored
    HTML of each Markdown source among ``fields`` is rendered here (once per distinct text)."""
    if connection.vendor == "postgresql":
        fields, rows = _with_html(model, fields, rows)
        columns = [str(_field(model, f).column) for f in fields]
        table = model._meta.db_table
        n = 0
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg 3
            with raw.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row(row)
                    n += 1
        return n
    attnames = [_field(model, f).attname for f in fields]
    batch: list[models.Model] = []
    n = 0
    for row in rows:
        batch.append(model(**dict(zip(attnames, row, strict=True))))
        if len(batch) >= BATCH:
            model.objects.bulk_create(batch)  # type: ignore[attr-defined]
            n += len(batch)
            batch = []
    if batch:
        model.objects.bulk_create(batch)  # type: ignore[attr-defined]
        n += len(batch)
    return n


def _with_html(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]
) -> tuple[list[str], Iterable[Sequence[Any]]]:
    pairs = [(fields.index(source), html) for source, html in html_fields(model).items() if source in fields]
    if not pairs:
        return list(fields), rows
    rendered: dict[str, str] = {}

    def html_of(text: str) -> str:
        if text not in rendered:
            rendered[text] = render_markdown(text)
        return rendered[text]

    return [*fields, *(html for _, html in pairs)], ((*row, *(html_of(row[i]) for i, _ in pairs)) for row in rows)


def _next_id(model: type[models.Model]) -> int:
    top = model.objects.aggregate(m=models.Max("pk"))["m"]  # type: ignore[attr-defined]
    return int(top or 0) + 1


def _reset_sequences(*model_list: type[models.Model]) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in model_list:
            table, pk = model._meta.db_table, model._meta.pk.column  # type: ignore[union-attr]
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{pk}'), "  # noqa: S608 - our own table names
                f'COALESCE((SELECT MAX("{pk}") FROM "{table}"), 1))'
            )


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--snags", type=int, default=100_000)
        parser.add_argument("--users", type=int, default=2_000)
        parser.add_argument("--projects", type=int, default=500)
        parser.add_argument("--meetings", type=int, default=2_000)
        parser.add_argument("--reviews", type=int, default=40)
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args: Any, **o: Any) -> None:
        if Snag.objects.count() >= o["snags"]:
            self.stdout.write(f"already seeded: {Snag.objects.count():,} snags")
            return
        self.rng = random.Random(o["seed"])  # noqa: S311 - benchmark data
        self.now = timezone.now()
        started = time.perf_counter()
        with transaction.atomic():
            self.users(o["users"])
            self.projects(o["projects"])
            self.snags(o["snags"])
            self.meetings(o["meetings"])
            self.reviews(o["reviews"])
            self.notifications(o["snags"] // 2)
        _reset_sequences(
            User, pm.Goal, pm.Project, pm.Milestone, pm.RequirementsVersion, Snag, SnagEvent, Comment,
            lm.MeetingSeries, lm.Meeting, lm.AgendaItem, lm.ActionItem, Notification,
        )  # fmt: skip
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE")
        self.stdout.write(f"seed_scale done in {time.perf_counter() - started:.1f} s")

    def say(self, text: str) -> None:
        self.stdout.write(f"  {text}")

    # --- people ------------------------------------------------------------------------------
    def users(self, count: int) -> None:
        password = make_password("demo")
        existing = set(User.objects.values_list("username", flat=True))
        start = _next_id(User)
        rows: list[tuple[Any, ...]] = []
        departments = [Department.MARKETING] * 4 + [Department.IT] * 4 + [Department.SALES, Department.CUSTOMER_SERVICE]
        fixed = [
            ("cmo", Department.MARKETING, Role.EXECUTIVE, True),
            ("cio", Department.IT, Role.EXECUTIVE, True),
            ("liaison", Department.IT, Role.LIAISON, False),
            ("member", Department.MARKETING, Role.MEMBER, False),
        ]
        people = [(u, d, r, h) for u, d, r, h in fixed if u not in existing]
        for i in range(count - len(existing)):
            dept = departments[i % len(departments)]
            role = Role.LIAISON if i % 150 == 0 else Role.MEMBER
            people.append((f"person{start + i}", dept, role, False))
        for i, (username, dept, role, head) in enumerate(people):
            rows.append(
                (start + i, username, password, f"{username.title()}", "Scale", f"{username}@example.com", dept, role,
                 head, True, False, False, self.now, "Europe/Berlin", "", self.now, self.now)
            )  # fmt: skip
        _copy(
            User,
            ["id", "username", "password", "first_name", "last_name", "email", "department", "role",
             "is_department_head", "is_active", "is_staff", "is_superuser", "date_joined", "time_zone", "job_title",
             "created_at", "updated_at"],
            rows,
        )  # fmt: skip
        self.user_ids = list(User.objects.order_by("pk").values_list("pk", flat=True))
        self.by_dept: dict[str, list[int]] = {}
        for pk, dept in User.objects.values_list("pk", "department"):
            self.by_dept.setdefault(dept, []).append(pk)
        self.cmo = User.objects.get(username="cmo").pk
        self.cio = User.objects.get(username="cio").pk
        self.liaisons = list(User.objects.filter(role=Role.LIAISON).values_list("pk", flat=True))
        self.say(f"people: {len(self.user_ids):,}")

    # --- projects ----------------------------------------------------------------------------
    def projects(self, count: int) -> None:
        rng, now = self.rng, self.now
        # sponsors and owners come from a pool of managers on each side, as in a real company
        marketing, it = self.by_dept[Department.MARKETING][:40], self.by_dept[Department.IT][:40]
        goal_id = _next_id(pm.Goal)
        goals = [(goal_id + i, f"Shared goal {i + 1}", "", rng.choice(marketing), rng.choice(it),
                  (now + timedelta(days=30 * i)).date(), now, now) for i in range(20)]  # fmt: skip
        _copy(pm.Goal, ["id", "title", "description", "marketing_owner", "it_owner", "target_date", "created_at",
                        "updated_at"], goals)  # fmt: skip
        pid = _next_id(pm.Project)
        statuses = ["proposed", "requirements", "approved", "in_delivery", "in_delivery", "live", "closed", "cancelled"]
        rows: list[tuple[Any, ...]] = []
        ranked = 0
        for i in range(count):
            status = statuses[i % len(statuses)]
            active = status in ("proposed", "requirements", "approved", "in_delivery")
            rank = None
            if active:
                ranked += 1
                rank = ranked
            health = rng.choice(["on_track", "on_track", "at_risk", "off_track"])
            rows.append((pid + i, f"Project {pid + i}: {rng.choice(WORDS)} {rng.choice(WORDS)}", "A joint project.",
                         goals[i % len(goals)][0], rng.choice(marketing), self.cio if i == 0 else rng.choice(it),
                         status, health, "", rank, None, 1, now - timedelta(days=rng.randint(10, 700)), now))  # fmt: skip
        _copy(pm.Project, ["id", "name", "summary", "goal", "marketing_sponsor", "it_sponsor", "status", "health",
                           "health_note", "rank", "approved_at", "version", "created_at", "updated_at"], rows)  # fmt: skip
        self.project_ids = [r[0] for r in rows]
        depts = [(p, d) for p in self.project_ids for d in (Department.MARKETING, Department.IT)]
        pm.ProjectDepartment.objects.bulk_create([pm.ProjectDepartment(project_id=p, department=d) for p, d in depts])
        mid = _next_id(pm.Milestone)
        milestones: list[tuple[Any, ...]] = []
        for p in self.project_ids:
            for k in range(4):
                due = (now + timedelta(days=rng.randint(-200, 200))).date()
                done = due if due < now.date() and rng.random() < 0.8 else None
                milestones.append((mid + len(milestones), f"Milestone {k + 1}", p, None, rng.choice(it + marketing),
                                   due, done, now, now))  # fmt: skip
        _copy(pm.Milestone, ["id", "title", "project", "goal", "owner", "due_date", "done_on", "created_at",
                             "updated_at"], milestones)  # fmt: skip
        vid = _next_id(pm.RequirementsVersion)
        versions = [(vid + i, p, 1, "# Requirements\n\nWhat both teams need.", "", self.cmo, now, now)
                    for i, p in enumerate(self.project_ids)]  # fmt: skip
        _copy(pm.RequirementsVersion, ["id", "project", "number", "text", "change_note", "created_by", "created_at",
                                       "updated_at"], versions)  # fmt: skip
        signoffs = []
        for v in versions:
            for dept, head in ((Department.MARKETING, self.cmo), (Department.IT, self.cio)):
                if rng.random() < 0.7:
                    signoffs.append(
                        pm.SignOff(version_id=v[0], department=dept, decision="approved", by_id=head, at=now)
                    )
        pm.SignOff.objects.bulk_create(signoffs, batch_size=BATCH)
        self.say(
            f"projects: {len(rows):,} ({ranked} ranked), {len(milestones):,} milestones, {len(signoffs):,} sign-offs"
        )

    # --- snags -------------------------------------------------------------------------------
    def snags(self, count: int) -> None:
        rng, now = self.rng, self.now
        periods = ResponseSettings.current()
        start = _next_id(Snag)
        event_id, comment_id = _next_id(SnagEvent), _next_id(Comment)
        raisers = (
            self.by_dept[Department.MARKETING] * 2
            + self.by_dept[Department.IT]
            + self.by_dept.get(Department.SALES, [])
        )
        owners = self.liaisons + [self.cmo, self.cio]
        impacts = ["low", "medium", "medium", "high", "high", "critical"]
        dept_of = {pk: d for d, ids in self.by_dept.items() for pk in ids}
        snag_rows: list[tuple[Any, ...]] = []
        events: list[tuple[Any, ...]] = []
        comments: list[tuple[Any, ...]] = []
        for i in range(count):
            pk = start + i
            impact = impacts[i % len(impacts)]
            age = timedelta(days=min(rng.expovariate(1 / 150), 730), hours=rng.randint(0, 23))
            created = now - age
            respond_by = created + periods.period(impact)
            raiser = rng.choice(raisers)
            owner = rng.choice(owners)
            roll = rng.random()
            status, first_answer, resolved, level, parked_for = "resolved", None, None, 0, ""
            if roll < 0.01:  # overdue, unanswered: what the sweeps find due
                status = "new"
                created = now - timedelta(days=rng.randint(2, 30))
                respond_by = created + periods.period(impact)
                if respond_by > now:
                    respond_by = now - timedelta(hours=1)
                level = 0
            elif roll < 0.04:  # open and waiting, not yet due
                status = "in_review"
                created = now - timedelta(hours=rng.randint(1, 20))
                respond_by = created + periods.period(impact)
            elif roll < 0.06:
                status, parked_for = "parked", rng.choice(["qbr", "sync", "meeting", "later"])
                first_answer = None
            elif roll < 0.08:
                status = "answered"
                first_answer = created + timedelta(hours=rng.randint(1, 72))
            elif roll < 0.15:
                status = "wont_fix"
                resolved = created + timedelta(days=rng.randint(1, 20))
            else:
                first_answer = created + timedelta(hours=rng.randint(1, 120))
                resolved = first_answer + timedelta(days=rng.randint(0, 10))
            if resolved and resolved > now:
                resolved = now
            if first_answer and first_answer > now:
                first_answer = now
            title = f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} {rng.choice(WORDS)} blocks the team"
            details = f"The {rng.choice(WORDS)} and the {rng.choice(WORDS)} disagree; we lost time on it."
            snag_rows.append((pk, f"SNAG-{1000 + pk}", title, details, impact, status, raiser,
                              dept_of.get(raiser, Department.MARKETING), owner,
                              self.project_ids[i % len(self.project_ids)] if i % 3 == 0 else None, None,
                              rng.choice([0, 0, 0.5, 1, 2]), respond_by, level, first_answer, resolved, parked_for,
                              rng.choice([0, 0, 0, 1, 3]), f"{title}\n{details}", 1, created, now))  # fmt: skip
            events.append((event_id + len(events), pk, created, raiser, "created", "", "new", ""))
            if status != "new":
                step = first_answer or resolved or created + timedelta(hours=1)
                events.append((event_id + len(events), pk, step, owner, "transition", "new", status, ""))
            for k in range(3):
                at = created + timedelta(hours=k * 5 + 1)
                comments.append((comment_id + len(comments), pk, rng.choice(raisers) if k != 1 else owner,
                                 f"Comment {k + 1}: the {rng.choice(WORDS)} again.", k == 1 and first_answer is not None,
                                 at if at < now else now, None))  # fmt: skip
        _copy(Snag, ["id", "code", "title", "details", "impact", "status", "raised_by", "raiser_department", "owner",
                     "project", "goal", "days_lost", "respond_by", "escalation_level", "first_answered_at",
                     "resolved_at", "parked_for", "me_too_count", "search_document", "version", "created_at",
                     "updated_at"], snag_rows)  # fmt: skip
        _copy(SnagEvent, ["id", "snag", "at", "by", "kind", "from_status", "to_status", "note"], events)
        _copy(Comment, ["id", "snag", "author", "body", "is_answer", "created_at", "edited_at"], comments)
        self.say(f"snags: {len(snag_rows):,}, {len(events):,} history rows, {len(comments):,} comments")

    # --- meetings ----------------------------------------------------------------------------
    def meetings(self, count: int) -> None:
        rng, now = self.rng, self.now
        sid = _next_id(lm.MeetingSeries)
        kinds = (
            [("cmo_cio_sync", "monthly")]
            + [("joint_standup", "weekly")] * 15
            + [("liaison_checkin", "fortnightly")] * 4
        )
        series = [lm.MeetingSeries(id=sid + i, title=f"{k.replace('_', ' ').title()} {i}", kind=k, cadence=c,
                                   organiser_id=self.cmo if k == "cmo_cio_sync" else rng.choice(self.liaisons),
                                   default_length_minutes=30) for i, (k, c) in enumerate(kinds)]  # fmt: skip
        lm.MeetingSeries.objects.bulk_create(series)
        mid = _next_id(lm.Meeting)
        meetings: list[lm.Meeting] = []
        agenda: list[lm.AgendaItem] = []
        actions: list[lm.ActionItem] = []
        aid, actid = _next_id(lm.AgendaItem), _next_id(lm.ActionItem)
        for i in range(count):
            s = series[i % len(series)]
            start = now + timedelta(days=rng.randint(-700, 30), hours=rng.randint(0, 8))
            start = start.replace(minute=0, second=0, microsecond=0)
            status = "planned" if start > now else ("cancelled" if rng.random() < 0.05 else "held")
            meetings.append(lm.Meeting(id=mid + i, series_id=s.pk, start=start, length_minutes=30,
                                       organiser_id=s.organiser_id, status=status, notes="Notes.", decisions=""))  # fmt: skip
            for k in range(3):
                agenda.append(lm.AgendaItem(id=aid + len(agenda), meeting_id=mid + i, title=f"Item {k + 1}",
                                            position=k, done=status == "held"))  # fmt: skip
            if i % 4 == 0:
                due = (start + timedelta(days=7)).date()
                actions.append(lm.ActionItem(id=actid + len(actions), title="Follow up", owner_id=rng.choice(self.user_ids[:200]),
                                             due_date=due, meeting_id=mid + i,
                                             done_at=start + timedelta(days=3) if due < now.date() and rng.random() < 0.85 else None))  # fmt: skip
        lm.Meeting.objects.bulk_create(meetings, batch_size=BATCH)
        lm.AgendaItem.objects.bulk_create(agenda, batch_size=BATCH)
        lm.ActionItem.objects.bulk_create(actions, batch_size=BATCH)
        through = lm.Meeting.attendees.through
        through.objects.bulk_create(
            [through(meeting_id=m.pk, user_id=u) for m in meetings for u in {m.organiser_id, self.cio, self.cmo}],
            batch_size=BATCH,
        )
        self.say(
            f"meetings: {len(meetings):,} in {len(series)} series, {len(agenda):,} agenda items, {len(actions):,} action items"
        )

    # --- reviews -----------------------------------------------------------------------------
    def reviews(self, count: int) -> None:
        now = self.now
        this_q = (now.month - 1) // 3 + 1
        year, quarter = now.year, this_q
        made = 0
        for _ in range(count):
            if not rm.Review.objects.filter(year=year, quarter=quarter).exists():
                when = datetime(year, quarter * 3, 10, 13, 0, tzinfo=UTC)
                status = "minutes_published" if when < now else "collecting_input"
                review = rm.Review.objects.create(year=year, quarter=quarter, scheduled_at=when, length_minutes=120,
                                                  location="Board room", facilitator_id=self.liaisons[0], status=status)  # fmt: skip
                review.attendees.set([self.cmo, self.cio, *self.liaisons[:3]])
                rm.TeamInput.objects.bulk_create([
                    rm.TeamInput(review=review, team=t, deadline=when - timedelta(days=7),
                                 submitted_at=when - timedelta(days=8) if status != "collecting_input" else None)
                    for t in ("it", "marketing")
                ])  # fmt: skip
                rm.AgendaItem.objects.bulk_create([
                    rm.AgendaItem(review=review, title=f"Agenda item {k + 1}", time_box_minutes=15, position=k)
                    for k in range(6)
                ])  # fmt: skip
                made += 1
            quarter -= 1
            if quarter == 0:
                year, quarter = year - 1, 4
        self.say(f"reviews: {made} QBRs")

    # --- notifications -----------------------------------------------------------------------
    def notifications(self, count: int) -> None:
        rng, now = self.rng, self.now
        nid = _next_id(Notification)
        focus = [self.cmo, self.cio, *self.liaisons[:5]]
        rows: list[tuple[Any, ...]] = []
        for i in range(count):
            user = focus[i % len(focus)] if i % 2 == 0 else rng.choice(self.user_ids)
            created = now - timedelta(minutes=rng.randint(1, 60 * 24 * 120))
            read = created + timedelta(hours=2) if rng.random() < 0.9 else None
            rows.append((nid + i, user, "snag_escalation_1", f"SNAG-{1000 + i} is past its response deadline", "",
                         "/snags/", None, None, created, read))  # fmt: skip
        _copy(Notification, ["id", "user", "kind", "title", "body", "link", "event_at", "delivery", "created_at",
                             "read_at"], rows)  # fmt: skip
        self.say(f"notifications: {len(rows):,}")
