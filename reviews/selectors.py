"""Reads of the reviews app, for its pages and for the dashboard."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from collab.accounts import permissions as perm
from collab.accounts.models import User
from collab.lib import search, snag_mentions
from reviews.models import ActionItem, AgendaItem, Decision, InputState, MinutesAddendum, Review, TeamInput


def review_list() -> QuerySet[Review]:
    return (
        Review.objects.select_related("facilitator")
        .annotate(
            agenda_minutes=Sum("items__time_box_minutes", default=0),
            item_count=Count("items", distinct=True),
        )
        .prefetch_related(
            Prefetch("inputs", queryset=TeamInput.objects.select_related("submitted_by").order_by("team"))
        )
        .order_by("-year", "-quarter")
    )


def review_with_people(year: int, quarter: int) -> Review | None:
    """One QBR as ``review_list`` reads it, with its attendees (by name), decisions and action items (by due date)
    prefetched: a fixed number of queries."""
    return (
        review_list()
        .filter(year=year, quarter=quarter)
        .prefetch_related(
            Prefetch("attendees", queryset=User.objects.order_by("first_name", "last_name")),
            Prefetch("decisions", queryset=Decision.objects.order_by("created_at", "id")),
            Prefetch("addenda", queryset=MinutesAddendum.objects.select_related("by").order_by("created_at", "id")),
            Prefetch("action_items", queryset=ActionItem.objects.select_related("owner").order_by("due_date", "id")),
        )
        .first()
    )


def preparation(review: Any, *, inputs: list[Any] | None = None, minutes: int | None = None) -> dict[str, Any]:
    """How far a review's preparation is: inputs submitted, missed (deadline passed, nothing in) and late, agenda
    minutes against its length. Pass what the
    caller already loaded (``inputs``, ``minutes``) to save the queries."""
    if inputs is None:
        inputs = list(review.inputs.all())
    now = timezone.now()
    states = [i.state_at(now) for i in inputs]
    submitted = sum(1 for i in inputs if i.submitted_at)
    if minutes is None:
        minutes = getattr(review, "agenda_minutes", None)
    if minutes is None:
        minutes = review.items.aggregate(m=Sum("time_box_minutes", default=0))["m"]
    return {
        "inputs_submitted": submitted,
        "inputs_total": len(inputs),
        "inputs_missed": states.count(InputState.MISSED),
        "inputs_late": states.count(InputState.LATE),
        "agenda_minutes": minutes,
        "length_minutes": review.length_minutes,
        "over_time": minutes > review.length_minutes,
        "over_by": max(0, minutes - review.length_minutes),
    }


def agenda(review: Review, user: Any = None) -> list[AgendaItem]:
    """The agenda in order. Shown to ``user``: an item made from a parked snag they may not open keeps its
    place and time box but not its title or notes (``collab.lib.snag_mentions``)."""
    items: list[AgendaItem] = list(
        review.items.select_related("presenter").annotate(n_decisions=Count("decisions")).order_by("position", "id")
    )
    if user is not None:
        snag_mentions.hide(user, items, ("title", "notes", "link", "source"))
    return items


def hide_snag_mentions(user: Any, decisions: list[Decision], history: list[Any]) -> None:
    """The decisions' agenda items and the agenda history name parked snags by code too: hide those the viewer
    may not open (in memory, for this page)."""
    snag_mentions.hide(user, [d.item for d in decisions if d.item is not None], ("title",))
    snag_mentions.hide(user, history, ("item_title", "detail"))


def next_review() -> Review | None:
    return (
        review_list()
        .filter(Q(status__in=["planning", "collecting_input", "agenda_locked"]))
        .order_by("year", "quarter")
        .first()
    )


def suggestions(review: Any, user: Any) -> list[dict[str, str]]:
    """What the other apps want on this QBR's agenda, minus what is already there: snags parked for the QBR,
    open action items of the last QBR, projects off track, and change requests waiting on the sponsors.
    Each has a stable ``key`` (kept in the agenda item's ``source``) so it is offered once. Snags are offered
    only to people who may open them."""
    from django.db.models import Q

    from collab.projects.models import ChangeRequest, ChangeRequestStatus, Project
    from parkinglot import selectors as snag_selectors
    from reviews.models import ActionItem, Review

    taken = set(review.items.exclude(source="").values_list("source", flat=True))

    def offer(key: str, title: str, kind: str, why: str, link: str) -> dict[str, str]:
        return {"key": key, "title": title, "kind": kind, "why": why, "link": link}

    out = [
        offer(f"snag:{s.code}", f"{s.code}: {s.title}", "challenge", "Parked for this QBR", s.get_absolute_url())
        for s in snag_selectors.parked_for_qbr(user).order_by("created_at")[:15]
    ]
    earlier = Q(year__lt=review.year) | Q(year=review.year, quarter__lt=review.quarter)
    last = Review.objects.filter(earlier).order_by("-year", "-quarter").first()
    if last is not None:
        open_actions = ActionItem.objects.filter(review=last, done_at__isnull=True).select_related("owner")[:15]
        out += [
            offer(
                f"action:{a.pk}",
                f"Carried over: {a.title}",
                "update",
                f"Open action of QBR {last.label} ({a.owner.display_name})",
                last.get_absolute_url() + "#actions",
            )
            for a in open_actions
        ]
    out += [
        offer(
            f"project:{p.pk}",
            f"{p.name} is off track",
            "challenge",
            p.health_note or "Health: off track",
            p.get_absolute_url(),
        )  # fmt: skip
        for p in Project.objects.active().filter(health="off_track").order_by("rank")[:10]
    ]
    out += [
        offer(
            f"change:{c.pk}",
            f"Change request: {c.title} ({c.project.name})",
            "decision",
            "Waiting for the sponsors",
            c.project.get_absolute_url(),
        )  # fmt: skip
        for c in ChangeRequest.objects.filter(status=ChangeRequestStatus.PENDING).select_related("project")[:10]
    ]
    return [s for s in out if s["key"] not in taken]


# --- search (registered with collab.lib.search in apps.py) ---------------------------------
ITEM_SEARCH = search.Columns(
    vector="reviews_agendaitem.search_vector",
    title_sql="reviews_agendaitem.title",
    title="title",
    body=("notes",),
    tiebreak=("-review__year", "-review__quarter", "-id"),
)
DECISION_SEARCH = search.Columns(
    vector="reviews_decision.search_vector",
    title_sql="reviews_decision.text",
    title="text",
    tiebreak=("-created_at", "-id"),
)
ACTION_SEARCH = search.Columns(
    vector="reviews_actionitem.search_vector",
    title_sql="reviews_actionitem.title",
    title="title",
    tiebreak=("-due_date", "-id"),
)


def search_items(user: Any, query: search.Query, limit: int) -> list[search.Hit]:
    """QBR agenda items: every signed-in employee may open every review page."""
    if not perm.can_view_app(user):
        return []
    found, partial = search.matches(AgendaItem.objects.select_related("review"), ITEM_SEARCH, query, limit)
    return [
        search.hit(
            i,
            query,
            partial,
            kind="qbr_item",
            title=i.title,
            url=i.review.get_absolute_url() + "#agenda",
            snippet=search.snippet(query, i.notes),
            status=i.get_kind_display(),
            date=i.review.scheduled_at,
            context=str(i.review),
        )
        for i in found
    ]


def search_decisions(user: Any, query: search.Query, limit: int) -> list[search.Hit]:
    if not perm.can_view_app(user):
        return []
    found, partial = search.matches(Decision.objects.select_related("review"), DECISION_SEARCH, query, limit)
    return [
        search.hit(
            d,
            query,
            partial,
            kind="qbr_decision",
            title=search.plain_text(d.text)[:120],
            title_html=search.highlight(d.text, query, width=120, markdown=True),
            url=d.review.get_absolute_url() + "#decisions",
            status="Decision",
            date=d.created_at,
            context=str(d.review),
        )
        for d in found
    ]


def search_actions(user: Any, query: search.Query, limit: int) -> list[search.Hit]:
    if not perm.can_view_app(user):
        return []
    qs = ActionItem.objects.select_related("review", "owner")
    found, partial = search.matches(qs, ACTION_SEARCH, query, limit)
    return [
        search.hit(
            a,
            query,
            partial,
            kind="qbr_action",
            title=a.title,
            url=a.review.get_absolute_url() + "#actions",
            snippet=search.highlight(f"Owner: {a.owner.display_name}", query),
            status="Done" if a.done_at else "Open",
            date=a.due_date,
            context=str(a.review),
        )
        for a in found
    ]
