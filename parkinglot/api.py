"""The parking lot over the REST API: the same filters as the /snags/ page (``selectors.SnagFilter``), and the same
services and permissions for logging, commenting and moving a snag. A snag the token's user cannot see is a 404."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from collab.accounts.api_auth import MAX_ID, ErrorOut, PersonOut, Text, errors, maybe_person, person, user_of
from collab.accounts.models import Department
from collab.lib.pagination import page_of
from collab.projects.models import Project
from parkinglot import selectors, services
from parkinglot.models import Comment, Impact, ParkedFor, Snag, SnagStatus

router = Router(tags=["snags"])
CODE = Path(..., min_length=1, max_length=40, description="A snag code such as SNAG-1001.")

StatusFilter = enum.StrEnum("StatusFilter", {key: key for key in selectors.STATUS_FILTERS})  # type: ignore[misc]
SortOrder = enum.StrEnum("SortOrder", {key: key for key in selectors.SORT_LABELS})  # type: ignore[misc]


class SnagOut(Schema):
    code: str
    title: str
    status: SnagStatus
    impact: Impact
    department: Department
    raised_by: PersonOut
    owner: PersonOut | None
    project_id: int | None
    created_at: datetime
    respond_by: datetime
    first_answered_at: datetime | None
    resolved_at: datetime | None
    escalation_level: int
    parked_for: str
    me_too_count: int
    days_lost: float
    version: int
    url: str


class CommentOut(Schema):
    id: int
    author: PersonOut
    body: str
    is_answer: bool
    created_at: datetime


class SnagDetailOut(SnagOut):
    details: str
    comments: list[CommentOut]
    allowed_moves: list[SnagStatus]


class SnagPage(Schema):
    count: int
    page: int
    pages: int
    items: list[SnagOut]


class SnagFilterIn(Schema):
    """The /snags/ page's filters, typed: an unknown value is a 422 here (the page ignores it with a note)."""

    status: StatusFilter = Field(StatusFilter("open"), description="open, all, escalated or one status")
    impact: Impact | None = None
    department: Department | None = Field(None, description="The raiser's department.")
    owner: int | None = Field(None, ge=1, le=MAX_ID)
    project: int | None = Field(None, ge=1, le=MAX_ID)
    escalated: bool = False
    q: Text = Field("", max_length=200, description="Full-text search, or a snag code such as SNAG-1001.")
    sort: SortOrder | None = Field(None, description="Default: relevance with a search, else newest.")
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(25, ge=1, le=100)

    def to_filter(self) -> selectors.SnagFilter:
        return selectors.SnagFilter.from_query(
            {
                "status": self.status.value,
                "impact": self.impact.value if self.impact else "",
                "department": self.department.value if self.department else "",
                "owner": str(self.owner or ""),
                "project": str(self.project or ""),
                "escalated": "1" if self.escalated else "",
                "q": self.q,
                "sort": self.sort.value if self.sort else "",
            }
        )


class SnagIn(Schema):
    title: Text = Field(..., min_length=1, max_length=200)
    details: Text = Field("", max_length=10_000, description="Markdown.")
    impact: Impact = Impact.MEDIUM
    project_id: int | None = Field(None, ge=1, le=MAX_ID, description="An active project's id.")


class CommentIn(Schema):
    body: Text = Field(..., min_length=1, max_length=10_000, description="Markdown.")


class MoveIn(Schema):
    to: SnagStatus
    note: Text = Field("", max_length=10_000, description="Needed to answer, park or close as won't fix.")
    parked_for: ParkedFor | None = Field(None, description="What a parked snag waits for (default: the next QBR).")
    version: int | None = Field(None, description="The version you read; a stale one is a 409.")


def snag_out(snag: Snag) -> SnagOut:
    return SnagOut(
        code=snag.code,
        title=snag.title,
        status=SnagStatus(snag.status),
        impact=Impact(snag.impact),
        department=Department(snag.raiser_department),
        raised_by=person(snag.raised_by),
        owner=maybe_person(snag.owner),
        project_id=snag.project_id,
        created_at=snag.created_at,
        respond_by=snag.respond_by,
        first_answered_at=snag.first_answered_at,
        resolved_at=snag.resolved_at,
        escalation_level=snag.escalation_level,
        parked_for=snag.parked_for,
        me_too_count=snag.me_too_count,
        days_lost=float(snag.days_lost),
        version=snag.version,
        url=snag.get_absolute_url(),
    )


def comment_out(c: Comment) -> CommentOut:
    return CommentOut(id=c.pk, author=person(c.author), body=c.body, is_answer=c.is_answer, created_at=c.created_at)


def _detail(snag: Snag, user: Any) -> SnagDetailOut:
    return SnagDetailOut(
        **snag_out(snag).model_dump(),
        details=snag.details,
        comments=[comment_out(c) for c in snag.comments.select_related("author")],
        allowed_moves=[SnagStatus(s) for s in services.allowed_moves(snag, user)],
    )


def _visible(request: HttpRequest, code: str) -> Snag:
    snag = selectors.get_visible(user_of(request), code)
    if snag is None:
        raise Http404("No such snag.")
    return snag


@router.get("/snags", response={200: SnagPage, **errors(422)}, summary="List snags (the /snags/ page's filters)")
def list_snags(request: HttpRequest, filters: Query[SnagFilterIn]) -> SnagPage:
    qs = selectors.snag_list(user_of(request), filters.to_filter())
    return SnagPage(**page_of(qs, page=filters.page, page_size=filters.page_size, item=snag_out))


@router.post("/snags", response={201: SnagDetailOut, **errors(403, 422)}, summary="Log a snag")
def create_snag(request: HttpRequest, payload: SnagIn) -> Status[SnagDetailOut]:
    user = user_of(request)
    project = None
    if payload.project_id is not None:
        project = Project.objects.active().filter(pk=payload.project_id).first()  # as the form offers
        if project is None:
            raise ValidationError({"project_id": "Choose an active project; that one does not exist or is closed."})
    snag = services.snag_create(
        raised_by=user, title=payload.title, details=payload.details, impact=payload.impact, project=project
    )
    return Status(201, _detail(_visible(request, snag.code), user))


@router.get("/snags/{code}", response={200: SnagDetailOut, **errors(404, 422)}, summary="One snag, with its comments")
def get_snag(request: HttpRequest, code: str = CODE) -> SnagDetailOut:
    return _detail(_visible(request, code), user_of(request))


@router.post("/snags/{code}/comments", response={201: CommentOut, **errors(403, 404, 422)}, summary="Comment on a snag")
def comment_snag(request: HttpRequest, payload: CommentIn, code: str = CODE) -> Status[CommentOut]:
    snag = _visible(request, code)
    comment = services.comment_add(snag=snag, author=user_of(request), body=payload.body)
    return Status(201, comment_out(comment))


@router.post(
    "/snags/{code}/move",
    response={200: SnagDetailOut, 409: ErrorOut, **errors(403, 404, 422)},
    summary="Move a snag along its lifecycle (answer, park, resolve, reopen…)",
)
def move_snag(request: HttpRequest, payload: MoveIn, code: str = CODE) -> Any:
    user = user_of(request)
    snag = _visible(request, code)
    try:
        snag = services.snag_transition(
            snag=snag,
            by=user,
            to=payload.to,
            note=payload.note,
            parked_for=payload.parked_for.value if payload.parked_for else "",
            version=payload.version,
        )
    except services.ConflictError as exc:
        return Status(409, ErrorOut(detail=f"{exc} It is now {exc.current.get_status_display().lower()}."))
    return Status(200, _detail(_visible(request, snag.code), user))
