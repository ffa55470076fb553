"""Reminder kinds of the parking lot: escalation when a snag waits too long for an answer, and the raiser told
when their snag is answered.

Both escalation kinds are computed from time alone (the response deadline and one more period), so each
(snag, person, level) is one delivery whatever the number of sweeps; ``services.snags_escalate`` records the
same levels in the history.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from collab.accounts.models import Department, Role, User
from collab.lib import hooks
from collab.notifications.registry import Due, Kind
from parkinglot.models import ResponseSettings, Snag, departments_seen_by

SIDES = (Department.IT, Department.MARKETING)


class _SnagTeamPost:
    """A department's chat channel is shared by all its members: it names the snag (code, title, link) only
    when every member may open it (``departments_seen_by``); otherwise it says a snag of which department is
    waiting and links to the escalated list, where each person sees the ones they may open."""

    def for_team(self, due: Due, department: str) -> Due:
        snag: Any = due.obj
        if snag.raiser_department in departments_seen_by(department):
            return due
        label = Department(snag.raiser_department).label
        return Due(
            recipient_id=due.recipient_id,
            obj=snag,
            due_at=due.due_at,
            title=f"A snag of {label} is waiting for an answer",
            body="Its details show in Collab to the people who may open it.",
            link="/snags/?status=escalated",
            event_at=due.event_at,
        )


def _liaison_for(department: str) -> int | None:
    value = hooks.first("liaison.covering", department, None)
    return int(value) if value else None


class SnagEscalationLevel1(_SnagTeamPost, Kind):
    """The response deadline passed without an answer: the owner and the liaison are reminded."""

    key = "snag_escalation_1"
    label = "Snag past its response deadline"
    description = "A snag you own or cover has waited longer than its response deadline."
    digestible = False
    team_chat = True  # the team hears about it in its chat channel too

    def due(self, now: datetime) -> Iterator[Due]:
        snags = list(
            Snag.objects.overdue(now).only("pk", "code", "title", "respond_by", "owner_id", "raiser_department")
        )
        liaisons: dict[str, int | None] = {}
        for snag in snags:
            if snag.raiser_department not in liaisons:
                liaisons[snag.raiser_department] = _liaison_for(snag.raiser_department)
            people = {snag.owner_id, liaisons[snag.raiser_department]} - {None}
            for person in people:
                yield Due(
                    recipient_id=int(person),  # type: ignore[arg-type]
                    obj=snag,
                    due_at=snag.respond_by,
                    title=f"{snag.code} is past its response deadline",
                    body=f"“{snag.title}” is waiting for an answer.",
                    link=snag.get_absolute_url(),
                    event_at=snag.respond_by,
                )


class SnagEscalationLevel2(_SnagTeamPost, Kind):
    """One more period without an answer: both executives (of IT and marketing) are reminded."""

    key = "snag_escalation_2"
    label = "Snag escalated to the executives"
    description = "A snag has waited two response periods without an answer."
    digestible = False
    team_chat = True  # the team hears about it in its chat channel too

    def due(self, now: datetime) -> Iterator[Due]:
        periods = ResponseSettings.current()
        snags = [
            s
            for s in Snag.objects.overdue(now).only("pk", "code", "title", "respond_by", "impact", "raiser_department")
            if s.respond_by + periods.period(s.impact) <= now
        ]
        if not snags:
            return
        executives = list(
            User.objects.active().filter(role=Role.EXECUTIVE, department__in=SIDES).values_list("pk", flat=True)
        )
        for snag in snags:
            at = snag.respond_by + periods.period(snag.impact)
            for person in executives:
                yield Due(
                    recipient_id=person,
                    obj=snag,
                    due_at=at,
                    title=f"Escalated: {snag.code} has had no answer for two periods",
                    body=f"“{snag.title}” ({snag.get_impact_display().lower()} impact) is still unanswered.",
                    link=snag.get_absolute_url(),
                    event_at=at,
                )


class SnagAnswered(Kind):
    """Sent when someone answers a snag: the raiser confirms or reopens it."""

    key = "snag_answered"
    label = "Your snag was answered"
    description = "Someone answered a snag you raised; confirm it or reopen it."
    swept = False
