"""Reminder kinds of the reviews: team input deadlines and the action items of a QBR."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

from django.db.models import Q

from collab.accounts.models import Department, User
from collab.notifications.registry import Due, Kind
from reviews.models import ActionItem, ReviewStatus, Team, TeamInput

TEAM_DEPARTMENT = {Team.IT: Department.IT, Team.MARKETING: Department.MARKETING}
OPEN_FOR_INPUT = [ReviewStatus.PLANNING, ReviewStatus.COLLECTING_INPUT]
OVERDUE_EVERY = timedelta(days=3)


class InputDeadline(Kind):
    """3 days and 1 day before a team's input deadline, to that team's attendees while it is missing."""

    key = "qbr_input_due"
    label = "QBR input deadline"
    description = "Your team's input for the quarterly business review is due."

    def due(self, now: datetime) -> Iterator[Due]:
        pending = list(
            TeamInput.objects.filter(submitted_at__isnull=True, review__status__in=OPEN_FOR_INPUT)
            .filter(deadline__gt=now, deadline__lte=now + timedelta(days=3))
            .select_related("review")
        )
        if not pending:
            return
        attendees: dict[int, list[User]] = {}
        for ti in pending:
            if ti.review_id not in attendees:
                attendees[ti.review_id] = list(ti.review.attendees.filter(is_active=True))
        for ti in pending:
            dept = TEAM_DEPARTMENT.get(Team(ti.team))
            people = [u for u in attendees[ti.review_id] if dept is None or u.department == dept]
            for days in (3, 1):
                at = ti.deadline - timedelta(days=days)
                if not (at <= now < ti.deadline):
                    continue
                for person in people:
                    yield Due(
                        recipient_id=person.pk,
                        obj=ti,
                        due_at=at,
                        title=f"{ti.get_team_display()} input for QBR {ti.review.label} is due",
                        body="Add your team's updates, challenges and results before the deadline.",
                        link=ti.review.get_absolute_url() + "#inputs",
                        event_at=ti.deadline,
                    )


class InputMissed(Kind):
    """At a team's input deadline, when nothing came in: to the team's head (the CIO for IT, the CMO for
    marketing) and to the review's facilitator, once each (one delivery per person and deadline)."""

    key = "qbr_input_missed"
    label = "QBR input missed"
    description = "A team has not submitted its QBR input by the deadline (to the team's head and the facilitator)."
    digestible = False

    def due(self, now: datetime) -> Iterator[Due]:
        missed = list(
            TeamInput.objects.filter(
                submitted_at__isnull=True,
                deadline__lte=now,
                deadline__gt=now - timedelta(days=14),
                review__status__in=OPEN_FOR_INPUT,
            ).select_related("review")
        )
        if not missed:
            return
        heads = dict(User.objects.heads_of(list(TEAM_DEPARTMENT.values())).values_list("department", "pk"))
        for ti in missed:
            dept = TEAM_DEPARTMENT.get(Team(ti.team))
            recipients = dict.fromkeys([heads.get(dept) if dept else None, ti.review.facilitator_id])
            for recipient in recipients:
                if recipient is None:
                    continue
                yield Due(
                    recipient_id=recipient,
                    obj=ti,
                    due_at=ti.deadline,
                    title=f"{ti.get_team_display()} missed the input deadline for QBR {ti.review.label}",
                    body=(
                        f"Nothing came in by the deadline. {ti.get_team_display()} can still submit until the agenda "
                        "is locked; it will be marked late."
                    ),
                    link=ti.review.get_absolute_url() + "#inputs",
                    event_at=ti.deadline,
                )


def _morning(day) -> datetime:  # noqa: ANN001 - a date
    return datetime.combine(day, time(8, 0), tzinfo=UTC)


class ActionItemDue(Kind):
    """The day before an open QBR action item is due, to its owner."""

    key = "qbr_action_due"
    label = "QBR action item due"
    description = "An action item from a quarterly business review is due tomorrow."

    def due(self, now: datetime) -> Iterator[Due]:
        today = now.date()
        for a in (
            ActionItem.objects.open().filter(due_date__in=[today, today + timedelta(days=1)]).select_related("review")
        ):
            at = _morning(a.due_date - timedelta(days=1))
            if at <= now:
                yield Due(
                    recipient_id=a.owner_id,
                    obj=a,
                    due_at=at,
                    title=f"Due tomorrow: {a.title}",
                    body=f"From QBR {a.review.label}.",
                    link=a.review.get_absolute_url() + "#actions",
                )


class ActionItemOverdue(Kind):
    """Every three days while an open QBR action item is overdue, to its owner."""

    key = "qbr_action_overdue"
    label = "QBR action item overdue"
    description = "An action item from a quarterly business review is past its due date."

    def due(self, now: datetime) -> Iterator[Due]:
        for a in ActionItem.objects.open().filter(Q(due_date__lt=now.date())).select_related("review"):
            first = _morning(a.due_date + timedelta(days=1))
            if first > now:
                continue
            k = int((now - first) / OVERDUE_EVERY)
            yield Due(
                recipient_id=a.owner_id,
                obj=a,
                due_at=first + k * OVERDUE_EVERY,
                title=f"Overdue: {a.title}",
                body=f"Due {a.due_date:%d %b %Y}, from QBR {a.review.label}.",
                link=a.review.get_absolute_url() + "#actions",
            )


class PulseInvitationKind(Kind):
    """When a pulse opens: to everyone invited who has not answered yet."""

    key = "pulse_open"
    label = "Relationship pulse opened"
    description = "The quarterly two-minute survey of how IT and marketing work together is open."

    def due(self, now: datetime) -> Iterator[Due]:
        from reviews.models import PulseInvitation

        invitations = PulseInvitation.objects.filter(
            answered=False, pulse__opens_at__lte=now, pulse__closes_at__gt=now
        ).select_related("pulse__review")
        for inv in invitations:
            yield Due(
                recipient_id=inv.user_id,
                obj=inv.pulse,
                due_at=inv.pulse.opens_at,
                title=f"Two minutes for the {inv.pulse.review.label} relationship pulse",
                body="Anonymous: your answers are stored without your name.",
                link=inv.pulse.get_absolute_url(),
                event_at=inv.pulse.closes_at,
            )


class PulseClosingKind(Kind):
    """Two days before a pulse closes: one reminder to those who have not answered."""

    key = "pulse_closing"
    label = "Relationship pulse closing"
    description = "The relationship pulse closes in two days and you have not answered yet."

    def due(self, now: datetime) -> Iterator[Due]:
        from reviews.models import PulseInvitation

        invitations = PulseInvitation.objects.filter(
            answered=False, pulse__closes_at__gt=now, pulse__closes_at__lte=now + timedelta(days=2)
        ).select_related("pulse__review")
        for inv in invitations:
            yield Due(
                recipient_id=inv.user_id,
                obj=inv.pulse,
                due_at=inv.pulse.closes_at - timedelta(days=2),
                title=f"The {inv.pulse.review.label} relationship pulse closes in two days",
                link=inv.pulse.get_absolute_url(),
                event_at=inv.pulse.closes_at,
            )
