"""The dashboard's panels. Each is a function ``(lens, today) -> context`` and a template of its own;
the page renders them all (no JavaScript needed) and htmx refreshes each one on its own URL.

A panel that lists snags is built for a viewer (``(lens, today, user)``, ``per_viewer=True``): it names only
snags the viewer may open, and its cache entry is keyed by the viewer's ``visibility_scope`` — people who may
open the same snags share it, nobody else does.

A lens narrows the snags and projects to one side (``it`` or ``marketing``); the default ``all`` shows both
executives the same numbers. Panels read other apps only through their selectors.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from collab.lib.cache import cached
from collab.lib.time import quarter_start
from collab.projects import selectors as project_selectors
from collab.projects.tools import selectors as tool_selectors
from liaison import selectors as liaison_selectors
from parkinglot import selectors as snag_selectors
from reviews import pulse
from reviews import selectors as review_selectors

LENSES = {"all": "Both teams", "it": "IT", "marketing": "Marketing"}


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    build: Callable[..., dict[str, Any]]
    per_viewer: bool = False

    @property
    def template(self) -> str:
        return f"dashboard/panels/{self.key}.html"


def _lens_department(lens: str) -> str:
    return lens if lens in ("it", "marketing") else ""


def _snags(lens: str, today: date, user: Any) -> dict[str, Any]:
    data = snag_selectors.dashboard_summary(user, department=_lens_department(lens), today=today)
    weeks = data["weeks"]
    chart = {
        "type": "line",
        "data": {
            "labels": [w["week"].strftime("%d %b") for w in weeks],
            "datasets": [
                {"label": "Opened", "data": [w["opened"] for w in weeks], "borderColor": "#b0232a", "tension": 0.2},
                {
                    "label": "Resolved",
                    "data": [w["resolved"] for w in weeks],
                    "borderColor": "#1d6b34",
                    "borderDash": [6, 4],
                    "tension": 0.2,
                },
            ],
        },
        "options": {
            "responsive": True,
            "maintainAspectRatio": False,
            "animation": False,
            "scales": {"y": {"beginAtZero": True}},
        },
    }
    return {**data, "chart": json.dumps(chart), "max_age": max((a["count"] for a in data["ages"]), default=0)}


def _projects(lens: str, today: date) -> dict[str, Any]:
    rows = project_selectors.ranking(limit=10)
    return {"rows": rows, "vacancies": getattr(rows[0].project, "vacancies_total", 0) if rows else 0}


def _changes(lens: str, today: date) -> dict[str, Any]:
    return {"entries": project_selectors.change_feed(limit=10)}


def _goals(lens: str, today: date) -> dict[str, Any]:
    lost = snag_selectors.days_lost_by_goal()
    return {
        "goals": [
            {"goal": g, "progress": p, "lost": lost.get(g.pk, {"days": 0, "snags": 0})}
            for g, p in project_selectors.goal_list()
        ]
    }


def _relationship(lens: str, today: date) -> dict[str, Any]:
    sync = liaison_selectors.cmo_cio_sync_status()
    return {"sync": sync, "actions": liaison_selectors.open_action_items_of_executives(), "today": today}


def _liaisons(lens: str, today: date) -> dict[str, Any]:
    rows = liaison_selectors.coverage(today)
    return {"coverage": rows, "warnings": [r["warning"] for r in rows if r["warning"]]}


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
    latest: dict[str, Any] = {}
    for side, values in trend["average"].items():
        found = [(q, v) for q, v in zip(trend["quarters"], values, strict=True) if v is not None]
        latest[side] = found[-1] if found else None
    return {"trend": trend, "chart": pulse.trend_chart(trend), "latest": latest}


def _tools(lens: str, today: date) -> dict[str, Any]:
    return {
        "figures": tool_selectors.tool_figures(quarter_start(today), today, today=today),
        "renewals": tool_selectors.renewals_coming(today, limit=5),
    }


PANELS: list[Panel] = [
    Panel("snags", "Snags", _snags, per_viewer=True),
    Panel("projects", "Projects in ranked order", _projects),
    Panel("changes", "Change feed", _changes),
    Panel("relationship", "CMO–CIO relationship", _relationship),
    Panel("qbr", "Next quarterly business review", _qbr),
    Panel("liaisons", "Liaison coverage", _liaisons),
    Panel("goals", "Shared goals", _goals),
    Panel("pulse", "Relationship pulse", _pulse),
    Panel("tools", "Technology register", _tools),
]


PANEL_SECONDS = 30


def cache_key(panel: Panel, lens: str, today: date, user: Any) -> str:
    """Everyone shares a panel's entry, except a per-viewer panel's: it is shared only by people who may open
    the same snags (the CMO and the CIO both see every snag, so they still share one)."""
    key = f"dashboard:{panel.key}:{lens}:{today.isoformat()}"
    return f"{key}:{snag_selectors.visibility_scope(user)}" if panel.per_viewer else key


def build(panel: Panel, lens: str, today: date, user: Any) -> dict[str, Any]:
    """A panel's figures, shared for ``PANEL_SECONDS`` (the same truth for the CMO and the CIO): the first
    visitor computes them, the others and the 60-second htmx refreshes read them."""
    if panel.per_viewer:
        return cached(cache_key(panel, lens, today, user), PANEL_SECONDS, lambda: panel.build(lens, today, user))
    return cached(cache_key(panel, lens, today, user), PANEL_SECONDS, lambda: panel.build(lens, today))


def get(key: str) -> Panel | None:
    return next((p for p in PANELS if p.key == key), None)
