"""Quarterly business reviews over the REST API (read only), through the reviews' selectors."""

from __future__ import annotations

from datetime import date, datetime

from django.http import Http404, HttpRequest
from ninja import Path, Router, Schema

from collab.accounts.api_auth import PersonOut, errors, maybe_person, person, user_of
from reviews import selectors
from reviews.models import InputState, ItemKind, Review, ReviewStatus, Team

router = Router(tags=["reviews"])


class ReviewOut(Schema):
    year: int
    quarter: int
    label: str
    status: ReviewStatus
    scheduled_at: datetime
    length_minutes: int
    location: str
    facilitator: PersonOut
    locked: bool
    agenda_minutes: int
    inputs_submitted: int
    inputs_missed: int
    inputs_total: int
    url: str


class TeamInputOut(Schema):
    team: Team
    deadline: datetime
    state: InputState
    submitted_at: datetime | None
    submitted_by: PersonOut | None


class ReviewItemOut(Schema):
    id: int
    title: str
    kind: ItemKind
    team: Team
    presenter: PersonOut | None
    time_box_minutes: int
    notes: str


class DecisionOut(Schema):
    id: int
    text: str
    created_at: datetime


class ReviewActionOut(Schema):
    id: int
    title: str
    owner: PersonOut
    due_date: date
    done_at: datetime | None


class AddendumOut(Schema):
    text: str
    by: PersonOut | None
    created_at: datetime


class ReviewDetailOut(ReviewOut):
    summary: str
    minutes_addenda: list[AddendumOut]
    inputs: list[TeamInputOut]
    attendees: list[PersonOut]
    agenda: list[ReviewItemOut]
    decisions: list[DecisionOut]
    action_items: list[ReviewActionOut]


def review_out(r: Review) -> ReviewOut:
    prep = selectors.preparation(r)
    return ReviewOut(
        year=r.year,
        quarter=r.quarter,
        label=r.label,
        status=ReviewStatus(r.status),
        scheduled_at=r.scheduled_at,
        length_minutes=r.length_minutes,
        location=r.location,
        facilitator=person(r.facilitator),
        locked=r.is_locked,
        agenda_minutes=prep["agenda_minutes"],
        inputs_submitted=prep["inputs_submitted"],
        inputs_missed=prep["inputs_missed"],
        inputs_total=prep["inputs_total"],
        url=r.get_absolute_url(),
    )


@router.get("/reviews", response={200: list[ReviewOut], **errors()}, summary="Every QBR, newest first")
def list_reviews(request: HttpRequest) -> list[ReviewOut]:
    return [review_out(r) for r in selectors.review_list()]


@router.get(
    "/reviews/{int:year}/q{int:quarter}", response={200: ReviewDetailOut, **errors(404, 422)}, summary="One QBR"
)
def get_review(
    request: HttpRequest, year: int = Path(..., ge=2000, le=2100), quarter: int = Path(..., ge=1, le=4)
) -> ReviewDetailOut:
    found = selectors.review_with_people(year, quarter)
    if found is None:
        raise Http404("No such review.")
    return ReviewDetailOut(
        **review_out(found).model_dump(),
        summary=found.summary,
        minutes_addenda=[
            AddendumOut(text=a.text, by=maybe_person(a.by), created_at=a.created_at) for a in found.addenda.all()
        ],
        inputs=[
            TeamInputOut(
                team=Team(i.team),
                deadline=i.deadline,
                state=i.state,
                submitted_at=i.submitted_at,
                submitted_by=maybe_person(i.submitted_by),
            )
            for i in found.inputs.all()
        ],
        attendees=[person(a) for a in found.attendees.all()],
        agenda=[
            ReviewItemOut(
                id=i.pk,
                title=i.title,
                kind=ItemKind(i.kind),
                team=Team(i.team),
                presenter=maybe_person(i.presenter),
                time_box_minutes=i.time_box_minutes,
                notes=i.notes,
            )
            for i in selectors.agenda(found, user_of(request))
        ],
        decisions=[DecisionOut(id=d.pk, text=d.text, created_at=d.created_at) for d in found.decisions.all()],
        action_items=[
            ReviewActionOut(id=a.pk, title=a.title, owner=person(a.owner), due_date=a.due_date, done_at=a.done_at)
            for a in found.action_items.all()
        ],
    )
