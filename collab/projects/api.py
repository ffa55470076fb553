"""Joint projects and the forced ranking over the REST API (read only), through the projects' selectors."""

from __future__ import annotations

import enum
from datetime import date, datetime

from django.http import Http404, HttpRequest
from ninja import Field, Path, Query, Router, Schema

from collab.accounts.api_auth import MAX_ID, PersonOut, errors, person
from collab.accounts.models import Department
from collab.lib.pagination import page_of
from collab.projects import selectors
from collab.projects.models import Health, Project, ProjectStatus

router = Router(tags=["projects"])

ProjectStatusFilter = enum.StrEnum(  # type: ignore[misc]
    "ProjectStatusFilter", {"active": "active", **{s.value: s.value for s in ProjectStatus}}
)


class MilestoneOut(Schema):
    id: int
    title: str
    due_date: date


class ProjectOut(Schema):
    id: int
    name: str
    summary: str
    status: ProjectStatus
    health: Health
    health_note: str
    rank: int | None
    goal_id: int | None
    marketing_sponsor: PersonOut
    it_sponsor: PersonOut
    departments: list[Department]
    signoff: str = Field(..., description="Where the sign-off of the current requirements stands.")
    next_milestone: MilestoneOut | None
    approved_at: datetime | None
    version: int
    url: str


class ProjectPage(Schema):
    count: int
    page: int
    pages: int
    items: list[ProjectOut]


class ProjectFilterIn(Schema):
    status: ProjectStatusFilter | None = Field(None, description="'active' or one status")
    health: Health | None = None
    department: Department | None = None
    sponsor: int | None = Field(None, ge=1, le=MAX_ID, description="A sponsor's user id.")
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(25, ge=1, le=100)


class RankingRowOut(Schema):
    rank: int
    project: ProjectOut
    vacancies: list[str]


class RankingOut(Schema):
    version: int = Field(..., description="The ranking's revision; it goes up with every reorder.")
    rows: list[RankingRowOut]


def project_out(p: Project, row: selectors.RankingRow | None = None) -> ProjectOut:
    """A project for the API; from a ranking row, its sign-off and next milestone are already worked out."""
    milestone = row.next_milestone if row else selectors.next_milestone(p)
    return ProjectOut(
        id=p.pk,
        name=p.name,
        summary=p.summary,
        status=ProjectStatus(p.status),
        health=Health(p.health),
        health_note=p.health_note,
        rank=p.rank,
        goal_id=p.goal_id,
        marketing_sponsor=person(p.marketing_sponsor),
        it_sponsor=person(p.it_sponsor),
        departments=[Department(d) for d in selectors.departments_of(p)],
        signoff=(row.signoff if row else selectors.signoff_status(p)).label,
        next_milestone=MilestoneOut(id=milestone.pk, title=milestone.title, due_date=milestone.due_date)
        if milestone
        else None,
        approved_at=p.approved_at,
        version=p.version,
        url=p.get_absolute_url(),
    )


@router.get("/projects", response={200: ProjectPage, **errors(422)}, summary="List joint projects")
def list_projects(request: HttpRequest, filters: Query[ProjectFilterIn]) -> ProjectPage:
    qs = selectors.project_list(
        status=filters.status.value if filters.status else "",
        sponsor=filters.sponsor,
        department=filters.department.value if filters.department else "",
        health=filters.health.value if filters.health else "",
    )
    return ProjectPage(**page_of(qs, page=filters.page, page_size=filters.page_size, item=project_out))


@router.get("/projects/{int:pk}", response={200: ProjectOut, **errors(404, 422)}, summary="One joint project")
def get_project(request: HttpRequest, pk: int = Path(..., ge=1, le=MAX_ID)) -> ProjectOut:
    found = selectors.project_with_people(pk)
    if found is None:
        raise Http404("No such project.")
    return project_out(found)


@router.get("/ranking", response={200: RankingOut, **errors()}, summary="The forced ranking of active projects")
def get_ranking(request: HttpRequest) -> RankingOut:
    rows = selectors.ranking()
    return RankingOut(
        version=selectors.ranking_version(),
        rows=[RankingRowOut(rank=r.rank, project=project_out(r.project, r), vacancies=r.vacancies) for r in rows],
    )
