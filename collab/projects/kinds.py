"""Notification kinds of the joint projects: events pushed by the services, and reminders the sweep asks for."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Max, OuterRef, QuerySet, Subquery

from collab.accounts.models import User
from collab.notifications.registry import Due, Kind
from collab.projects.models import (
    ChangeRequest,
    Milestone,
    ProjectStatus,
    RequirementsVersion,
    SponsorDecision,
)

MILESTONE_SOON = timedelta(days=3)
OVERDUE_LOOKBACK = timedelta(days=14)
CHANGE_REQUEST_WAIT = timedelta(days=3)
SIGNOFF_WAIT = timedelta(days=5)
FINISHED = (ProjectStatus.CLOSED, ProjectStatus.CANCELLED)


def _morning(day: date) -> datetime:
    return datetime.combine(day, time(8, 0), tzinfo=UTC)


# --- events --------------------------------------------------------------------------------
class RankChanged(Kind):
    key = "project_rank_changed"
    label = "Project ranking changed"
    description = "A project you sponsor moved in the forced ranking."
    swept = False


class RequirementsChanged(Kind):
    key = "project_requirements_changed"
    label = "Requirements changed: sign off again"
    description = "Requirements you signed off changed; the new version needs your sign-off."
    swept = False


class SignOffRequested(Kind):
    key = "project_signoff_requested"
    label = "Requirements ready for your sign-off"
    description = "A project affecting your department asks you to sign off its requirements."
    swept = False


class ChangeRequestRaised(Kind):
    key = "project_change_request"
    label = "Change request raised"
    description = "A change request on a project you sponsor needs your decision."
    swept = False


# --- reminders -----------------------------------------------------------------------------
def _milestone_people(m: Milestone) -> set[int]:
    people = {m.owner_id}
    if m.project is not None:
        people |= {m.project.marketing_sponsor_id, m.project.it_sponsor_id}
    elif m.goal is not None:
        people |= {m.goal.marketing_owner_id, m.goal.it_owner_id}
    return people


def _open_milestones() -> QuerySet[Milestone]:
    return (
        Milestone.objects.filter(done_on__isnull=True)
        .exclude(project__status__in=FINISHED)
        .select_related("project", "goal")
    )


class MilestoneDueSoon(Kind):
    """Three days before an open milestone is due: to its owner and both sponsors (or the goal's owners)."""

    key = "project_milestone_due"
    label = "Milestone due in 3 days"
    description = "A milestone of a project you own or sponsor is due in three days."

    def due(self, now: datetime) -> Iterator[Due]:
        today = now.date()
        milestones = _open_milestones().filter(due_date__gte=today, due_date__lte=today + MILESTONE_SOON)
        for m in milestones:
            at = _morning(m.due_date - MILESTONE_SOON)
            if at > now:
                continue
            where = m.project or m.goal
            for uid in _milestone_people(m):
                yield Due(
                    recipient_id=uid,
                    obj=m,
                    due_at=at,
                    title=f"Due {m.due_date:%a %d %b}: {m.title}",
                    body=f"Milestone of {where}.",
                    link=where.get_absolute_url() + "#milestones" if where else "",
                    event_at=_morning(m.due_date),
                )


class MilestoneOverdue(Kind):
    """The morning after an open milestone's due date: to its owner and both sponsors, once."""

    key = "project_milestone_overdue"
    label = "Milestone overdue"
    description = "A milestone of a project you own or sponsor is past its due date."
    digestible = False
    team_chat = True  # the team hears about it in its chat channel too

    def due(self, now: datetime) -> Iterator[Due]:
        today = now.date()
        milestones = _open_milestones().filter(due_date__lt=today, due_date__gte=today - OVERDUE_LOOKBACK)
        for m in milestones:
            at = _morning(m.due_date + timedelta(days=1))
            if at > now:
                continue
            where = m.project or m.goal
            for uid in _milestone_people(m):
                yield Due(
                    recipient_id=uid,
                    obj=m,
                    due_at=at,
                    title=f"Overdue: {m.title}",
                    body=f"Milestone of {where}, due {m.due_date:%d %b %Y}.",
                    link=where.get_absolute_url() + "#milestones" if where else "",
                )


class ChangeRequestWaiting(Kind):
    """A change request waiting on a sponsor for more than three days: to that sponsor, once."""

    key = "project_change_request_waiting"
    label = "Change request waiting for you"
    description = "A change request on a project you sponsor has waited for your decision for three days."

    def due(self, now: datetime) -> Iterator[Due]:
        waiting = (
            ChangeRequest.objects.pending().filter(created_at__lte=now - CHANGE_REQUEST_WAIT).select_related("project")
        )
        for cr in waiting:
            at = cr.created_at + CHANGE_REQUEST_WAIT
            sides = (
                (cr.marketing_decision, cr.project.marketing_sponsor_id),
                (cr.it_decision, cr.project.it_sponsor_id),
            )
            for decision, uid in sides:
                if decision == SponsorDecision.PENDING:
                    yield Due(
                        recipient_id=uid,
                        obj=cr,
                        due_at=at,
                        title=f"Waiting for your decision: {cr.title} ({cr.project.name})",
                        body="The change request takes effect only when both sponsors approve.",
                        link=cr.get_absolute_url(),
                    )


class SignOffWaiting(Kind):
    """Requirements waiting on a department head's sign-off for more than five days: to that head, once per version."""

    key = "project_signoff_waiting"
    label = "Requirements waiting for your sign-off"
    description = "Requirements affecting your department have waited five days for your sign-off."

    def due(self, now: datetime) -> Iterator[Due]:
        latest = (
            RequirementsVersion.objects.filter(project=OuterRef("project"))
            .values("project")
            .annotate(top=Max("number"))
            .values("top")
        )
        versions = list(
            RequirementsVersion.objects.filter(
                project__status__in=[ProjectStatus.PROPOSED, ProjectStatus.REQUIREMENTS],
                created_at__lte=now - SIGNOFF_WAIT,
                number=Subquery(latest),
            )
            .select_related("project")
            .prefetch_related("project__departments", "signoffs")
            .defer("text")
        )
        if not versions:
            return
        heads = {u.department: u.pk for u in User.objects.filter(is_active=True, is_department_head=True)}
        for v in versions:
            answered = {s.department for s in v.signoffs.all()}
            for pd in v.project.departments.all():
                head = heads.get(pd.department)
                if pd.department in answered or head is None:
                    continue
                yield Due(
                    recipient_id=head,
                    obj=v,
                    due_at=v.created_at + SIGNOFF_WAIT,
                    title=f"Please sign off the requirements of {v.project.name} (v{v.number})",
                    body=f"They have waited for {pd.get_department_display()}'s sign-off since {v.created_at:%d %b}.",
                    link=v.project.get_absolute_url() + "#requirements",
                )


EVENT_KINDS = (RankChanged, RequirementsChanged, SignOffRequested, ChangeRequestRaised)
REMINDER_KINDS = (MilestoneDueSoon, MilestoneOverdue, ChangeRequestWaiting, SignOffWaiting)
