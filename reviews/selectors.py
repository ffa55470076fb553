"""Reads of the reviews app, for its pages and for the dashboard."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from reviews.models import AgendaItem, Review, TeamInput


def review_list() -> QuerySet[Review]:
    return (
        Review.objects.select_related("facilitator")
        .annotate(
            agenda_minutes=Sum("items__time_box_minutes", default=0),
            item_count=Count("items", distinct=True),
        )
        .prefetch_related(Prefetch("inputs", queryset=TeamInput.objects.order_by("team")))
        .order_by("-year", "-quarter")
    )


def preparation(review: Any, *, inputs: list[Any] | None = None, minutes: int | None = None) -> dict[str, Any]:
    """How far a review's preparation is: inputs submitted, agenda minutes against its length. Pass what the
    caller already loaded (``inputs``, ``minutes``) to save the queries."""
    if inputs is None:
        inputs = list(review.inputs.all())
    submitted = sum(1 for i in inputs if i.submitted_at)
    if minutes is None:
        minutes = getattr(review, "agenda_minutes", None)
    if minutes is None:
        minutes = review.items.aggregate(m=Sum("time_box_minutes", default=0))["m"]
    return {
        "inputs_submitted": submitted,
        "inputs_total": len(inputs),
        "agenda_minutes": minutes,
        "length_minutes": review.length_minutes,
        "over_time": minutes > review.length_minutes,
        "over_by": max(0, minutes - review.length_minutes),
    }


def agenda(review: Review) -> list[AgendaItem]:
    return list(
        review.items.select_related("presenter").annotate(n_decisions=Count("decisions")).order_by("position", "id")
    )


def next_review() -> Review | None:
    return (
        review_list()
        .filter(Q(status__in=["planning", "collecting_input", "agenda_locked"]))
        .order_by("year", "quarter")
        .first()
    )
