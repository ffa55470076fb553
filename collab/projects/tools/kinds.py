"""Reminder kinds of the technology register: a contract renewal 60 and 30 days ahead (to the business owner and
the IT contact); a tool request in two levels like a snag: one working day before its answer deadline a heads-up
to IT's head and liaisons, at the deadline both executives (IT's and marketing's) and the requester.

Each is computed from dates alone (the renewal date, the answer deadline), so one (tool or request, person, due
time) is one delivery row whatever the number of sweeps."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from collab.accounts import permissions as perm
from collab.accounts.models import Department, Role, User
from collab.lib.time import add_working_days, company_morning, company_zone
from collab.notifications.registry import Due, Kind
from collab.projects.tools.models import Tool, ToolRequest

ESCALATION_LOOKBACK = timedelta(days=60)
#: the heads-up to IT comes this many working days before a request's answer deadline
DUE_SOON_WORKING_DAYS = 1


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


class _RenewalKind(Kind):
    days: int
    #: sent only while the renewal is more than this many days away (the next, closer reminder takes over)
    until_days: int = 0

    def due(self, now: datetime) -> Iterator[Due]:
        today = timezone.localtime(now, company_zone()).date()
        # due from the morning ``days`` before the renewal until the renewal day itself (or until the closer
        # reminder's window opens: a tool first seen 25 days out gets the 30-day reminder, not both)
        tools = Tool.objects.renewing(today, timedelta(days=self.days)).only(
            "pk", "name", "renewal_date", "annual_cost", "business_owner_id", "it_contact_id"
        )
        if self.until_days:
            tools = tools.filter(renewal_date__gt=today + timedelta(days=self.until_days))
        for tool in tools:
            if tool.renewal_date is None:  # excluded by the filter; keeps the type checker sure
                continue
            at = company_morning(tool.renewal_date - timedelta(days=self.days))
            if at > now:
                continue
            left = (tool.renewal_date - today).days
            when = "today" if left == 0 else f"in {_days(left)}"
            for uid in {tool.business_owner_id, tool.it_contact_id} - {None}:
                yield Due(
                    recipient_id=int(uid),  # type: ignore[arg-type]
                    obj=tool,
                    due_at=at,
                    title=f"{tool.name} renews on {tool.renewal_date:%d %b %Y}",
                    body=f"The contract renews {when} (€{tool.annual_cost:,.0f} a year). "
                    "Keep it, renegotiate it or plan its retirement.",
                    link=tool.get_absolute_url(),
                    event_at=company_morning(tool.renewal_date),
                )


class ToolRenewal60(_RenewalKind):
    key = "tool_renewal_60"
    label = "Tool contract renews in 60 days"
    description = "A tool you own or support renews its contract in about 60 days."
    days = 60
    until_days = 30


class ToolRenewal30(_RenewalKind):
    key = "tool_renewal_30"
    label = "Tool contract renews in 30 days"
    description = "A tool you own or support renews its contract in 30 days or less."
    days = 30


def _waiting(now: datetime) -> list[ToolRequest]:
    """Open requests past their deadline (within the look-back), with the requester's name."""
    return list(
        ToolRequest.objects.overdue(now)
        .filter(answer_by__gte=now - ESCALATION_LOOKBACK)
        .select_related("requested_by")
        .only(
            "pk",
            "title",
            "answer_by",
            "requested_by_id",
            "requested_by__first_name",
            "requested_by__last_name",
            "requested_by__username",
        )  # fmt: skip
    )


def it_deciders() -> list[int]:
    """IT's decision makers for the heads-up: IT's head and IT's liaisons (each one who may decide requests)."""
    people = User.objects.active().filter(
        Q(department=Department.IT), Q(is_department_head=True) | Q(role=Role.LIAISON)
    )
    return [u.pk for u in people.order_by("pk") if perm.can_decide_tool_request(u)]


class ToolRequestDueSoon(Kind):
    """Level 1: one working day before the answer deadline, IT's head and liaisons hear that a request waits."""

    key = "tool_request_due_soon"
    label = "Tool request due for an answer tomorrow"
    description = "A tool request waits for IT's decision; its answer deadline is one working day away."
    digestible = False

    def due(self, now: datetime) -> Iterator[Due]:
        # open, deadline still ahead but within the next few days (a working day can span a weekend)
        soon = list(
            ToolRequest.objects.open()
            .filter(answer_by__gt=now, answer_by__lte=now + timedelta(days=5))
            .only("pk", "title", "answer_by", "created_at")
        )
        # due a working day before the deadline, or at the asking for a request made later than that
        heads_up = [(r, max(add_working_days(r.answer_by, -DUE_SOON_WORKING_DAYS), r.created_at)) for r in soon]
        heads_up = [(r, at) for r, at in heads_up if at <= now]
        if not heads_up:
            return
        people = it_deciders()
        for req, at in heads_up:
            deadline = timezone.localtime(req.answer_by, company_zone())
            for uid in people:
                yield Due(
                    recipient_id=uid,
                    obj=req,
                    due_at=at,
                    title=f"Tool request due for an answer: {req.title}",
                    body=f"IT's answer is due {deadline:%a %d %b, %H:%M}. Decide it, with a reason, before then.",
                    link=req.get_absolute_url(),
                    event_at=req.answer_by,
                )


class ToolRequestUnanswered(Kind):
    """Level 2: a tool request past its answer deadline without a decision: both executives hear about it, once."""

    key = "tool_request_unanswered"
    label = "Tool request unanswered past its deadline"
    description = "A tool request has waited past its deadline without a decision from IT."
    digestible = False

    def due(self, now: datetime) -> Iterator[Due]:
        waiting = _waiting(now)
        if not waiting:
            return
        executives = list(
            User.objects.executives()
            .filter(department__in=(Department.IT, Department.MARKETING))
            .values_list("pk", flat=True)
        )
        for req in waiting:
            for uid in executives:
                yield Due(
                    recipient_id=uid,
                    obj=req,
                    due_at=req.answer_by,
                    title=f"Tool request unanswered: {req.title}",
                    body=f"{req.requested_by.display_name} asked for it; IT's answer was due {req.answer_by:%d %b %Y}.",
                    link=req.get_absolute_url(),
                    event_at=req.answer_by,
                )


class ToolRequestLate(Kind):
    """At the deadline the requester hears their request is late, and that both executives were told."""

    key = "tool_request_late"
    label = "Your tool request passed its deadline"
    description = "A tool request you made passed IT's answer deadline without a decision; the executives know."
    digestible = False

    def due(self, now: datetime) -> Iterator[Due]:
        for req in _waiting(now):
            yield Due(
                recipient_id=req.requested_by_id,
                obj=req,
                due_at=req.answer_by,
                title=f"Your tool request is past its deadline: {req.title}",
                body="IT has not answered in time. Both executives have been told; you will hear the decision here.",
                link=req.get_absolute_url(),
                event_at=req.answer_by,
            )


class ToolRequestDecided(Kind):
    """Sent when IT decides a tool request: the requester hears the decision and its reason."""

    key = "tool_request_decided"
    label = "Your tool request was decided"
    description = "IT decided a tool request you made; the decision comes with its reason."
    swept = False


EVENT_KINDS = (ToolRequestDecided,)
REMINDER_KINDS = (ToolRenewal60, ToolRenewal30, ToolRequestDueSoon, ToolRequestUnanswered, ToolRequestLate)
