"""The facts of a quarter, computed from the data of every app (read through their selectors).

A section's data is a dict with any of: ``figures`` (a list of {"label", "value"}), ``table``
({"columns": [...], "rows": [[...]]}), ``list`` (strings), or ``empty`` (an honest empty state).
Each section is a small function ``(review, start, end) -> dict | None``; a section whose app has no data
returns an honest empty state, never made-up numbers. Locking the agenda stores the result as a snapshot.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone

from collab.lib.cache import cached
from reviews.models import ActionItem, Review

LIVE_FACTS_SECONDS = 60
Section = Callable[[Review, date, date], dict[str, Any] | None]
SECTIONS: list[tuple[str, str, Section]] = []


def section(key: str, title: str) -> Callable[[Section], Section]:
    def wrap(func: Section) -> Section:
        SECTIONS.append((key, title, func))
        return func

    return wrap


def previous_review(review: Review) -> Review | None:
    earlier = Q(year__lt=review.year) | Q(year=review.year, quarter__lt=review.quarter)
    return Review.objects.filter(earlier).order_by("-year", "-quarter").first()


@section("carried_over", "Action items carried over from the last QBR")
def _carried_over(review: Review, start: date, end: date) -> dict[str, Any] | None:
    last = previous_review(review)
    if last is None:
        return {"empty": "This is the first review: nothing to carry over."}
    items = list(ActionItem.objects.filter(review=last).select_related("owner").order_by("due_date", "id"))
    open_items = [a for a in items if a.done_at is None]
    if not items:
        return {"empty": f"QBR {last.label} recorded no action items."}
    return {
        "figures": [
            {"label": f"Action items from QBR {last.label}", "value": len(items)},
            {"label": "Done", "value": len(items) - len(open_items)},
            {"label": "Still open", "value": len(open_items)},
        ],
        "table": {
            "columns": ["Still open", "Owner", "Due"],
            "rows": [[a.title, a.owner.display_name, a.due_date.isoformat()] for a in open_items],
        },
    }


@section("snags", "Snags of the quarter")
def _snags(review: Review, start: date, end: date) -> dict[str, Any] | None:
    from parkinglot import selectors as snag_selectors

    data = snag_selectors.quarter_facts(start, end)
    if not data["logged"] and not data["parked_for_qbr"]:
        return {"empty": "No snags were logged this quarter."}
    hours = data["median_first_answer_hours"]
    return {
        "figures": [
            {"label": "Logged", "value": data["logged"]},
            {"label": "Resolved", "value": data["resolved"]},
            {"label": "Escalated to the executives", "value": data["escalated"]},
            {"label": "Days lost (estimated)", "value": str(data["days_lost"])},
            {"label": "Median time to first answer", "value": "–" if hours is None else f"{hours} h"},
            {"label": "Still open", "value": data["still_open"]},
        ],
        "table": {
            "columns": ["Parked for this QBR", "Owner", "Logged"],
            "rows": [
                [f"{s.code} {s.title}", s.owner.display_name if s.owner else "–", s.created_at.date().isoformat()]
                for s in data["parked_for_qbr"]
            ],
        },
    }


@section("meetings", "Relationship meetings held")
def _meetings(review: Review, start: date, end: date) -> dict[str, Any] | None:
    from liaison import selectors as liaison_selectors

    held = liaison_selectors.meetings_held_between(start, end)
    if not held:
        return {"empty": "No relationship meetings were recorded as held this quarter."}
    by_series: dict[str, int] = {}
    for meeting in held:
        by_series[meeting.series.title] = by_series.get(meeting.series.title, 0) + 1
    syncs = [m for m in held if m.series.kind == "cmo_cio_sync"]
    return {
        "figures": [
            {"label": "Meetings held", "value": len(held)},
            {"label": "CMO–CIO syncs", "value": len(syncs)},
        ],
        "table": {"columns": ["Series", "Held"], "rows": [[k, v] for k, v in sorted(by_series.items())]},
    }


def compute(review: Review, now: datetime | None = None) -> dict[str, Any]:
    start, end = review.period
    out: dict[str, Any] = {
        "quarter": review.label,
        "period": [start.isoformat(), end.isoformat()],
        "computed_at": (now or timezone.now()).isoformat(),
        "sections": [],
    }
    for key, title, func in SECTIONS:
        data = func(review, start, end)
        if data is not None:
            out["sections"].append({"key": key, "title": title, "data": data})
    return out


def for_display(review: Review) -> tuple[dict[str, Any], bool]:
    """The frozen snapshot once the agenda is locked, otherwise the live figures."""
    snapshot = getattr(review, "snapshot", None) if review.is_locked else None
    if snapshot is not None:
        return snapshot.data, True
    # live figures read every app: computed at most once a minute per review
    key = f"reviews:facts:{review.pk}:{review.version}"
    return cached(key, LIVE_FACTS_SECONDS, lambda: compute(review)), False


@section("pulse", "Relationship pulse")
def _pulse(review: Review, start: date, end: date) -> dict[str, Any] | None:
    from reviews import pulse

    found = getattr(review, "pulse", None)
    if found is None:
        return {"empty": "No pulse was run for this quarter."}
    data = pulse.results(found)
    if not data["departments"]:
        return {
            "figures": [
                {"label": "Answers", "value": data["respondents"]},
                {"label": "Response rate", "value": f"{data['response_rate']}%"},
            ],
            "empty": f"Fewer than {data['threshold']} people of any department answered, so no scores are shown.",
        }
    columns = [
        "Statement",
        *[d.replace("_", " ").capitalize() if d not in ("it",) else "IT" for d in data["departments"]],
        "Gap IT − marketing",
    ]
    rows = [
        [
            q["text"],
            *[q["by_department"].get(d, "–") for d in data["departments"]],
            "–" if q["gap"] is None else q["gap"],
        ]
        for q in data["questions"]
    ]
    return {
        "figures": [
            {"label": "Answers", "value": data["respondents"]},
            {"label": "Response rate", "value": f"{data['response_rate']}%"},
        ],
        "table": {"columns": columns, "rows": rows},
        "list": data["texts"][:10],
    }
