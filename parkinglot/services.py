"""Every write to the parking lot. Views, admin actions, commands and tasks all come through here."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from collab.accounts import permissions as perm
from collab.accounts.models import Department, Role, User
from collab.lib import hooks
from collab.lib.markdown import with_html
from collab.lib.urls import absolute_url
from collab.notifications.services import notify
from collab.notifications.webhooks import emit_each_on_commit, emit_on_commit
from parkinglot.models import (
    UNANSWERED_STATUSES,
    Comment,
    EventKind,
    Impact,
    MeToo,
    ParkedFor,
    ResponseSettings,
    Snag,
    SnagEvent,
    SnagStatus,
    code_for,
)

S = SnagStatus

# The lifecycle: from → {to: what the move is called}. Anything else is refused.
TRANSITIONS: dict[str, dict[str, str]] = {
    S.NEW: {S.IN_REVIEW: "Start review", S.ANSWERED: "Answer", S.PARKED: "Park", S.WONT_FIX: "Won't fix"},
    S.IN_REVIEW: {S.ANSWERED: "Answer", S.PARKED: "Park", S.WONT_FIX: "Won't fix"},
    S.ANSWERED: {S.RESOLVED: "Confirm the answer", S.IN_REVIEW: "Reopen"},
    S.PARKED: {S.IN_REVIEW: "Unpark", S.ANSWERED: "Answer", S.WONT_FIX: "Won't fix"},
    S.RESOLVED: {S.IN_REVIEW: "Reopen"},
    S.WONT_FIX: {S.IN_REVIEW: "Reopen"},
}
NEEDS_NOTE = {S.ANSWERED: "an answer", S.PARKED: "a reason", S.WONT_FIX: "a reason"}


class ConflictError(Exception):
    """Someone else saved the snag first; ``current`` is what they saved."""

    def __init__(self, message: str, current: Snag) -> None:
        super().__init__(message)
        self.current = current


@dataclass(frozen=True)
class EscalationResult:
    level_1: int
    level_2: int


def default_owner(raiser: Any) -> User | None:
    """The active liaison covering the raiser's department; else its head; else an executive."""
    liaison_id = hooks.first("liaison.covering", raiser.department, None)
    if liaison_id:
        found = User.objects.active().filter(pk=liaison_id).first()
        if found is not None:
            return found
    head = User.objects.active().heads_of([raiser.department]).exclude(pk=raiser.pk).first()
    if head is not None:
        return head
    other = Department.IT if raiser.department == Department.MARKETING else Department.MARKETING
    return (
        User.objects.active()
        .filter(role=Role.EXECUTIVE, department__in=[raiser.department, other])
        .exclude(pk=raiser.pk)
        .order_by("-is_department_head", "pk")
        .first()
    )


def _document(snag: Snag, comments: list[str] | None = None) -> str:
    if comments is None:
        comments = list(snag.comments.values_list("body", flat=True)) if snag.pk else []
    return "\n".join([snag.title, snag.details, *comments])[:100_000]


def _event(snag: Snag, by: Any, kind: str, note: str = "", from_status: str = "", to_status: str = "", at=None):
    return SnagEvent.objects.create(
        snag=snag,
        at=at or timezone.now(),
        by=by if by is not None and getattr(by, "pk", None) else None,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        note=note,
    )


def snag_create(
    *,
    raised_by: Any,
    title: str,
    details: str = "",
    impact: str = Impact.MEDIUM,
    project: Any = None,
    goal: Any = None,
    days_lost: Decimal | int | None = None,
    now: datetime | None = None,
) -> Snag:
    if not perm.can_raise_snag(raised_by):
        raise PermissionDenied("Sign in to log a snag.")
    now = now or timezone.now()
    snag = Snag(
        code=f"new-{uuid.uuid4().hex[:12]}",
        title=(title or "").strip(),
        details=(details or "").strip(),
        impact=impact or Impact.MEDIUM,
        raised_by=raised_by,
        raiser_department=raised_by.department,
        owner=default_owner(raised_by),
        project=project,
        goal=goal or (project.goal if project is not None else None),
        days_lost=days_lost or 0,
        respond_by=now + ResponseSettings.current().period(impact or Impact.MEDIUM),
        created_at=now,
    )
    snag.search_document = _document(snag, [])
    snag.full_clean(exclude=["code"])
    with transaction.atomic():
        snag.save()
        snag.code = code_for(snag.pk)
        Snag.objects.filter(pk=snag.pk).update(code=snag.code)
        owner = f"Owner: {snag.owner.display_name}." if snag.owner else "No owner found."
        _event(snag, raised_by, EventKind.CREATED, note=owner, to_status=S.NEW, at=now)
        pk = snag.pk
        emit_on_commit(event="snag.created", payload=lambda: {"snag": webhook_snag(pk)})
    return snag


def _escalation_payloads(levels: dict[int, int]) -> list[dict[str, Any]]:
    """Every escalated snag's webhook payload, read in one query."""
    snags = Snag.objects.select_related("raised_by", "owner", "project").filter(pk__in=list(levels)).order_by("pk")
    return [{"snag": _snag_facts(snag), "level": levels[snag.pk]} for snag in snags]


def webhook_snag(pk: int) -> dict[str, Any]:
    """What an outgoing webhook says about a snag: facts and a link, as they are when it is sent."""
    return _snag_facts(Snag.objects.select_related("raised_by", "owner", "project").get(pk=pk))


def _snag_facts(snag: Snag) -> dict[str, Any]:
    return {
        "code": snag.code,
        "title": snag.title,
        "status": snag.status,
        "impact": snag.impact,
        "raised_by": snag.raised_by.username if snag.raised_by else None,
        "department": snag.raiser_department,
        "owner": snag.owner.username if snag.owner else None,
        "project": snag.project.name if snag.project else None,
        "escalation_level": snag.escalation_level,
        "respond_by": snag.respond_by,
        "created_at": snag.created_at,
        "url": absolute_url(snag.get_absolute_url()),
    }


def allowed_moves(snag: Snag, user: Any) -> dict[str, str]:
    """The moves this user may make on this snag now: {to status: label}."""
    return {to: label for to, label in TRANSITIONS.get(snag.status, {}).items() if _may_move(snag, user, to)}


def _may_move(snag: Snag, user: Any, to: str) -> bool:
    if perm.can_triage_snag(user, snag):
        return not (to == S.RESOLVED and not (perm.is_leader(user) or perm.can_confirm_snag_answer(user, snag)))
    if perm.can_confirm_snag_answer(user, snag):  # the raiser confirms an answer, or reopens it
        return (snag.status == S.ANSWERED and to in (S.RESOLVED, S.IN_REVIEW)) or (
            snag.status == S.RESOLVED and to == S.IN_REVIEW
        )
    return False


def snag_transition(
    *,
    snag: Snag,
    by: Any,
    to: str,
    note: str = "",
    parked_for: str = "",
    version: int | None = None,
    now: datetime | None = None,
    tell_raiser: bool = True,
) -> Snag:
    """Move a snag along its lifecycle. Answers, parking and won't-fix need a note; parking says until when."""
    now = now or timezone.now()
    note = (note or "").strip()
    if to not in S.values:
        raise ValidationError("Unknown status.")
    if to not in TRANSITIONS.get(snag.status, {}):
        raise ValidationError(
            f"A snag that is {snag.get_status_display().lower()} cannot move to {S(to).label.lower()}."
        )
    if not _may_move(snag, by, to):
        raise PermissionDenied("You may not make this move on this snag.")
    if to in NEEDS_NOTE and not note:
        raise ValidationError(f"Write {NEEDS_NOTE[S(to)]} to move this snag to {S(to).label.lower()}.")
    if to == S.PARKED:
        parked_for = parked_for or ParkedFor.QBR
        if parked_for not in ParkedFor.values:
            raise ValidationError("Choose what the snag is parked for.")
    if len(note) > 10_000:
        raise ValidationError("The note is longer than 10,000 characters.")
    with transaction.atomic():
        locked = Snag.objects.select_for_update().get(pk=snag.pk)
        if (version is not None and locked.version != version) or locked.status != snag.status:
            raise ConflictError("Someone changed this snag first. Here is what they saved.", locked)
        changes: dict[str, Any] = {"status": to, "version": F("version") + 1, "updated_at": now}
        changes["parked_for"] = parked_for if to == S.PARKED else ""
        if to == S.ANSWERED:
            Comment.objects.create(snag=locked, author=by, body=note, is_answer=True, created_at=now)
            if locked.first_answered_at is None:
                changes["first_answered_at"] = now
            changes["search_document"] = _document(locked)
        if to == S.RESOLVED or to == S.WONT_FIX:
            changes["resolved_at"] = now
        if to == S.IN_REVIEW and locked.status in (S.RESOLVED, S.WONT_FIX, S.ANSWERED, S.PARKED):
            # reopened or unparked: a fresh response period and no escalation yet
            changes.update(
                resolved_at=None,
                escalation_level=0,
                respond_by=now + ResponseSettings.current().period(locked.impact),
            )
        Snag.objects.filter(pk=locked.pk).update(**changes)
        _event(locked, by, EventKind.TRANSITION, note=note, from_status=locked.status, to_status=to, at=now)
        if tell_raiser and to == S.ANSWERED and locked.raised_by_id != getattr(by, "pk", None):
            notify(
                kind="snag_answered",
                obj=locked,
                recipient_ids=[locked.raised_by_id],
                title=f"{locked.code} was answered",
                body=f"{by.display_name}: {note[:300]}",
                link=locked.get_absolute_url(),
                due_at=now,
            )
        if to == S.ANSWERED:
            pk, who = locked.pk, getattr(by, "username", "")
            emit_on_commit(
                event="snag.answered",
                payload=lambda: {"snag": webhook_snag(pk), "answered_by": who, "answer": note},
            )
    snag.refresh_from_db()
    return snag


def snag_update(
    *,
    snag: Snag,
    by: Any,
    version: int,
    title: str,
    details: str = "",
    impact: str = Impact.MEDIUM,
    project: Any = None,
    goal: Any = None,
    days_lost: Decimal | int = 0,
    now: datetime | None = None,
) -> Snag:
    """Edit what a snag says. The raiser and the triagers may; a stale version is refused, never merged."""
    if not (perm.can_triage_snag(by, snag) or perm.can_confirm_snag_answer(by, snag)):
        raise PermissionDenied("Only the raiser, the owner, liaisons and executives edit a snag.")
    now = now or timezone.now()
    with transaction.atomic():
        locked = Snag.objects.select_for_update().get(pk=snag.pk)
        if locked.version != version:
            raise ConflictError("Someone changed this snag while you were editing. Here is what they saved.", locked)
        before = {"title": locked.title, "impact": locked.impact, "project": locked.project_id}
        locked.title = (title or "").strip()
        locked.details = (details or "").strip()
        locked.project = project
        locked.goal = goal
        locked.days_lost = Decimal(days_lost or 0)
        if impact != locked.impact and locked.status in UNANSWERED_STATUSES:
            locked.respond_by = locked.created_at + ResponseSettings.current().period(impact)
        locked.impact = impact
        locked.search_document = _document(locked)
        locked.full_clean()
        locked.version += 1
        locked.save()
        changed = [name for name, old in before.items() if old != getattr(locked, f"{name}_id", getattr(locked, name))]
        _event(locked, by, EventKind.EDITED, note=", ".join(changed) if changed else "details", at=now)
    return locked


def snag_assign(*, snag: Snag, by: Any, owner: Any, now: datetime | None = None) -> Snag:
    if not (perm.is_liaison(by) or perm.is_leader(by)):
        raise PermissionDenied("Only liaisons and executives reassign snags.")
    if owner is None or not owner.is_active:
        raise ValidationError("Choose an active person as the owner.")
    now = now or timezone.now()
    with transaction.atomic():
        locked = Snag.objects.select_for_update().get(pk=snag.pk)
        if locked.owner_id == owner.pk:
            return locked
        old = locked.owner.display_name if locked.owner else "nobody"
        Snag.objects.filter(pk=locked.pk).update(owner=owner, version=F("version") + 1, updated_at=now)
        _event(locked, by, EventKind.ASSIGNED, note=f"{old} → {owner.display_name}", at=now)
    snag.refresh_from_db()
    return snag


def comment_add(*, snag: Snag, author: Any, body: str, now: datetime | None = None) -> Comment:
    if not perm.can_view_app(author):
        raise PermissionDenied("Sign in to comment.")
    body = (body or "").strip()
    if not body:
        raise ValidationError("Write a comment first.")
    if len(body) > 10_000:
        raise ValidationError("A comment is at most 10,000 characters.")
    now = now or timezone.now()
    with transaction.atomic():
        comment = Comment.objects.create(snag=snag, author=author, body=body, created_at=now)
        Snag.objects.filter(pk=snag.pk).update(search_document=_document(snag), updated_at=now)
    return comment


def comment_edit(*, comment: Comment, by: Any, body: str, now: datetime | None = None) -> Comment:
    if not perm.can_edit_comment(by, comment):
        raise PermissionDenied("Nobody edits another person's comment.")
    body = (body or "").strip()
    if not body:
        raise ValidationError("A comment cannot be empty.")
    if len(body) > 10_000:
        raise ValidationError("A comment is at most 10,000 characters.")
    with transaction.atomic():
        Comment.objects.filter(pk=comment.pk).update(
            **with_html(Comment, {"body": body, "edited_at": now or timezone.now()})
        )
        snag = comment.snag
        Snag.objects.filter(pk=snag.pk).update(search_document=_document(snag))
    comment.refresh_from_db()
    return comment


def me_too(*, snag: Snag, user: Any) -> bool:
    """Count one more person who hit this snag. False if they had already said so (or raised it)."""
    if not perm.can_me_too(user, snag):
        return False
    try:
        with transaction.atomic():
            MeToo.objects.create(snag=snag, user=user)
            Snag.objects.filter(pk=snag.pk).update(me_too_count=F("me_too_count") + 1)
    except IntegrityError:
        return False
    return True


def snags_escalate(*, now: datetime | None = None) -> EscalationResult:
    """Record escalations that time has brought: level 1 when the response deadline passes unanswered,
    level 2 one more period later. Idempotent, and set-based: a handful of queries however many snags are
    due, none for the ones that are not; the reminder kinds tell people (see ``kinds.py``)."""
    now = now or timezone.now()
    settings_row = ResponseSettings.current()
    counts = {1: 0, 2: 0}
    with transaction.atomic():
        candidates = list(
            Snag.objects.overdue(now)
            .filter(escalation_level__lt=2)
            .select_for_update(skip_locked=True)
            .only("pk", "impact", "respond_by", "escalation_level")
        )
        moves: dict[tuple[int, int], list[int]] = {}
        for snag in candidates:
            level = 2 if now >= snag.respond_by + settings_row.period(snag.impact) else 1
            if level > snag.escalation_level:
                moves.setdefault((snag.escalation_level, level), []).append(snag.pk)
        events: list[SnagEvent] = []
        for (old, new), ids in moves.items():
            Snag.objects.filter(pk__in=ids, escalation_level=old).update(escalation_level=new)
            for step in range(old + 1, new + 1):
                who = "the owner and the liaison" if step == 1 else "both executives"
                note = f"Level {step}: no answer in time; {who} reminded."
                events += [SnagEvent(snag_id=pk, at=now, kind=EventKind.ESCALATED, note=note) for pk in ids]
                counts[step] += len(ids)
        SnagEvent.objects.bulk_create(events, batch_size=2000)
        emit_each_on_commit(
            event="snag.escalated",
            payloads=partial(_escalation_payloads, {pk: new for (_old, new), ids in moves.items() for pk in ids}),
        )
    return EscalationResult(level_1=counts[1], level_2=counts[2])


def response_settings_save(*, by: Any, **days: int) -> ResponseSettings:
    if not perm.can_administer(by):
        raise PermissionDenied("Only administrators change the response deadlines.")
    row = ResponseSettings.current()
    for key, value in days.items():
        setattr(row, key, value)
    row.full_clean()
    row.save()
    return row
