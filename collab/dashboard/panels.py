"""The dashboard's panels. Each is a function ``(lens, today) -> context`` and a template of its own;
the page renders them all (no JavaScript needed) and htmx refreshes each one on its own URL.

A lens narrows the snags and projects to one side (``it`` or ``marketing``); the default ``all`` shows both
executives the same numbers. Panels read other apps only through their selectors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from reviews import pulse
from reviews import selectors as review_selectors

LENSES = {"all": "Both teams", "it": "IT", "marketing": "Marketing"}


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    build: Callable[[str, date], dict[str, Any]]

    @property
    def template(self) -> str:
        return f"dashboard/panels/{self.key}.html"


def _qbr(lens: str, today: date) -> dict[str, Any]:
    review = review_selectors.next_review()
    if review is None:
        return {"review": None}
    prep = review_selectors.preparation(review)
    return {
        "review": review,
        "prep": prep,
        "days_to_go": (review.scheduled_at.date() - today).days,
        "inputs": list(review.inputs.all()),
    }


def _pulse(lens: str, today: date) -> dict[str, Any]:
    trend = pulse.trend()
    latest = {}
    if trend["quarters"]:
        latest = {side: values[-1] for side, values in trend["average"].items()}
    return {"trend": trend, "chart": pulse.trend_chart(trend), "latest": latest}


PANELS: list[Panel] = [
    Panel("qbr", "Next quarterly business review", _qbr),
    Panel("pulse", "Relationship pulse", _pulse),
]


def get(key: str) -> Panel | None:
    return next((p for p in PANELS if p.key == key), None)
