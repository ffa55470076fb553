"""Reads of the parking lot: the filtered list, the board, review mode, and the figures other apps show
(the dashboard, the QBR facts, a goal's detours, a meeting's agenda)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import median
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Case, Count, FloatField, IntegerField, Q, Sum, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import TruncWeek
from django.utils import timezone

from collab.accounts import permissions as perm
from collab.accounts.models import Department
from collab.lib import search
from collab.lib.cache import cached
from collab.lib.params import id_param
from collab.lib.time import quarter_start, start_of_day
from parkinglot.models import (
    CLOSED_STATUSES,
    CODE_PREFIX,
    OPEN_STATUSES,
    UNANSWERED_STATUSES,
    Impact,
    ParkedFor,
    Snag,
    SnagQuerySet,
    SnagStatus,
)

SORTS = {
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
    "deadline": ("respond_by", "id"),
    "impact": ("impact_rank", "created_at"),
    "me_too": ("-me_too_count", "-created_at"),
    "updated": ("-updated_at", "-id"),
}
SORT_LABELS = {
    "relevance": "Best match (with a search)",
    "newest": "Newest first",
    "oldest": "Oldest first",
    "deadline": "Response deadline",
    "impact": "Impact",
    "me_too": "Most “me too”",
    "updated": "Recently changed",
}
STATUS_FILTERS = {"open": "Open", "all": "All", "escalated": "Escalated", **dict(SnagStatus.choices)}


def impact_rank() -> Case:
    return Case(
        When(impact=Impact.CRITICAL, then=Value(0)),
        When(impact=Impact.HIGH, then=Value(1)),
        When(impact=Impact.MEDIUM, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )


_ASCII_NUMBER = re.compile(r"[0-9]{1,18}")


def snag_code(text: str) -> str | None:
    """``SNAG-1042`` (any case, spaces around) as a code, else None: one rule for the list and the site search."""
    code = text.strip().upper()
    number = code[len(CODE_PREFIX) :]
    return code if code.startswith(CODE_PREFIX) and _ASCII_NUMBER.fullmatch(number) else None


def text_search(qs: SnagQuerySet, text: str) -> SnagQuerySet:
    """A snag code finds that snag. Otherwise on Postgres full-text search (websearch syntax) over the stored,
    weighted ``search_vector`` the site search uses too (migration 0003, GIN index); elsewhere a substring."""
    text = search.clean_text(text)
    if not text:
        return qs
    if code := snag_code(text):
        return qs.filter(code=code)
    if connection.vendor == "postgresql":
        text = search.websearch_text(text)  # never a tsquery error, whatever was typed
        if not text:  # only punctuation and operators: nothing to look for
            return qs
        match = RawSQL(
            "parkinglot_snag.search_vector @@ websearch_to_tsquery('english', %s)", (text,), output_field=BooleanField()
        )
        return qs.filter(match)
    return qs.filter(search_document__icontains=text)


def _by_relevance(qs: SnagQuerySet, text: str) -> SnagQuerySet:
    """Best matches first (Postgres ``ts_rank`` of the stored vector: the code and title weigh above the details
    and comments, and only the GIN index's matches are ranked); elsewhere, newest first."""
    text = search.clean_text(text)
    if connection.vendor != "postgresql" or not text or snag_code(text):
        return qs.order_by("-created_at", "-id")
    text = search.websearch_text(text)
    if not text:
        return qs.order_by("-created_at", "-id")
    rank = RawSQL(
        "ts_rank(parkinglot_snag.search_vector, websearch_to_tsquery('english', %s))",
        (text,),
        output_field=FloatField(),
    )
    return qs.annotate(search_rank=rank).order_by("-search_rank", "-created_at", "-id")


@dataclass
class SnagFilter:
    """The list's filter state, read from the query string and written back to it."""

    status: str = "open"
    impact: str = ""
    department: str = ""
    owner: int | None = None
    project: int | None = None
    escalated: bool = False
    q: str = ""
    sort: str = "newest"
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_query(cls, data: Any) -> SnagFilter:
        f = cls()
        f.status = data.get("status", "open") or "open"
        if f.status not in STATUS_FILTERS:
            f.errors.append("Unknown status filter; showing open snags.")
            f.status = "open"
        f.impact = data.get("impact", "")
        if f.impact and f.impact not in Impact.values:
            f.errors.append("Unknown impact filter ignored.")
            f.impact = ""
        f.department = data.get("department", "")
        if f.department and f.department not in Department.values:
            f.errors.append("Unknown department filter ignored.")
            f.department = ""
        for name in ("owner", "project"):
            if data.get(name, ""):
                value = id_param(data, name)
                setattr(f, name, value)
                if value is None:
                    f.errors.append(f"The {name} filter must be a number; ignored.")
        f.escalated = data.get("escalated") in ("1", "on", "true")
        f.q = (data.get("q", "") or "")[:200]
        f.sort = data.get("sort", "") or ("relevance" if f.q.strip() else "newest")
        if f.sort not in SORTS and f.sort != "relevance":
            f.sort = "newest"
        return f

    def apply(self, qs: SnagQuerySet) -> SnagQuerySet:
        if self.status == "open":
            qs = qs.open()
        elif self.status == "escalated":
            qs = qs.escalated()
        elif self.status != "all":
            qs = qs.filter(status=self.status)
        if self.impact:
            qs = qs.filter(impact=self.impact)
        if self.department:
            qs = qs.filter(raiser_department=self.department)
        if self.owner:
            qs = qs.filter(owner_id=self.owner)
        if self.project:
            qs = qs.filter(project_id=self.project)
        if self.escalated:
            qs = qs.escalated()
        qs = text_search(qs, self.q)
        if self.sort == "impact":
            qs = qs.annotate(impact_rank=impact_rank())
        if self.sort == "relevance":
            return _by_relevance(qs, self.q)
        return qs.order_by(*SORTS[self.sort])

    def query(self, **override: Any) -> str:
        """The filter as a query string (for links, pagination and the CSV export)."""
        from urllib.parse import urlencode

        values = {
            "status": self.status,
            "impact": self.impact,
            "department": self.department,
            "owner": self.owner or "",
            "project": self.project or "",
            "escalated": "1" if self.escalated else "",
            "q": self.q,
            "sort": self.sort,
        }
        values.update(override)
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})


def snag_list(user: Any, flt: SnagFilter) -> SnagQuerySet:
    return (
        flt.apply(Snag.objects.visible_to(user))
        .select_related("raised_by", "owner", "project")
        .defer("details", "search_document")
    )


BOARD_COLUMNS = [
    SnagStatus.NEW,
    SnagStatus.IN_REVIEW,
    SnagStatus.ANSWERED,
    SnagStatus.PARKED,
    SnagStatus.RESOLVED,
    SnagStatus.WONT_FIX,
]
BOARD_LIMIT = 12  # open columns; a page of HTML stays under 100 KB at any scale
BOARD_CLOSED_LIMIT = 6
CLOSED_RECENT_DAYS = 30


def board(user: Any, *, department: str = "", now: datetime | None = None) -> list[dict[str, Any]]:
    """Columns by status: open ones escalated and oldest first, closed ones of the last 30 days, at most 12 cards
    each (6 closed). One query for the counts and one per non-empty column, however many snags there are."""
    now = now or timezone.now()
    qs = Snag.objects.visible_to(user)
    if department:
        qs = qs.filter(raiser_department=department)
    recent = Q(status__in=OPEN_STATUSES) | Q(resolved_at__gte=now - timedelta(days=CLOSED_RECENT_DAYS))
    qs = qs.filter(recent)
    counts = dict(qs.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    cards: dict[str, list[Snag]] = {s: [] for s in BOARD_COLUMNS}
    for status in BOARD_COLUMNS:
        if not counts.get(status):
            continue
        order = ("-resolved_at",) if status in CLOSED_STATUSES else ("-escalation_level", "created_at")
        limit = BOARD_CLOSED_LIMIT if status in CLOSED_STATUSES else BOARD_LIMIT
        cards[status] = list(
            qs.filter(status=status)
            .select_related("owner")
            .defer("details", "search_document")
            .order_by(*order)[:limit]
        )
    return [
        {"status": s, "label": SnagStatus(s).label, "cards": cards[s], "count": counts.get(s, 0)} for s in BOARD_COLUMNS
    ]


def review_queue(user: Any) -> SnagQuerySet:
    """Review mode: open snags waiting on an answer, escalated first, then oldest first."""
    return (
        Snag.objects.visible_to(user)
        .filter(status__in=[*UNANSWERED_STATUSES])
        .select_related("raised_by", "owner", "project")
        .order_by("-escalation_level", "created_at", "id")
    )


def get_visible(user: Any, code: str) -> Snag | None:
    return (
        Snag.objects.visible_to(user)
        .select_related("raised_by", "owner", "project", "goal")
        .filter(code__iexact=code)
        .first()
    )


# --- for other apps ------------------------------------------------------------------------
# One rule: a snag's code, title or text reaches a page, export, message or cache entry only through
# ``Snag.objects.visible_to(user)``. Counts and sums may cover every snag; they then say how many of those the
# viewer cannot open (``hidden``), so nobody mistakes an aggregate for the list behind it.
CODE_PATTERN = re.compile(rf"\b{CODE_PREFIX}\d+\b", re.IGNORECASE)


def visibility_scope(user: Any) -> str:
    """A cache key part naming exactly the set of snags ``user`` may open: two people with the same scope see
    the same snags, so a cache entry built for one may be shown to the other (and never across scopes).

    Leaders and liaisons see every snag (``all``); IT and marketing share one set, every other department its
    own; someone who raised or owns a snag outside that set gets a key of their own."""
    if not perm.can_view_app(user):
        return "none"
    if perm.is_leader(user) or perm.is_liaison(user):
        return "all"
    group = "itmkt" if user.department in (Department.IT, Department.MARKETING) else f"dept-{user.department}"
    shared = Snag.objects.visible_to(user).filter(Q(raised_by=user) | Q(owner=user))
    if user.department in (Department.IT, Department.MARKETING):
        outside = shared.exclude(raiser_department__in=[Department.IT, Department.MARKETING])
    else:
        outside = shared.exclude(raiser_department=user.department)
    return f"{group}:user-{user.pk}" if outside.exists() else group


def codes_in(*texts: str) -> set[str]:
    """The snag codes written in some text (upper case)."""
    return {m.group(0).upper() for text in texts if text for m in CODE_PATTERN.finditer(text)}


def invisible_codes(user: Any, codes: Iterable[str]) -> set[str]:
    """Of these codes, the ones ``user`` may not open (a code of no snag counts as one for everyone but the
    leaders and liaisons, who open every snag): one query, none for no codes."""
    wanted = {c.upper() for c in codes}
    if not wanted or perm.is_leader(user) or perm.is_liaison(user):
        return set()  # they open every snag (a code of no snag names nothing)
    visible = set(Snag.objects.visible_to(user).filter(code__in=wanted).values_list("code", flat=True))
    return wanted - visible


def hidden_in(user: Any, texts: list[str]) -> list[bool]:
    """For each text, whether it names a snag ``user`` may not open (the ``snags.hidden_in`` hook that
    ``collab.lib.snag_mentions`` asks): one query for all of them."""
    found = [codes_in(text) for text in texts]
    hidden = invisible_codes(user, set().union(*found)) if found else set()
    return [bool(codes & hidden) for codes in found]


def hidden_count(user: Any, qs: SnagQuerySet) -> int:
    """How many snags of ``qs`` the user may not open (for the "includes N snags you cannot open" line)."""
    if perm.is_leader(user) or perm.is_liaison(user):
        return 0
    return qs.exclude(pk__in=Snag.objects.visible_to(user).values("pk")).count()


def hidden_logged_between(user: Any, start: date, end: date) -> int:
    """How many snags logged between ``start`` and ``end`` (inclusive) ``user`` may not open."""
    lo, hi = start_of_day(start), start_of_day(end + timedelta(days=1))
    return hidden_count(user, Snag.objects.filter(created_at__gte=lo, created_at__lt=hi))


def goal_detours(goal_id: int, user: Any) -> dict[str, Any]:
    """The snags that detoured a goal (directly or through one of its projects) and the days they cost: the
    list holds the snags ``user`` may open; the count and the days lost cover every snag, and ``hidden`` says
    how many of them the list leaves out."""
    qs = Snag.objects.filter(Q(goal_id=goal_id) | Q(project__goal_id=goal_id))
    snags = list(
        Snag.objects.visible_to(user).filter(pk__in=qs.values("pk")).order_by("-days_lost", "-created_at")[:50]
    )
    total = qs.aggregate(days=Sum("days_lost"), n=Count("id"))
    return {
        "snags": snags,
        "days_lost": total["days"] or 0,
        "count": total["n"],
        "hidden": hidden_count(user, qs),
    }


def days_lost_by_goal(start: date | None = None, end: date | None = None) -> dict[int, Any]:
    """Days lost to snags per goal (through the snag's own goal, else its project's), for snags logged between
    ``start`` and ``end`` if given: one query."""
    from django.db.models.functions import Coalesce

    qs = Snag.objects.all()
    if start is not None:
        qs = qs.filter(created_at__gte=start_of_day(start))
    if end is not None:
        qs = qs.filter(created_at__lt=start_of_day(end + timedelta(days=1)))
    rows = (
        qs.annotate(goal_key=Coalesce("goal_id", "project__goal_id"))
        .filter(goal_key__isnull=False)
        .values("goal_key")
        .annotate(days=Sum("days_lost"), n=Count("id"))
        .values_list("goal_key", "days", "n")
    )
    return {goal: {"days": days or 0, "snags": n} for goal, days, n in rows}


def agenda_suggestions(meeting: Any) -> list[dict[str, str]]:
    """Parked snags addressed to a meeting: parked for the next meeting of an attendee (as owner or raiser),
    and, for a CMO–CIO sync, those parked for the sync. The agenda is stored and shown to everyone who opens
    the meeting, so each item names its snag by code and link; the meeting page hides the items whose snag the
    viewer may not open (``collab.lib.snag_mentions``)."""
    attendees = set(meeting.attendees.values_list("pk", flat=True)) if hasattr(meeting, "attendees") else set()
    series_kind = str(getattr(getattr(meeting, "series", None), "kind", "") or "")
    wanted = Q(parked_for=ParkedFor.MEETING) & (Q(owner_id__in=attendees) | Q(raised_by_id__in=attendees))
    if "cmo" in series_kind or "sync" in series_kind:
        wanted |= Q(parked_for=ParkedFor.SYNC)
    snags = Snag.objects.filter(status=SnagStatus.PARKED).filter(wanted).order_by("created_at")[:20]
    return [{"title": f"{s.code}: {s.title}", "link": s.get_absolute_url(), "source": "Parked snag"} for s in snags]


def parked_for_qbr(user: Any = None) -> SnagQuerySet:
    """Snags parked for the QBR: those ``user`` may open, or every one (``user=None``, for the facts that are
    frozen at lock and filtered for each viewer when shown)."""
    qs = Snag.objects.visible_to(user) if user is not None else Snag.objects.all()
    return qs.filter(status=SnagStatus.PARKED, parked_for=ParkedFor.QBR).select_related("owner")


def median_first_answer_hours(start: date, end: date, department: str = "") -> float | None:
    """The median time from logging to the first answer of snags logged between start and end (inclusive)."""
    base = Snag.objects.filter(raiser_department=department) if department else Snag.objects.all()
    return _median_first_answers(base, start, start, end)[0]  # everything from ``start`` falls on the first side


def quarter_facts(start: date, end: date) -> dict[str, Any]:
    """For the QBR: what the quarter's snags came to."""
    lo, hi = start_of_day(start), start_of_day(end + timedelta(days=1))
    logged = Snag.objects.filter(created_at__gte=lo, created_at__lt=hi)
    agg = logged.aggregate(
        n=Count("id"),
        escalated=Count("id", filter=Q(escalation_level__gte=2)),
        days=Sum("days_lost"),
    )
    resolved = Snag.objects.filter(status=SnagStatus.RESOLVED, resolved_at__gte=lo, resolved_at__lt=hi).count()
    by_department = list(
        logged.values("raiser_department")
        .annotate(n=Count("id"), escalated=Count("id", filter=Q(escalation_level__gte=2)), days=Sum("days_lost"))
        .order_by("raiser_department")
        .values_list("raiser_department", "n", "escalated", "days")
    )
    still_open = Snag.objects.open().filter(created_at__lt=hi).count()
    return {
        "logged": agg["n"],
        "resolved": resolved,
        "escalated": agg["escalated"],
        "days_lost": agg["days"] or 0,
        "still_open": still_open,
        "median_first_answer_hours": median_first_answer_hours(start, end),
        "parked_for_qbr": list(parked_for_qbr().order_by("created_at")[:20]),
        "by_department": [
            {"department": Department(d).label, "logged": n, "escalated": e, "days_lost": days or 0}
            for d, n, e, days in by_department
        ],
    }


AGE_BUCKETS = [("under a week", 0, 7), ("1–4 weeks", 7, 28), ("1–3 months", 28, 90), ("over 3 months", 90, None)]


def dashboard_summary(
    user: Any, *, department: str = "", today: date | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """The figures of the dashboard's snag panel: the counts cover every snag (the same truth for everyone,
    with ``hidden`` open snags the viewer may not open); the list of the oldest escalated holds only snags
    ``user`` may open. Cache it by ``visibility_scope(user)``."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    base = Snag.objects.all()
    if department:
        base = base.filter(raiser_department=department)
    buckets = {}
    for i, (_, lo, hi) in enumerate(AGE_BUCKETS):
        cond = Q(created_at__lte=now - timedelta(days=lo))
        if hi is not None:
            cond &= Q(created_at__gt=now - timedelta(days=hi))
        buckets[f"age{i}"] = Count("id", filter=cond)
    agg = base.open().aggregate(
        open=Count("id"),
        escalated=Count("id", filter=Q(escalation_level__gte=2)),
        overdue=Count("id", filter=Q(status__in=UNANSWERED_STATUSES, respond_by__lte=now)),
        **buckets,
    )
    visible = Snag.objects.visible_to(user)
    oldest = list(
        visible.filter(pk__in=base.escalated().values("pk")).select_related("owner").order_by("created_at")[:5]
    )
    hidden = hidden_count(user, base.open())
    weeks = weekly_trend(department=department, today=today)
    this_start = quarter_start(today)
    last_start = quarter_start(this_start - timedelta(days=1))
    median_this, median_last = _median_first_answers(base, last_start, this_start, today)
    return {
        "open": agg["open"],
        "escalated": agg["escalated"],
        "overdue": agg["overdue"],
        "hidden": hidden,
        "ages": [{"label": label, "count": agg[f"age{i}"]} for i, (label, _, _) in enumerate(AGE_BUCKETS)],
        "oldest_escalated": oldest,
        "weeks": weeks,
        "median_this_quarter": median_this,
        "median_last_quarter": median_last,
    }


def _median_first_answers(
    base: SnagQuerySet, last_start: date, quarter_start: date, today: date
) -> tuple[float | None, float | None]:
    """Median hours to the first answer for snags logged this quarter and last: computed by Postgres
    (``percentile_cont``) in one query; elsewhere from the rows."""
    lo, split, hi = start_of_day(last_start), start_of_day(quarter_start), start_of_day(today + timedelta(days=1))
    if connection.vendor == "postgresql":
        qs = base.filter(created_at__gte=lo, created_at__lt=hi, first_answered_at__isnull=False)
        sql, params = qs.values("id").query.sql_with_params()
        hours = "EXTRACT(EPOCH FROM (s.first_answered_at - s.created_at)) / 3600.0"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY {hours}) FILTER (WHERE s.created_at >= %s), "  # noqa: S608
                f"percentile_cont(0.5) WITHIN GROUP (ORDER BY {hours}) FILTER (WHERE s.created_at < %s) "
                f"FROM parkinglot_snag s WHERE s.id IN ({sql})",
                [split, split, *params],
            )
            this_q, last_q = cursor.fetchone()
        return (
            round(float(this_q), 1) if this_q is not None else None,
            round(float(last_q), 1) if last_q is not None else None,
        )
    waits = _first_answer_waits(base, last_start, today)
    this_h = [h for created, h in waits if created >= split]
    last_h = [h for created, h in waits if created < split]
    return (round(median(this_h), 1) if this_h else None, round(median(last_h), 1) if last_h else None)


def _first_answer_waits(base: SnagQuerySet, start: date, end: date) -> list[tuple[datetime, float]]:
    rows = base.filter(
        created_at__gte=start_of_day(start),
        created_at__lt=start_of_day(end + timedelta(days=1)),
        first_answered_at__isnull=False,
    ).values_list("created_at", "first_answered_at")
    return [(created, (answered - created).total_seconds() / 3600) for created, answered in rows if answered]


def weekly_trend(*, department: str = "", today: date, n: int = 12) -> list[dict[str, Any]]:
    """Opened and resolved snags per week for the last ``n`` weeks — cached for a minute (the heavy part)."""
    base = Snag.objects.all()
    if department:
        base = base.filter(raiser_department=department)
    key = f"parkinglot:weekly:{department or 'all'}:{today.isoformat()}:{n}"
    return cached(key, 60, lambda: _weekly(base, today, n))


def _weekly(base: SnagQuerySet, today: date, n: int = 12) -> list[dict[str, Any]]:
    monday = today - timedelta(days=today.weekday())
    first = monday - timedelta(weeks=n - 1)
    since = start_of_day(first)
    opened = dict(
        base.filter(created_at__gte=since)
        .annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(n=Count("id"))
        .values_list("week", "n")
    )
    resolved = dict(
        base.filter(status=SnagStatus.RESOLVED, resolved_at__gte=since)
        .annotate(week=TruncWeek("resolved_at"))
        .values("week")
        .annotate(n=Count("id"))
        .values_list("week", "n")
    )

    def by_day(rows: dict[Any, int]) -> dict[date, int]:
        out: dict[date, int] = {}
        for key, value in rows.items():
            day = key.date() if isinstance(key, datetime) else key
            out[day] = out.get(day, 0) + value
        return out

    o, r = by_day(opened), by_day(resolved)
    return [
        {
            "week": first + timedelta(weeks=i),
            "opened": o.get(first + timedelta(weeks=i), 0),
            "resolved": r.get(first + timedelta(weeks=i), 0),
        }
        for i in range(n)
    ]


# --- search (registered with collab.lib.search in apps.py) ---------------------------------
SNAG_SEARCH = search.Columns(
    vector="parkinglot_snag.search_vector",
    title_sql="parkinglot_snag.title",
    title="title",
    body=("search_document",),
    tiebreak=("-created_at", "-id"),
)


def _comments_text(snag: Snag) -> str:
    """The comments part of the snag's search document (title, details, then each comment; services build it)."""
    head = f"{snag.title}\n{snag.details}\n"
    return snag.search_document[len(head) :] if snag.search_document.startswith(head) else ""


def search_snags(user: Any, query: search.Query, limit: int) -> list[search.Hit]:
    """Snags the user may open: by code (``SNAG-1042``), else by title, details and comments."""
    qs = Snag.objects.visible_to(user)  # the document holds the comments the snippet may come from
    partial = False
    if code := snag_code(query.text):
        found = list(qs.filter(code=code).annotate(search_rank=Value(10.0, output_field=FloatField()))[:1])
    else:
        found, partial = search.matches(qs, SNAG_SEARCH, query, limit)
    return [
        search.hit(
            s,
            query,
            partial,
            kind="snag",
            code=s.code,
            title=s.title,
            url=s.get_absolute_url(),
            snippet=search.snippet(query, s.details, _comments_text(s)),
            status=s.get_status_display(),
            date=s.created_at,
            context=s.get_raiser_department_display(),
        )
        for s in found
    ]
