"""Reminder kinds of the technology register: a contract renewal 60 and 30 days ahead (to the business owner and
the IT contact), and a tool request unanswered past its deadline (to both executives, IT's and marketing's).

Each is computed from dates alone (the renewal date, the answer deadline), so one (tool or request, person, due
time) is one delivery row whatever the number of sweeps."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

from collab.accounts.models import Department, User
from collab.notifications.registry import Due, Kind
from collab.projects.tools.models import Tool, ToolRequest

ESCALATION_LOOKBACK = timedelta(days=60)


def _morning(day: date) -> datetime:
    return datetime.combine(day, time(8, 0), tzinfo=UTC)


class _RenewalKind(Kind):
    days: int

    def due(self, now: datetime) -> Iterator[Due]:
        today = now.date()
        # due from the morning ``days`` before the renewal until the renewal day itself
        tools = Tool.objects.renewing(today, timedelta(days=self.days)).only(
            "pk", "name", "renewal_date", "annual_cost", "business_owner_id", "it_contact_id"
        )
        for tool in tools:
            if tool.renewal_date is None:  # excluded by the filter; keeps the type checker sure
                continue
            at = _morning(tool.renewal_date - timedelta(days=self.days))
            if at > now:
                continue
            for uid in {tool.business_owner_id, tool.it_contact_id} - {None}:
                yield Due(
                    recipient_id=int(uid),  # type: ignore[arg-type]
                    obj=tool,
                    due_at=at,
                    title=f"{tool.name} renews on {tool.renewal_date:%d %b %Y}",
                    body=f"The contract renews in {self.days} days (€{tool.annual_cost:,.0f} a year). "
                    "Keep it, renegotiate it or plan its retirement.",
                    link=tool.get_absolute_url(),
                    event_at=_morning(tool.renewal_date),
                )


class ToolRenewal60(_RenewalKind):
    key = "tool_renewal_60"
    label = "Tool contract renews in 60 days"
    description = "A tool you own or support renews its contract in 60 days."
    days = 60


class ToolRenewal30(_RenewalKind):
    key = "tool_renewal_30"
    label = "Tool contract renews in 30 days"
    description = "A tool you own or support renews its contract in 30 days."
    days = 30


class ToolRequestUnanswered(Kind):
    """A tool request past its answer deadline without a decision: both executives hear about it, once."""

    key = "tool_request_unanswered"
    label = "Tool request unanswered past its deadline"
    description = "A tool request has waited past its deadline without a decision from IT."
    digestible = False

    def due(self, now: datetime) -> Iterator[Due]:
        waiting = list(
            ToolRequest.objects.overdue(now)
            .filter(answer_by__gte=now - ESCALATION_LOOKBACK)
            .select_related("requested_by")
            .only(
                "pk",
                "title",
                "answer_by",
                "requested_by__first_name",
                "requested_by__last_name",
                "requested_by__username",
            )  # fmt: skip
        )
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


class ToolRequestDecided(Kind):
    """Sent when IT decides a tool request: the requester hears the decision and its reason."""

    key = "tool_request_decided"
    label = "Your tool request was decided"
    description = "IT decided a tool request you made; the decision comes with its reason."
    swept = False


EVENT_KINDS = (ToolRequestDecided,)
REMINDER_KINDS = (ToolRenewal60, ToolRenewal30, ToolRequestUnanswered)
