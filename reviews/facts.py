"""The facts of a quarter, computed from the data of every app (read through their selectors).

A section's data is a dict with any of: ``figures`` (a list of {"label", "value"}), ``table``
({"columns": [...], "rows": [[...]]}), ``list`` (strings), or ``empty`` (an honest empty state).
Each section is a small function ``(review, start, end) -> dict | None``; a section whose app has no data
returns an honest empty state, never made-up numbers. Locking the agenda stores the result as a snapshot.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from collab.lib.cache import cached
from collab.lib.time import start_of_day
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
            {"label": "Days lost (estimated)", "value": f"{data['days_lost']:.1f}"},
            {"label": "Median time to first answer", "value": "–" if hours is None else f"{hours} h"},
            {"label": "Still open", "value": data["still_open"]},
        ],
        "table": {
            "columns": ["Department", "Logged", "Escalated", "Days lost"],
            "rows": [
                [d["department"], d["logged"], d["escalated"], f"{d['days_lost']:.1f}"] for d in data["by_department"]
            ],
        },
        "list": [
            f"Parked for this QBR: {s.code} {s.title} ({s.owner.display_name if s.owner else 'no owner'})"
            for s in data["parked_for_qbr"]
        ],
        "chart": {
            "type": "bar",
            "data": {
                "labels": [d["department"] for d in data["by_department"]],
                "datasets": [
                    {
                        "label": "Logged",
                        "data": [d["logged"] for d in data["by_department"]],
                        "backgroundColor": "#1f4fbf",
                    },
                    {
                        "label": "Escalated",
                        "data": [d["escalated"] for d in data["by_department"]],
                        "backgroundColor": "#b0232a",
                    },
                ],
            },
            "options": {"responsive": True, "maintainAspectRatio": False, "animation": False},
        },
        "chart_alt": "Snags logged and escalated this quarter by department; the numbers are in the table below.",
    }


@section("meetings", "Relationship meetings held")
def _meetings(review: Review, start: date, end: date) -> dict[str, Any] | None:
    from liaison import selectors as liaison_selectors

    held = liaison_selectors.meetings_held_between(start, end)
    log_entries = liaison_selectors.log_entries_between(start, end)
    if not held and not log_entries:
        return {"empty": "No relationship meetings were held and no liaison log entry was written this quarter."}
    by_series: dict[str, int] = {}
    for meeting in held:
        by_series[meeting.series.title] = by_series.get(meeting.series.title, 0) + 1
    syncs = [m for m in held if m.series.kind == "cmo_cio_sync"]
    return {
        "figures": [
            {"label": "Meetings held", "value": len(held)},
            {"label": "CMO–CIO syncs", "value": len(syncs)},
            {"label": "Liaison log entries", "value": log_entries},
        ],
        "table": {"columns": ["Series", "Held"], "rows": [[k, v] for k, v in sorted(by_series.items())]},
    }


@section("projects", "Joint projects this quarter")
def _projects(review: Review, start: date, end: date) -> dict[str, Any] | None:
    from collab.projects.models import ChangeRequest, FeedEntry, FeedKind, Milestone

    milestones = list(
        Milestone.objects.filter(due_date__gte=start, due_date__lte=end).values_list("done_on", "due_date")
    )
    hit = sum(1 for done, due in milestones if done is not None and done <= due)
    lo, hi = start_of_day(start), start_of_day(end + timedelta(days=1))
    feed = dict(
        FeedEntry.objects.filter(at__gte=lo, at__lt=hi).values("kind").annotate(n=Count("id")).values_list("kind", "n")
    )
    requests = dict(
        ChangeRequest.objects.filter(created_at__gte=lo, created_at__lt=hi)
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    if not milestones and not feed and not requests:
        return {"empty": "No milestone was due and no ranking or scope changed this quarter."}
    return {
        "figures": [
            {"label": "Milestones due", "value": len(milestones)},
            {"label": "Hit on time", "value": hit},
            {"label": "Missed or late", "value": len(milestones) - hit},
            {"label": "Ranking changes", "value": feed.get(FeedKind.RANK, 0)},
            {"label": "Change requests raised", "value": sum(requests.values())},
            {"label": "Change requests approved", "value": requests.get("approved", 0)},
        ],
    }


@section("tools", "Technology register")
def _tools(review: Review, start: date, end: date) -> dict[str, Any] | None:
    from collab.projects.tools import selectors as tool_selectors

    today = timezone.localdate()
    data = tool_selectors.tool_figures(start, end, today=today)
    renewals = tool_selectors.renewals_coming(today, limit=10)
    if data["empty"]:
        return {"empty": "The technology register is empty: no tools, requests or renewals to report."}
    pct, days = data["on_time_pct"], data["median_days_to_decision"]
    return {
        "figures": [
            {"label": "Tools in the register", "value": data["tools"]},
            {"label": "Shadow tools found this quarter", "value": data["shadow_found"]},
            {"label": "Tool requests answered on time", "value": "–" if pct is None else f"{pct}%"},
            {"label": "Median days to a decision", "value": "–" if days is None else days},
            {"label": "Tools retired", "value": data["retired"]},
            {"label": "Renewals in the next 90 days", "value": data["renewals"]},
        ],
        "table": {
            "columns": ["Renewal coming", "Date", "Annual cost"],
            "rows": [
                [t.name, t.renewal_date.isoformat() if t.renewal_date else "", f"€{t.annual_cost:,.0f}"]
                for t in renewals
            ],
        },  # fmt: skip
    }


@section("goals", "Days lost to snags per shared goal")
def _goals(review: Review, start: date, end: date) -> dict[str, Any] | None:
    from collab.projects.models import Goal
    from parkinglot import selectors as snag_selectors

    lost = snag_selectors.days_lost_by_goal(start=start, end=end)
    if not lost:
        return {"empty": "No snag logged this quarter was tied to a shared goal."}
    titles = dict(Goal.objects.filter(pk__in=lost).values_list("pk", "title"))
    rows = sorted(((titles.get(g, "?"), v["snags"], f"{v['days']:.1f}") for g, v in lost.items()), key=lambda r: r[0])
    return {"table": {"columns": ["Goal", "Snags", "Days lost"], "rows": [list(r) for r in rows]}}


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


def for_display(review: Review, user: Any = None) -> tuple[dict[str, Any], bool]:
    """The frozen snapshot once the agenda is locked, otherwise the live figures; shown to ``user``, the lines
    naming a snag they may not open are left out and the snag figures say how many they cannot open
    (``user=None``: the whole facts, for code that shows them to nobody)."""
    snapshot = getattr(review, "snapshot", None) if review.is_locked else None
    if snapshot is not None:
        data, frozen = snapshot.data, True
    else:
        # live figures read every app: computed at most once a minute per review (the same for everyone;
        # what each viewer may see is taken out below, never cached)
        key = f"reviews:facts:{review.pk}:{review.version}"
        data, frozen = cached(key, LIVE_FACTS_SECONDS, lambda: compute(review)), False
    return (data if user is None else _for_viewer(review, data, user)), frozen


def _for_viewer(review: Review, data: dict[str, Any], user: Any) -> dict[str, Any]:
    """A copy of the facts without the list lines and table rows that name a snag ``user`` may not open (one
    query for them all), and with the snag section saying how many of its snags they cannot open."""
    from parkinglot import selectors as snag_selectors

    sections = [dict(s, data=dict(s.get("data") or {})) for s in data.get("sections", [])]
    lines: list[str] = []
    for s in sections:
        lines += [str(line) for line in s["data"].get("list") or []]
        lines += [" ".join(map(str, row)) for row in (s["data"].get("table") or {}).get("rows") or []]
    hidden = dict(zip(lines, snag_selectors.hidden_in(user, lines), strict=True))
    for s in sections:
        d = s["data"]
        if d.get("list"):
            kept = [line for line in d["list"] if not hidden.get(str(line))]
            if len(kept) < len(d["list"]):
                left_out = len(d["list"]) - len(kept)
                kept.append(f"{left_out} more line{'s' if left_out != 1 else ''} about snags you cannot open.")
            d["list"] = kept
        if (d.get("table") or {}).get("rows"):
            rows = d["table"]["rows"]
            d["table"] = dict(d["table"], rows=[r for r in rows if not hidden.get(" ".join(map(str, r)))])
        if s.get("key") == "snags" and "figures" in d:
            start, end = review.period
            n = snag_selectors.hidden_logged_between(user, start, end)
            if n:  # a figure, so the page, the print view, the PDF and the Markdown all say it
                d["figures"] = [*d["figures"], {"label": "Included above: snags you cannot open", "value": n}]
    return dict(data, sections=sections)


@section("pulse", "Relationship pulse")
def _pulse(review: Review, start: date, end: date) -> dict[str, Any] | None:
    from reviews import pulse

    found = getattr(review, "pulse", None)
    if found is None:
        return {"empty": "No pulse was run for this quarter."}
    data = pulse.results(found)
    if data["open"]:
        return {"empty": f"The pulse is open until {data['results_at']:%d %b %Y}; its results appear when it closes."}
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
