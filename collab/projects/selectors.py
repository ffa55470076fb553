"""Reads of the joint projects, for their pages and for other apps (the dashboard, reviews, snags).

Contracts other apps use: ``ranking()``, ``ranking_version()``, ``change_feed(limit)``, ``projects_for_select()``.
Each runs a fixed number of queries however many projects there are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum, Window
from django.utils import timezone

from collab.accounts import permissions as perm
from collab.accounts.models import Department, User
from collab.lib import hooks, search
from collab.projects.models import (
    ACTIVE_STATUSES,
    ChangeRequest,
    ChangeRequestStatus,
    FeedEntry,
    Goal,
    Milestone,
    Project,
    ProjectDepartment,
    RankChange,
    RankingRevision,
    RequirementsVersion,
    SignOff,
    SignOffDecision,
)


@dataclass
class SignOffStatus:
    version: int | None
    signed: int
    total: int
    missing: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.version is not None and self.signed == self.total and self.total > 0

    @property
    def label(self) -> str:
        if self.version is None:
            return "No requirements yet"
        return f"v{self.version}: {self.signed} of {self.total} signed"


@dataclass
class RankingRow:
    project: Project
    rank: int
    marketing_sponsor: User
    it_sponsor: User
    signoff: SignOffStatus
    next_milestone: Milestone | None
    health: str
    health_display: str
    health_note: str
    vacancies: list[str]

    @property
    def vacancy(self) -> bool:
        return bool(self.vacancies)


def _with_people(qs: QuerySet[Project]) -> QuerySet[Project]:
    return qs.select_related("marketing_sponsor", "it_sponsor", "goal").prefetch_related(
        Prefetch("departments", queryset=ProjectDepartment.objects.order_by("department"), to_attr="department_list"),
        Prefetch(
            "requirement_versions",
            queryset=RequirementsVersion.objects.defer("text")
            .order_by("-number")
            .prefetch_related(Prefetch("signoffs", queryset=SignOff.objects.order_by("department"), to_attr="answers")),
            to_attr="versions_newest_first",
        ),
        Prefetch(
            "milestones",
            queryset=Milestone.objects.filter(done_on__isnull=True).order_by("due_date", "id"),
            to_attr="open_milestones",
        ),
    )


def departments_of(project: Project) -> list[str]:
    """The departments that sign a project off: prefetched (``_with_people``) when present, even when there are
    none, else from the database."""
    rows = getattr(project, "department_list", None)
    if rows is None:
        rows = project.departments.order_by("department")
    return [pd.department for pd in rows]


def signoff_status(project: Project) -> SignOffStatus:
    """From prefetched data (``_with_people``) when present, else from the database."""
    departments = departments_of(project)
    versions = getattr(project, "versions_newest_first", None)
    if versions is None:
        versions = list(project.requirement_versions.order_by("-number")[:1])
    current = versions[0] if versions else None
    if current is None:
        return SignOffStatus(None, 0, len(departments), [Department(d).label for d in departments])
    answers = getattr(current, "answers", None)
    if answers is None:
        answers = list(current.signoffs.all())
    approved = {s.department for s in answers if s.decision == SignOffDecision.APPROVED}
    rejected = [Department(s.department).label for s in answers if s.decision == SignOffDecision.REJECTED]
    return SignOffStatus(
        current.number,
        sum(1 for d in departments if d in approved),
        len(departments),
        [Department(d).label for d in departments if d not in approved],
        rejected,
    )


def next_milestone(project: Project) -> Milestone | None:
    open_ms = getattr(project, "open_milestones", None)
    if open_ms is None:
        return project.milestones.filter(done_on__isnull=True).order_by("due_date", "id").first()
    return open_ms[0] if open_ms else None


VACANT = Q(marketing_sponsor__is_active=False) | Q(it_sponsor__is_active=False)


def ranking(limit: int | None = None, offset: int = 0) -> list[RankingRow]:
    """The forced ranking of active projects, best first (the top ``limit`` if given), with what the dashboard
    shows beside each. Each row's project carries ``vacancies_total``: how many active projects lack a sponsor
    (a window over all of them, so the top ten still know about the rest)."""
    qs = Project.objects.active().ranked().annotate(vacancies_total=Window(Count("id", filter=VACANT)))
    projects = _with_people(qs[offset : offset + limit] if limit else qs[offset:])
    return [
        RankingRow(
            project=p,
            rank=p.rank or 0,
            marketing_sponsor=p.marketing_sponsor,
            it_sponsor=p.it_sponsor,
            signoff=signoff_status(p),
            next_milestone=next_milestone(p),
            health=p.health,
            health_display=p.get_health_display(),
            health_note=p.health_note,
            vacancies=p.sponsor_vacancies,
        )
        for p in projects
    ]


def ranked_ids() -> list[int]:
    """The active projects' ids in rank order (one light query)."""
    return list(Project.objects.active().ranked().values_list("pk", flat=True))


def ranking_version() -> int:
    return RankingRevision.objects.order_by("-number").values_list("number", flat=True).first() or 0


def ranking_history(limit: int = 20) -> list[RankingRevision]:
    return list(
        RankingRevision.objects.select_related("by")
        .prefetch_related(
            Prefetch("changes", queryset=RankChange.objects.select_related("project").order_by("new_rank", "id"))
        )
        .order_by("-number")[:limit]
    )


@dataclass(frozen=True)
class FeedItem:
    at: datetime
    who: str
    kind: str
    kind_display: str
    text: str
    reason: str
    link: str
    project_id: int | None


def change_feed(limit: int = 10, kind: str | None = None, before: datetime | None = None) -> list[FeedItem]:
    """The newest lines of the public change feed: rank moves, status changes, slipped milestones and approved
    scope changes. One query."""
    qs = FeedEntry.objects.select_related("by").order_by("-at", "-id")
    if kind:
        qs = qs.filter(kind=kind)
    if before is not None:
        qs = qs.filter(at__lt=before)
    return [
        FeedItem(
            at=e.at,
            who=e.by.display_name if e.by else "Collab",
            kind=e.kind,
            kind_display=e.get_kind_display(),
            text=e.text,
            reason=e.reason,
            link=e.link,
            project_id=e.project_id,
        )
        for e in qs[:limit]
    ]


def project_with_people(pk: int) -> Project | None:
    """One project with its sponsors, departments, sign-offs and open milestones (a fixed number of queries)."""
    return _with_people(Project.objects.filter(pk=pk)).first()


def projects_for_select() -> QuerySet[Project]:
    """Every project, by name, light enough for a <select> (id, name, status)."""
    return Project.objects.only("id", "name", "status").order_by("name")


def project_list(
    *,
    status: str = "",
    sponsor: int | None = None,
    department: str = "",
    health: str = "",
) -> QuerySet[Project]:
    # ranked projects first in rank order, then the rest by name
    qs = _with_people(Project.objects.all()).order_by(F("rank").asc(nulls_last=True), "name")
    if status == "active":
        qs = qs.filter(status__in=ACTIVE_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if sponsor:
        qs = qs.filter(Q(marketing_sponsor_id=sponsor) | Q(it_sponsor_id=sponsor))
    if department:
        qs = qs.filter(departments__department=department)
    if health:
        qs = qs.filter(health=health)
    return qs.distinct()


def scope_creep(project: Project) -> dict[str, Any]:
    """Approved change requests and what they added since the project was approved."""
    approved = project.change_requests.filter(status=ChangeRequestStatus.APPROVED)
    if project.approved_at:
        approved = approved.filter(decided_at__gte=project.approved_at)
    totals = approved.aggregate(
        n=Count("id"), effort=Sum("effort_days", default=0), days=Sum("date_effect_days", default=0)
    )
    return {"count": totals["n"], "effort_days": totals["effort"], "date_days": totals["days"]}


def change_requests(project: Project) -> list[ChangeRequest]:
    return list(project.change_requests.select_related("raised_by").order_by("-created_at", "-id"))


@dataclass
class MatrixRow:
    department: str
    label: str
    cells: list[SignOff | None]


def signoff_matrix(project: Project) -> tuple[list[Any], list[MatrixRow]]:
    """Department × version: who signed (or rejected) which version, newest version first."""
    versions = list(
        project.requirement_versions.select_related("created_by")
        .prefetch_related(Prefetch("signoffs", queryset=SignOff.objects.select_related("by"), to_attr="answers"))
        .order_by("-number")
    )
    departments = list(project.departments.order_by("department").values_list("department", flat=True))
    rows = []
    for d in departments:
        cells = [next((s for s in v.answers if s.department == d), None) for v in versions]
        rows.append(MatrixRow(d, Department(d).label, cells))
    return versions, rows


# --- goals ---------------------------------------------------------------------------------
def goal_milestones(goal: Goal) -> list[Milestone]:
    return list(
        Milestone.objects.filter(Q(goal=goal) | Q(project__goal=goal))
        .select_related("owner", "project")
        .order_by("due_date", "id")
    )


def progress(milestones: list[Milestone]) -> dict[str, Any]:
    total = len(milestones)
    done = sum(1 for m in milestones if m.done_on)
    today = timezone.localdate()
    overdue = sum(1 for m in milestones if not m.done_on and m.due_date < today)
    return {
        "done": done,
        "total": total,
        "percent": round(100 * done / total) if total else 0,
        "overdue": overdue,
    }


def goal_list() -> list[tuple[Any, dict[str, Any]]]:
    goals = list(
        Goal.objects.select_related("marketing_owner", "it_owner")
        .annotate(n_projects=Count("projects", distinct=True))
        .order_by("target_date", "title")
    )
    milestones = list(
        Milestone.objects.filter(Q(goal__in=goals) | Q(project__goal__in=goals)).values(
            "goal_id", "project__goal_id", "done_on", "due_date"
        )
    )
    today = timezone.localdate()
    out: list[tuple[Any, dict[str, Any]]] = []
    for g in goals:
        mine = [m for m in milestones if g.pk in (m["goal_id"], m["project__goal_id"])]
        done = sum(1 for m in mine if m["done_on"])
        out.append(
            (
                g,
                {
                    "done": done,
                    "total": len(mine),
                    "percent": round(100 * done / len(mine)) if mine else 0,
                    "overdue": sum(1 for m in mine if not m["done_on"] and m["due_date"] < today),
                },
            )
        )
    return out


def goal_detours(goal: Goal, user: Any) -> dict[str, Any] | None:
    """Snags that detoured the goal and the days lost they add up to, from the parking lot (if installed): the
    list holds only the snags ``user`` may open, the figures every snag (``hidden`` = how many are left out)."""
    result: dict[str, Any] | None = hooks.first("goals.detours", goal.pk, user, default=None)
    return result


def milestone_is_late(m: Milestone, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return m.done_on is None and m.due_date < today


# --- search (registered with collab.lib.search in apps.py) ---------------------------------
PROJECT_SEARCH = search.Columns(
    vector="projects_project.search_vector",
    title_sql="projects_project.name",
    title="name",
    body=("summary", "health_note"),
    tiebreak=("-updated_at", "-id"),
)
GOAL_SEARCH = search.Columns(
    vector="projects_goal.search_vector",
    title_sql="projects_goal.title",
    title="title",
    body=("description",),
    tiebreak=("-updated_at", "-id"),
)


def search_projects(user: Any, query: search.Query, limit: int) -> list[search.Hit]:
    """Joint projects: every signed-in employee may open every project, as on the project pages."""
    if not perm.can_view_app(user):
        return []
    found, partial = search.matches(Project.objects.select_related("goal"), PROJECT_SEARCH, query, limit)
    return [
        search.hit(
            p,
            query,
            partial,
            kind="project",
            title=p.name,
            url=p.get_absolute_url(),
            snippet=search.snippet(query, p.summary, p.health_note),
            status=p.get_status_display(),
            date=p.updated_at,
            context=p.goal.title if p.goal else "",
        )
        for p in found
    ]


def search_goals(user: Any, query: search.Query, limit: int) -> list[search.Hit]:
    if not perm.can_view_app(user):
        return []
    found, partial = search.matches(Goal.objects.all(), GOAL_SEARCH, query, limit)
    return [
        search.hit(
            g,
            query,
            partial,
            kind="goal",
            title=g.title,
            url=g.get_absolute_url(),
            snippet=search.snippet(query, g.description),
            status="Shared goal",
            date=g.target_date,
        )
        for g in found
    ]
