"""Every write to a quarterly business review."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from collab.accounts import permissions as perm
from collab.lib.markdown import with_html
from collab.lib.urls import absolute_url
from collab.notifications.webhooks import emit_on_commit
from reviews import facts
from reviews.models import (
    STATUS_ORDER,
    ActionItem,
    AgendaItem,
    AgendaItemChange,
    Decision,
    FactsSnapshot,
    MinutesAddendum,
    Review,
    ReviewStatus,
    ReviewTransition,
    Team,
    TeamInput,
)


class ConflictError(Exception):
    """Someone else saved first; ``current`` is what they saved."""

    def __init__(self, message: str, current: Any) -> None:
        super().__init__(message)
        self.current = current


def _log(review: Review, by: Any, action: str, title: str, detail: str = "") -> None:
    AgendaItemChange.objects.create(review=review, by=by, action=action, item_title=title[:200], detail=detail[:500])


def review_create(
    *,
    by: Any,
    year: int,
    quarter: int,
    scheduled_at: datetime,
    length_minutes: int,
    location: str,
    facilitator: Any,
    attendees: list[Any],
    input_deadline: datetime | None = None,
) -> Review:
    if not perm.can_create_review(by):
        raise PermissionDenied("Only executives and admins plan a review.")
    review = Review(
        year=year,
        quarter=quarter,
        scheduled_at=scheduled_at,
        length_minutes=length_minutes,
        location=location,
        facilitator=facilitator,
    )
    review.full_clean()
    deadline = input_deadline or scheduled_at - timedelta(days=7)
    if deadline >= scheduled_at:
        raise ValidationError({"input_deadline": "The input deadline must be before the review."})
    try:
        with transaction.atomic():
            review.save()
            review.attendees.set(attendees)
            TeamInput.objects.bulk_create(
                [TeamInput(review=review, team=team, deadline=deadline) for team in (Team.IT, Team.MARKETING)]
            )
    except IntegrityError as exc:
        raise ValidationError("There is already a review for this quarter.") from exc
    return review


ALLOWED = {
    ReviewStatus.PLANNING: {ReviewStatus.COLLECTING_INPUT},
    ReviewStatus.COLLECTING_INPUT: {ReviewStatus.AGENDA_LOCKED, ReviewStatus.PLANNING},
    ReviewStatus.AGENDA_LOCKED: {ReviewStatus.HELD, ReviewStatus.COLLECTING_INPUT},
    ReviewStatus.HELD: {ReviewStatus.MINUTES_PUBLISHED},
    ReviewStatus.MINUTES_PUBLISHED: set(),
}
REASON_MAX = 1000


def _is_unlock(from_status: str, to: str) -> bool:
    return from_status == ReviewStatus.AGENDA_LOCKED and to == ReviewStatus.COLLECTING_INPUT


def review_transition(*, review: Review, by: Any, to: str, reason: str = "", now: datetime | None = None) -> Review:
    """Move a review along planning → collecting input → agenda locked → held → minutes published.

    Locking freezes the agenda (items and order) and stores the quarter's facts as a snapshot. The only way back
    is an explicit unlock, with a reason that is kept in the review's history; it drops the snapshot, and the
    next lock freezes the facts again. Publishing needs the minutes' summary; published minutes are final."""
    if not perm.can_facilitate_review(by, review):
        raise PermissionDenied("Only the facilitator and executives move a review along.")
    if to not in ReviewStatus.values:
        raise ValidationError("Choose a status the review can move to.")
    if to not in ALLOWED.get(ReviewStatus(review.status), set()):
        raise ValidationError(f"A review cannot go from “{review.get_status_display()}” to “{ReviewStatus(to).label}”.")
    reason = (reason or "").strip()
    if _is_unlock(review.status, to):
        if not perm.can_unlock_review(by, review):
            raise PermissionDenied("Only the facilitator and executives unlock the agenda.")
        if not reason:
            raise ValidationError({"reason": "Say why the agenda is unlocked: the reason goes in the history."})
        if len(reason) > REASON_MAX:
            raise ValidationError({"reason": f"Keep the reason to {REASON_MAX} characters (it has {len(reason)})."})
    else:
        reason = ""
    with transaction.atomic():
        locked = Review.objects.select_for_update().get(pk=review.pk)
        if locked.status != review.status:
            raise ConflictError("Someone changed the review's status first.", locked)
        if to == ReviewStatus.MINUTES_PUBLISHED and not locked.summary.strip():
            raise ValidationError(
                {"summary": "Write the minutes' summary before publishing: published minutes are final."}
            )
        if to == ReviewStatus.AGENDA_LOCKED:
            FactsSnapshot.objects.update_or_create(review=locked, defaults={"data": facts.compute(locked, now=now)})
        if _is_unlock(locked.status, to):
            FactsSnapshot.objects.filter(review=locked).delete()
        ReviewTransition.objects.create(review=locked, from_status=locked.status, to_status=to, by=by, reason=reason)
        if to == ReviewStatus.AGENDA_LOCKED:
            _log(locked, by, "locked", "Agenda", "items, order and facts frozen")
        elif _is_unlock(locked.status, to):
            _log(locked, by, "unlocked", "Agenda", reason)
        elif to == ReviewStatus.MINUTES_PUBLISHED:
            _log(locked, by, "published", "Minutes", "final from now on; corrections are dated addenda")
        Review.objects.filter(pk=locked.pk).update(status=to, version=F("version") + 1, updated_at=timezone.now())
        if to == ReviewStatus.AGENDA_LOCKED:
            pk, who = locked.pk, getattr(by, "username", "")
            emit_on_commit(event="review.locked", payload=lambda: _webhook_review(pk, who))
    review.refresh_from_db()
    return review


def minutes_update(*, review: Review, by: Any, summary: str, version: int) -> Review:
    """Save the minutes' summary written on ``version`` of the review; a stale version changes nothing."""
    if not perm.can_write_review_minutes(by, review):
        if review.minutes_published:
            raise PermissionDenied("The minutes are published and final: add a dated correction instead.")
        raise PermissionDenied("The facilitator and the executives write the minutes, once the agenda is locked.")
    candidate = Review(summary=summary)
    try:
        candidate.clean_fields(exclude=[f.name for f in Review._meta.fields if f.name != "summary"])
    except ValidationError as exc:
        raise ValidationError({"summary": exc.message_dict.get("summary", exc.messages)}) from exc
    with transaction.atomic():
        changed = Review.objects.filter(
            pk=review.pk, version=version, status__in=[ReviewStatus.AGENDA_LOCKED, ReviewStatus.HELD]
        ).update(**with_html(Review, {"summary": summary, "version": F("version") + 1, "updated_at": timezone.now()}))
        if not changed:
            raise ConflictError(
                "Someone else changed the minutes (or the review) while you were writing. Their version is shown; "
                "nothing of yours was saved — copy what you need and try again.",
                Review.objects.get(pk=review.pk),
            )
        _log(review, by, "edited", "Minutes", "summary")
    review.refresh_from_db()
    return review


def addendum_add(*, review: Review, by: Any, text: str) -> MinutesAddendum:
    """A dated correction to published minutes (which themselves never change)."""
    if not perm.can_add_minutes_addendum(by, review):
        raise PermissionDenied(
            "Corrections are added by the facilitator or an executive, once the minutes are published."
        )
    addendum = MinutesAddendum(review=review, text=text, by=by)
    if not text.strip():
        raise ValidationError({"text": "Write the correction."})
    addendum.full_clean()
    with transaction.atomic():
        addendum.save()
        _log(review, by, "corrected", "Minutes", "a dated addendum")
    return addendum


def _webhook_review(pk: int, by: str) -> dict[str, Any]:
    review = Review.objects.get(pk=pk)
    return {
        "review": {
            "id": review.pk,
            "year": review.year,
            "quarter": review.quarter,
            "status": review.status,
            "title": str(review),
            "url": absolute_url(review.get_absolute_url()),
        },
        "locked_by": by,
    }


def _may_change_agenda(review: Review, by: Any) -> None:
    if perm.can_propose_review_item(by, review):
        return
    if review.is_locked:
        raise PermissionDenied(LOCKED_MESSAGE)
    raise PermissionDenied("Only the review's attendees, its facilitator and the executives change its agenda.")


def _still_unlocked(review: Review) -> None:
    """Inside an agenda write's transaction: the review row, locked, is still unlocked (a lock that committed
    after the permission check wins, and the change is refused)."""
    status = Review.objects.select_for_update().filter(pk=review.pk).values_list("status", flat=True).first()
    if status is None or STATUS_ORDER.index(status) >= STATUS_ORDER.index(ReviewStatus.AGENDA_LOCKED):
        raise PermissionDenied(LOCKED_MESSAGE)


LOCKED_MESSAGE = "The agenda is locked: its items and their order are frozen. Unlock it, with a reason, to change it."


def _next_position(review: Review) -> int:
    return (review.items.aggregate(top=Max("position"))["top"] or 0) + 1


def item_add(*, review: Review, by: Any, **fields: Any) -> AgendaItem:
    _may_change_agenda(review, by)
    projects = fields.pop("projects", None)
    item = AgendaItem(review=review, added_by=by, position=_next_position(review), **fields)
    item.full_clean()
    with transaction.atomic():
        _still_unlocked(review)
        item.save()
        if projects:
            item.projects.set(projects)
        _log(review, by, "added", item.title, f"{item.get_kind_display()}, {item.time_box_minutes} min")
    return item


def suggestion_add(*, review: Review, by: Any, key: str) -> AgendaItem:
    """Put one of the suggested items on the agenda (10 minutes, joint), remembering where it came from."""
    from reviews import selectors

    found = next((s for s in selectors.suggestions(review, by) if s["key"] == key), None)
    if found is None:
        raise ValidationError("That suggestion is gone or already on the agenda.")
    return item_add(
        review=review, by=by, title=found["title"][:200], kind=found["kind"], team="joint",
        presenter=None, time_box_minutes=10, notes=f"[{found['why']}]({found['link']})", source=found["key"],
    )  # fmt: skip


EDITABLE = ("title", "kind", "team", "presenter", "time_box_minutes", "notes")


def item_update(*, item: AgendaItem, by: Any, version: int, **fields: Any) -> AgendaItem:
    """Save an edit made on ``version``; a stale version raises ConflictError and changes nothing."""
    review = item.review
    _may_change_agenda(review, by)
    candidate = AgendaItem(**{**{f: getattr(item, f) for f in EDITABLE}, **fields}, review=review)
    candidate.full_clean(exclude=["review", "position", "added_by"])
    values = {f: fields[f] for f in EDITABLE if f in fields}
    with transaction.atomic():
        _still_unlocked(review)
        changed = AgendaItem.objects.filter(pk=item.pk, version=version).update(
            **with_html(AgendaItem, dict(**values, version=F("version") + 1, updated_at=timezone.now())),
        )
        if not changed:
            raise ConflictError(
                "Someone else changed this item while you were editing. Their version is shown; nothing of yours "
                "was saved — copy what you need and try again.",
                AgendaItem.objects.select_related("presenter").get(pk=item.pk),
            )
        _log(review, by, "edited", values.get("title", item.title))
    item.refresh_from_db()
    return item


def item_delete(*, item: AgendaItem, by: Any) -> None:
    _may_change_agenda(item.review, by)
    with transaction.atomic():
        _still_unlocked(item.review)
        _log(item.review, by, "removed", item.title)
        item.delete()


def items_reorder(*, review: Review, by: Any, order: list[int]) -> None:
    """Put the agenda in the given order (ids); every item of the review must be listed once."""
    _may_change_agenda(review, by)
    ids = list(review.items.values_list("id", flat=True))
    if sorted(order) != sorted(ids) or len(set(order)) != len(order):
        raise ValidationError("The new order must list every agenda item once; reload the page and try again.")
    with transaction.atomic():
        _still_unlocked(review)
        items = {i.pk: i for i in review.items.all()}
        for position, pk in enumerate(order, start=1):
            items[pk].position = position
        AgendaItem.objects.bulk_update(items.values(), ["position"])
        _log(review, by, "reordered", "Agenda", " → ".join(items[pk].title for pk in order)[:500])


def item_move(*, item: AgendaItem, by: Any, direction: str) -> None:
    _may_change_agenda(item.review, by)
    order = list(item.review.items.values_list("id", flat=True))
    index = order.index(item.pk)
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(order):
        order[index], order[target] = order[target], order[index]
    items_reorder(review=item.review, by=by, order=order)


def input_submit(*, team_input: TeamInput, by: Any, text: str, version: int, now: datetime | None = None) -> TeamInput:
    """The team's own input, until the agenda is locked. The first submission's time and author stay (after the
    deadline it is marked late); later edits are recorded as edits, so an update never rewrites who submitted."""
    review = team_input.review
    if not perm.can_edit_team_input(by, review, team_input.team):
        if review.is_locked:
            raise PermissionDenied("The agenda is locked: the team inputs are frozen with it.")
        raise PermissionDenied(
            f"Only {team_input.get_team_display()}'s people write {team_input.get_team_display()}'s input."
        )
    if not text.strip():
        raise ValidationError({"text": "Write the team's input before submitting."})
    probe = TeamInput(review=review, team=team_input.team, deadline=team_input.deadline, text=text)
    probe.clean_fields(exclude=[f.name for f in TeamInput._meta.fields if f.name != "text"])
    now = now or timezone.now()
    first = team_input.submitted_at is None
    values: dict[str, Any] = {"text": text, "version": F("version") + 1}
    values.update({"submitted_at": now, "submitted_by": by} if first else {"edited_at": now, "edited_by": by})
    with transaction.atomic():
        changed = TeamInput.objects.filter(pk=team_input.pk, version=version, review__status__in=_OPEN).update(
            **with_html(TeamInput, values)
        )
        if not changed:
            raise ConflictError(
                "Someone else changed this input first (or the agenda was locked); the saved text is shown.",
                TeamInput.objects.get(pk=team_input.pk),
            )
        detail = ("submitted" if first else "updated") + (" late" if now > team_input.deadline else "")
        _log(review, by, "input", f"{team_input.get_team_display()} input", detail)
    team_input.refresh_from_db()
    return team_input


_OPEN = [ReviewStatus.PLANNING, ReviewStatus.COLLECTING_INPUT]
_PUBLISHED = "The minutes are published and final: add a dated correction instead."


def _may_record(review: Review, by: Any) -> None:
    if perm.can_record_review_outcome(by, review):
        return
    if review.minutes_published:
        raise PermissionDenied(_PUBLISHED)
    raise PermissionDenied("Only the review's attendees, its facilitator and the executives record its outcomes.")


def _still_unpublished(review: Review) -> None:
    """Inside the write's transaction: the review row, locked, is still not published (a publication that
    committed after the permission check wins, and the record is refused)."""
    status = Review.objects.select_for_update().filter(pk=review.pk).values_list("status", flat=True).first()
    if status == ReviewStatus.MINUTES_PUBLISHED:
        raise PermissionDenied(_PUBLISHED)


def decision_add(*, review: Review, by: Any, text: str, item: AgendaItem | None = None) -> Decision:
    _may_record(review, by)
    decision = Decision(review=review, item=item, text=text, recorded_by=by)
    decision.full_clean()
    with transaction.atomic():
        _still_unpublished(review)
        decision.save()
    return decision


def action_item_add(
    *, review: Review, by: Any, title: str, owner: Any, due_date: date, item: AgendaItem | None = None
) -> ActionItem:
    _may_record(review, by)
    action = ActionItem(review=review, item=item, title=title, owner=owner, due_date=due_date)
    action.full_clean()
    with transaction.atomic():
        _still_unpublished(review)
        action.save()
    return action


def action_item_done(*, action: ActionItem, by: Any) -> ActionItem:
    if not perm.can_close_review_action(by, action, action.review):
        raise PermissionDenied("Only the owner or the facilitator closes an action item.")
    ActionItem.objects.filter(pk=action.pk, done_at__isnull=True).update(done_at=timezone.now())
    action.refresh_from_db()
    return action


def status_position(status: str) -> int:
    return STATUS_ORDER.index(status)
