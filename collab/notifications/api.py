"""Your notifications over the REST API: list them and mark them read, through the notifications' services.
Someone else's notification is a 404."""

from __future__ import annotations

from datetime import datetime

from django.http import Http404, HttpRequest
from ninja import Field, Path, Query, Router, Schema

from collab.accounts.api_auth import MAX_ID, errors, user_of
from collab.lib.pagination import page_of
from collab.notifications import services
from collab.notifications.models import Notification

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    link: str
    event_at: datetime | None
    created_at: datetime
    read_at: datetime | None


class NotificationPage(Schema):
    count: int
    unread: int
    page: int
    pages: int
    items: list[NotificationOut]


class NotificationFilterIn(Schema):
    unread: bool = Field(False, description="Only the unread ones.")
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(30, ge=1, le=100)


class MarkedOut(Schema):
    marked: int


def notification_out(n: Notification) -> NotificationOut:
    return NotificationOut(
        id=n.pk,
        kind=n.kind,
        title=n.title,
        body=n.body,
        link=n.link,
        event_at=n.event_at,
        created_at=n.created_at,
        read_at=n.read_at,
    )


@router.get("/notifications", response={200: NotificationPage, **errors(422)}, summary="Your notifications")
def list_notifications(request: HttpRequest, filters: Query[NotificationFilterIn]) -> NotificationPage:
    mine = Notification.objects.for_user(user_of(request))
    qs = mine.unread() if filters.unread else mine
    return NotificationPage(
        **page_of(qs, page=filters.page, page_size=filters.page_size, item=notification_out),
        unread=mine.unread().count(),
    )


@router.post(
    "/notifications/{int:pk}/read", response={200: NotificationOut, **errors(404, 422)}, summary="Mark one as read"
)
def mark_read(request: HttpRequest, pk: int = Path(..., ge=1, le=MAX_ID)) -> NotificationOut:
    try:
        return notification_out(services.notification_mark_read(user=user_of(request), notification_id=pk))
    except Notification.DoesNotExist:
        raise Http404("No such notification.") from None


@router.post("/notifications/read-all", response={200: MarkedOut, **errors()}, summary="Mark all as read")
def mark_all_read(request: HttpRequest) -> MarkedOut:
    return MarkedOut(marked=services.notifications_mark_all_read(user=user_of(request)))
