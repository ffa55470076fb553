"""Reads of the technology register: the filtered register with its totals, silos and overlaps, the integration
picture (laid out here, drawn as SVG by the template), the requests, and the figures for the dashboard and the QBR."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from statistics import median
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Prefetch, Q, QuerySet, Sum, prefetch_related_objects
from django.http import QueryDict
from django.utils import timezone

from collab.accounts import permissions as perm
from collab.accounts.models import Department
from collab.lib import search
from collab.lib.time import start_of_day
from collab.projects.models import Project
from collab.projects.tools.models import (
    IN_USE,
    NOT_RETIRED,
    Adoption,
    Tool,
    ToolCategory,
    ToolIntegration,
    ToolRequest,
    ToolStatus,
    renewing,
)

STATUS_ORDER = [s.value for s in ToolStatus]
DEPARTMENT_ORDER = [d.value for d in Department]


# --- the register --------------------------------------------------------------------------
@dataclass
class ToolFilter:
    status: str = ""
    department: str = ""
    category: str = ""
    shadow: bool = False
    silo: bool = False
    q: str = ""
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_query(cls, params: QueryDict) -> ToolFilter:
        flt = cls(q=(params.get("q") or "").strip()[:100], shadow=params.get("shadow") == "1",
                  silo=params.get("silo") == "1")  # fmt: skip
        for name, choices in (
            ("status", ToolStatus.values),
            ("department", Department.values),
            ("category", ToolCategory.values),
        ):
            value = params.get(name) or ""
            if value and value not in choices:
                flt.errors.append(f"Unknown {name} “{value[:40]}”: showing every {name}.")
                value = ""
            setattr(flt, name, value)
        return flt

    def query(self) -> str:
        params = {k: getattr(self, k) for k in ("status", "department", "category", "q") if getattr(self, k)}
        if self.shadow:
            params["shadow"] = "1"
        if self.silo:
            params["silo"] = "1"
        return urlencode(params)

    @property
    def active(self) -> bool:
        return bool(self.query())


def tool_queryset(flt: ToolFilter) -> QuerySet[Tool]:
    qs = Tool.objects.with_integration_flags().select_related("business_owner", "it_contact")
    if flt.status:
        qs = qs.filter(status=flt.status)
    if flt.department:
        qs = qs.filter(department=flt.department)
    if flt.category:
        qs = qs.filter(category=flt.category)
    if flt.shadow:
        qs = qs.filter(adoption=Adoption.SHADOW)
    if flt.q:
        qs = qs.filter(Q(name__icontains=flt.q) | Q(vendor__icontains=flt.q))
    if flt.silo:
        qs = qs.filter(holds_customer_data=True, integrated=False).exclude(status=ToolStatus.RETIRED)  # type: ignore[misc]
    return qs.order_by("name", "id")


def totals(tools: list[Tool], today: date) -> dict[str, Any]:
    """Tools, shadow tools, annual cost and renewals in the next 90 days, over the tools not retired."""
    live = [t for t in tools if t.status in NOT_RETIRED]
    return {
        "tools": len(live),
        "shadow": sum(1 for t in live if t.is_shadow),
        "annual_cost": sum((t.annual_cost for t in live), Decimal(0)),
        "renewals": sum(1 for t in live if t.renews_soon(today)),
        "silos": sum(1 for t in live if t.is_silo),
        "retired": len(tools) - len(live),
    }


def grouped(tools: list[Tool]) -> list[dict[str, Any]]:
    """[{status, label, count, cost, departments: [{department, label, tools}]}] in lifecycle order."""
    by: dict[str, dict[str, list[Tool]]] = defaultdict(lambda: defaultdict(list))
    for tool in tools:
        by[tool.status][tool.department].append(tool)
    out = []
    for status in STATUS_ORDER:
        if status not in by:
            continue
        departments: list[dict[str, Any]] = [
            {"department": d, "label": Department(d).label, "tools": by[status][d]}
            for d in DEPARTMENT_ORDER
            if d in by[status]
        ]
        rows = [t for d in departments for t in d["tools"]]
        out.append(
            {
                "status": status,
                "label": ToolStatus(status).label,
                "count": len(rows),
                "cost": sum((t.annual_cost for t in rows), Decimal(0)),
                "departments": departments,
            }
        )
    return out


def overlaps(tools: list[Tool]) -> list[dict[str, Any]]:
    """Categories where two or more tools in use do the same job: candidates to consolidate."""
    by: dict[str, list[Tool]] = defaultdict(list)
    for tool in tools:
        if tool.status in IN_USE and tool.category != ToolCategory.OTHER:
            by[tool.category].append(tool)
    return [
        {"category": c, "label": ToolCategory(c).label, "tools": by[c], "cost": sum((t.annual_cost for t in by[c]), Decimal(0))}
        for c in sorted(by, key=lambda c: (-len(by[c]), c))
        if len(by[c]) > 1
    ]  # fmt: skip


def overlap_candidates(category: str, exclude_pk: int | None = None) -> list[Tool]:
    """Tools in use in a category (for a tool's page and a request's evaluation)."""
    if not category or category == ToolCategory.OTHER:
        return []
    qs = Tool.objects.filter(category=category, status__in=IN_USE).only("pk", "name", "status", "category")
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return list(qs.order_by("name"))


def register(flt: ToolFilter, today: date) -> dict[str, Any]:
    tools = list(tool_queryset(flt))
    ids = {t.pk for t in tools}
    # the flows between the tools shown: both ends in the list
    edges = list(
        ToolIntegration.objects.filter(source_id__in=ids, target_id__in=ids).only(
            "source_id", "target_id", "direction", "method"
        )
    )
    return {
        "tools": tools,
        "groups": grouped(tools),
        "totals": totals(tools, today),
        "overlaps": overlaps(tools),
        "silos": [t for t in tools if t.is_silo],
        "renewals": sorted((t for t in tools if t.renews_soon(today)), key=lambda t: (t.renewal_date, t.name)),
        "retirement": sorted(
            (t for t in tools if t.status == ToolStatus.TO_RETIRE), key=lambda t: (t.retire_by or today, t.name)
        ),
        "network": network(
            sorted((t for t in tools if t.status in NOT_RETIRED), key=lambda t: (t.category, t.name)), edges
        ),
    }


def retirement_details(tools: list[Tool]) -> None:
    """Load the replacement and projects of tools to retire (two queries whatever their number), read as
    ``tool.replacement`` and ``tool.retirement_projects.all``."""
    prefetch_related_objects(
        tools, "replacement", Prefetch("retirement_projects", queryset=Project.objects.order_by("name", "pk"))
    )


# --- the integration picture ---------------------------------------------------------------
NODE_R = 7


def _shorten(x1: float, y1: float, x2: float, y2: float, by: float) -> tuple[float, float, float, float]:
    length = math.hypot(x2 - x1, y2 - y1) or 1.0
    dx, dy = (x2 - x1) / length * by, (y2 - y1) / length * by
    return x1 + dx, y1 + dy, x2 - dx, y2 - dy


def network(tools: list[Tool], edges: list[ToolIntegration], focus: Tool | None = None) -> dict[str, Any]:
    """Positions for a small network diagram: the tools on a circle (the focus tool, if any, in the middle),
    lines with arrows for the data flows. Drawn server side as SVG by ``tools/_network.svg``."""
    others = [t for t in tools if focus is None or t.pk != focus.pk]
    n = len(others)
    if focus is not None:
        radius = 130.0 if n > 1 else 110.0
        width, height = 640, 360
    else:
        radius = max(150.0, min(330.0, 22.0 * n))
        width = height = int(2 * radius + 280)
    cx, cy = width / 2, height / 2
    pos: dict[int, tuple[float, float]] = {}
    nodes = []
    for i, tool in enumerate(others):
        angle = -math.pi / 2 + 2 * math.pi * i / max(n, 1)
        x, y = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
        pos[tool.pk] = (x, y)
        anchor = "start" if math.cos(angle) > 0.05 else ("end" if math.cos(angle) < -0.05 else "middle")
        lx = x + (12 if anchor == "start" else -12 if anchor == "end" else 0)
        ly = y + (4 if anchor != "middle" else (-12 if math.sin(angle) < 0 else 20))
        nodes.append(_node(tool, x, y, lx, ly, anchor))
    if focus is not None:
        pos[focus.pk] = (cx, cy)
        nodes.append(_node(focus, cx, cy, cx, cy + 26, "middle", is_focus=True))
    names = {t.pk: t.name for t in tools}
    lines = []
    for e in edges:
        if e.source_id not in pos or e.target_id not in pos:
            continue
        (x1, y1), (x2, y2) = pos[e.source_id], pos[e.target_id]
        x1, y1, x2, y2 = _shorten(x1, y1, x2, y2, NODE_R + 4)
        lines.append({"x1": round(x1, 1), "y1": round(y1, 1), "x2": round(x2, 1), "y2": round(y2, 1),
                      "both": e.direction == "both_ways", "method": e.method, "source": names.get(e.source_id, ""),
                      "target": names.get(e.target_id, ""), "method_label": e.get_method_display()})  # fmt: skip
    return {"nodes": nodes, "edges": lines, "width": width, "height": height, "count": len(nodes)}


def _node(tool: Tool, x: float, y: float, lx: float, ly: float, anchor: str, is_focus: bool = False) -> dict[str, Any]:
    silo = tool.is_silo if hasattr(tool, "integrated") else False
    return {
        "pk": tool.pk, "name": tool.name, "x": round(x, 1), "y": round(y, 1), "lx": round(lx, 1), "ly": round(ly, 1),
        "anchor": anchor, "shadow": tool.is_shadow, "silo": silo, "focus": is_focus,
        "retiring": tool.status == ToolStatus.TO_RETIRE, "url": tool.get_absolute_url(),
    }  # fmt: skip


# --- one tool ------------------------------------------------------------------------------
def tool_detail(pk: int) -> Tool | None:
    return Tool.objects.with_integration_flags().select_related("business_owner", "it_contact").filter(pk=pk).first()


def integrations_of(tool: Tool) -> list[dict[str, Any]]:
    """The tool's integrations as rows: the other tool, which way the data flows, how."""
    rows = []
    qs = ToolIntegration.objects.filter(Q(source=tool) | Q(target=tool)).select_related("source", "target")
    for e in qs.order_by("id"):
        outgoing = e.source_id == tool.pk
        other = e.target if outgoing else e.source
        if e.direction == "both_ways":
            flow = "Both ways"
        else:
            flow = "Sends to" if outgoing else "Receives from"
        rows.append({"integration": e, "other": other, "flow": flow, "method": e.get_method_display(),
                     "note": e.note})  # fmt: skip
    return rows


def tool_network(tool: Tool, rows: list[dict[str, Any]]) -> dict[str, Any]:
    return network([tool] + [r["other"] for r in rows], [r["integration"] for r in rows], focus=tool)


# --- requests ------------------------------------------------------------------------------
REQUEST_FILTERS = {"open": "Open", "overdue": "Past the deadline", "decided": "Decided", "all": "All"}


def request_list(which: str, now: datetime) -> QuerySet[ToolRequest]:
    qs = ToolRequest.objects.select_related("requested_by", "decided_by").defer(
        "need", "security_review", "cost_review"
    )
    if which == "open":
        qs = qs.open().order_by("answer_by", "id")
    elif which == "overdue":
        qs = qs.overdue(now).order_by("answer_by", "id")
    elif which == "decided":
        qs = qs.decided().order_by("-decided_at", "-id")
    return qs


# --- figures for the dashboard and the QBR -------------------------------------------------
def tool_figures(start: date, end: date, today: date | None = None) -> dict[str, Any]:
    """Between ``start`` and ``end`` (inclusive): shadow tools found, requests answered on time (of those whose
    deadline fell in the period and has passed, or that were answered), median days to a decision, tools
    retired; the tools not retired; and the renewals coming in the 90 days from ``today``. Two queries."""
    today = today or timezone.localdate()
    since, until = start_of_day(start), start_of_day(end + timedelta(days=1))
    counts = Tool.objects.aggregate(
        shadow_found=Count("pk", filter=Q(adoption=Adoption.SHADOW, created_at__gte=since, created_at__lt=until)),
        retired=Count("pk", filter=Q(status=ToolStatus.RETIRED, retired_at__gte=since, retired_at__lt=until)),
        renewals=Count("pk", filter=renewing(today)),
        renewal_cost=Sum("annual_cost", filter=renewing(today)),
        shadow_total=Count("pk", filter=Q(adoption=Adoption.SHADOW, status__in=NOT_RETIRED)),
        tools=Count("pk", filter=Q(status__in=NOT_RETIRED)),
    )
    now = timezone.now()
    rows = list(
        ToolRequest.objects.filter(
            Q(answer_by__gte=since, answer_by__lt=until) | Q(decided_at__gte=since, decided_at__lt=until)
        ).values_list("created_at", "answer_by", "decided_at")
    )
    due = [r for r in rows if since <= r[1] < until and (r[2] is not None or r[1] <= now)]
    on_time = sum(1 for _c, deadline, decided in due if decided is not None and decided <= deadline)
    days = [(decided - created).total_seconds() / 86400 for created, _a, decided in rows
            if decided is not None and since <= decided < until]  # fmt: skip
    figures = {
        "tools": counts["tools"],
        "shadow_found": counts["shadow_found"],
        "shadow_total": counts["shadow_total"],
        "requests_due": len(due),
        "answered_on_time": on_time,
        "on_time_pct": round(100 * on_time / len(due)) if due else None,
        "decided": len(days),
        "median_days_to_decision": round(median(days), 1) if days else None,
        "retired": counts["retired"],
        "renewals": counts["renewals"],
        "renewal_cost": counts["renewal_cost"] or Decimal(0),
    }
    # nothing in the register to report (the dashboard panel and the QBR section then say so): no tool in use or
    # planned, and no request, retirement or renewal in the period
    figures["empty"] = not any(
        figures[k] for k in ("tools", "shadow_total", "requests_due", "decided", "retired", "renewals")
    )
    return figures


def renewals_coming(today: date, limit: int = 5) -> list[Tool]:
    return list(
        Tool.objects.renewing(today)
        .only("pk", "name", "renewal_date", "annual_cost")
        .order_by("renewal_date", "name")[:limit]
    )


# --- search (registered with collab.lib.search in collab/projects/apps.py) ------------------------------------
TOOL_SEARCH = search.Columns(
    vector="projects_tool.search_vector",
    title_sql="projects_tool.name",
    title="name",
    body=("vendor", "notes", "rating_note"),
    tiebreak=("-updated_at", "-id"),
)
TOOL_REQUEST_SEARCH = search.Columns(
    vector="projects_toolrequest.search_vector",
    title_sql="projects_toolrequest.title",
    title="title",
    body=("need", "data_involved", "reason"),
    tiebreak=("-created_at", "-id"),
)


def search_tools(user: Any, query: search.Query, limit: int) -> list[search.Hit]:
    """The register is open to every signed-in employee, as its pages are."""
    if not perm.can_view_app(user):
        return []
    found, partial = search.matches(Tool.objects.all(), TOOL_SEARCH, query, limit)
    return [
        search.hit(
            t,
            query,
            partial,
            kind="tool",
            title=t.name,
            url=t.get_absolute_url(),
            snippet=search.snippet(query, t.vendor, t.notes, t.rating_note),
            status=t.get_status_display() + (" · found outside IT" if t.adoption == Adoption.SHADOW else ""),
            date=t.updated_at,
            context=t.get_department_display(),
        )
        for t in found
    ]


def search_tool_requests(user: Any, query: search.Query, limit: int) -> list[search.Hit]:
    if not perm.can_view_app(user):
        return []
    found, partial = search.matches(ToolRequest.objects.all(), TOOL_REQUEST_SEARCH, query, limit)
    return [
        search.hit(
            r,
            query,
            partial,
            kind="tool_request",
            title=r.title,
            url=r.get_absolute_url(),
            snippet=search.snippet(query, r.need, r.data_involved, r.reason),
            status=r.get_decision_display() or "Waiting for IT",
            date=r.created_at,
            context=r.get_department_display(),
        )
        for r in found
    ]
