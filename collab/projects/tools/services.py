"""Every write to the technology register. Views, admin actions, commands and the demo come through here."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from collab.accounts import permissions as perm
from collab.accounts.models import Department, User
from collab.lib.markdown import with_html
from collab.lib.time import add_working_days
from collab.notifications.services import notify
from collab.projects import services as project_services
from collab.projects.models import Project
from collab.projects.tools.models import (
    Adoption,
    Direction,
    RequestDecision,
    Tool,
    ToolEvent,
    ToolEventKind,
    ToolIntegration,
    ToolRequest,
    ToolStatus,
)

S = ToolStatus
EARLIEST = date(2000, 1, 1)
LATEST_YEARS_AHEAD = 15

# from → {to: label}; "to retire → to retire" re-plans the retirement.
TRANSITIONS: dict[str, dict[str, str]] = {
    S.EVALUATING: {S.TRIAL: "Start a trial", S.ADOPTED: "Adopt", S.RETIRED: "Drop"},
    S.TRIAL: {S.ADOPTED: "Adopt", S.EVALUATING: "Back to evaluation", S.RETIRED: "Drop"},
    S.ADOPTED: {S.TO_RETIRE: "Plan its retirement"},
    S.TO_RETIRE: {S.TO_RETIRE: "Change the retirement plan", S.ADOPTED: "Keep it after all", S.RETIRED: "Retire"},
    S.RETIRED: {S.ADOPTED: "Bring it back"},
}
REGISTER_STATUSES = (S.EVALUATING, S.TRIAL, S.ADOPTED)


class ConflictError(Exception):
    """Someone else saved first; nothing was changed. ``current`` is what they saved."""

    def __init__(self, message: str, current: Any = None) -> None:
        super().__init__(message)
        self.current = current


# --- helpers -------------------------------------------------------------------------------
def answer_working_days() -> int:
    """How many working days IT has to answer a tool request (``TOOL_REQUEST_ANSWER_WORKING_DAYS``, at least 1)."""
    return max(1, int(getattr(settings, "TOOL_REQUEST_ANSWER_WORKING_DAYS", 5)))


def check_date(value: date | None, field: str, label: str, errors: dict[str, str], today: date | None = None) -> None:
    """A date people type: not before 2000, not more than 15 years ahead (a typo of the year), into ``errors``."""
    if value is None:
        return
    today = today or timezone.localdate()
    if value < EARLIEST:
        errors[field] = f"The {label} cannot be before {EARLIEST.year}."
    elif value > today + timedelta(days=365 * LATEST_YEARS_AHEAD):
        errors[field] = f"The {label} is more than {LATEST_YEARS_AHEAD} years away; check the year."


def _event(
    tool: Tool | None,
    by: Any,
    kind: str,
    note: str = "",
    at: datetime | None = None,
    request: ToolRequest | None = None,
    **status: str,
) -> None:
    ToolEvent.objects.create(
        tool=tool,
        request=request,
        at=at or timezone.now(),
        by=by if getattr(by, "pk", None) else None,
        kind=kind,
        note=note[:2000],
        from_status=status.get("from_status", ""),
        to_status=status.get("to_status", ""),
    )


def _save_new(obj: Any) -> None:
    """Insert; a unique constraint another request won first is a clear error, not a 500."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise ValidationError("This is already in the register (someone saved it a moment ago).") from exc


# --- tools ---------------------------------------------------------------------------------
def tool_register(
    *,
    by: Any,
    name: str,
    vendor: str = "",
    category: str = "other",
    department: str = "",
    business_owner: User | None = None,
    it_contact: User | None = None,
    adoption: str = Adoption.THROUGH_IT,
    users_count: int = 0,
    annual_cost: Decimal | int | None = 0,
    renewal_date: date | None = None,
    holds_customer_data: bool = False,
    status: str = S.ADOPTED,
    usage_rating: int | None = None,
    success_rating: int | None = None,
    rating_note: str = "",
    notes: str = "",
    now: datetime | None = None,
) -> Tool:
    """Anyone registers a tool they use. A tool found outside IT is flagged "shadow" — no blame."""
    if not perm.can_register_tool(by):
        raise PermissionDenied("Sign in to register a tool.")
    now = now or timezone.now()
    if status not in REGISTER_STATUSES:
        raise ValidationError({"status": "A new tool is evaluating, in trial or adopted; retire it afterwards."})
    tool = Tool(
        name=(name or "").strip(),
        vendor=(vendor or "").strip(),
        category=category,
        department=department or by.department,
        business_owner=business_owner,
        it_contact=it_contact,
        adoption=adoption,
        users_count=users_count or 0,
        annual_cost=annual_cost if annual_cost is not None else 0,
        renewal_date=renewal_date,
        holds_customer_data=bool(holds_customer_data),
        status=status,
        usage_rating=usage_rating,
        success_rating=success_rating,
        rating_note=(rating_note or "").strip(),
        notes=(notes or "").strip(),
        registered_by=by,
        created_at=now,
    )
    errors: dict[str, str] = {}
    check_date(renewal_date, "renewal_date", "renewal date", errors, now.date())
    if errors:
        raise ValidationError(errors)
    tool.full_clean()
    with transaction.atomic():
        _save_new(tool)
        flag = " Found outside IT." if tool.is_shadow else ""
        _event(tool, by, ToolEventKind.REGISTERED, note=f"Registered as {tool.get_status_display().lower()}.{flag}",
               at=now, to_status=status)  # fmt: skip
    return tool


EDITABLE = (
    "name", "vendor", "category", "department", "business_owner", "it_contact", "adoption", "users_count",
    "annual_cost", "renewal_date", "holds_customer_data", "usage_rating", "success_rating", "rating_note", "notes",
)  # fmt: skip


def tool_update(*, tool: Tool, by: Any, version: int, now: datetime | None = None, **fields: Any) -> Tool:
    """Edit a tool's facts (not its status). A stale ``version`` is refused with a conflict, nothing merged."""
    if not perm.can_edit_tool(by, tool):
        raise PermissionDenied("Only the tool's business owner, IT and the executives edit it.")
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    now = now or timezone.now()
    candidate = Tool.objects.get(pk=tool.pk)
    for key, value in fields.items():
        setattr(candidate, key, value.strip() if isinstance(value, str) else value)
    if candidate.annual_cost is None:
        candidate.annual_cost = Decimal(0)
    errors: dict[str, str] = {}
    check_date(candidate.renewal_date, "renewal_date", "renewal date", errors, now.date())
    if errors:
        raise ValidationError(errors)
    candidate.full_clean(exclude=["version"])
    values = {key: getattr(candidate, key) for key in fields}
    changed = [key for key in fields if getattr(tool, key) != values[key]]
    if "adoption" in changed and not perm.can_change_tool_status(by):
        raise ValidationError({"adoption": "Only IT and the executives change how a tool came in."})
    with transaction.atomic():
        try:
            with transaction.atomic():
                updated = Tool.objects.filter(pk=tool.pk, version=version).update(
                    **with_html(Tool, dict(**values, version=F("version") + 1, updated_at=now)),
                )
        except IntegrityError as exc:
            raise ValidationError({"name": "Another tool of the register has this name."}) from exc
        if not updated:
            raise ConflictError(
                "Someone else saved this tool first. Here is what they saved; make your change again.",
                Tool.objects.get(pk=tool.pk),
            )
        if changed:
            _event(tool, by, ToolEventKind.EDITED, note="Changed: " + ", ".join(sorted(changed)), at=now)
    tool.refresh_from_db()
    return tool


def allowed_moves(tool: Tool, user: Any) -> dict[str, str]:
    if not perm.can_change_tool_status(user):
        return {}
    return dict(TRANSITIONS.get(tool.status, {}))


def tool_transition(
    *,
    tool: Tool,
    by: Any,
    to: str,
    note: str = "",
    retire_by: date | None = None,
    replacement: Tool | None = None,
    projects: Iterable[Project] = (),
    version: int | None = None,
    now: datetime | None = None,
) -> Tool:
    """Move a tool along its lifecycle. "To retire" needs a target date and may name a replacement and the
    projects that carry the work; other moves leave the plan fields aside (retired keeps the plan as history)."""
    if not perm.can_change_tool_status(by):
        raise PermissionDenied("Only IT and the executives change a tool's status.")
    now = now or timezone.now()
    note = (note or "").strip()
    if to not in S.values:
        raise ValidationError({"to": "Unknown status."})
    if to not in TRANSITIONS.get(tool.status, {}):
        raise ValidationError(
            {"to": f"A tool that is {tool.get_status_display().lower()} cannot move to {S(to).label.lower()}."}
        )
    projects = list(projects)
    errors: dict[str, str] = {}
    if to == S.TO_RETIRE:
        if retire_by is None:
            errors["retire_by"] = "Give a target date for the retirement."
        elif retire_by < now.date():
            errors["retire_by"] = "The target date is in the past."
        else:
            check_date(retire_by, "retire_by", "target date", errors, now.date())
        if replacement is not None and replacement.pk == tool.pk:
            errors["replacement"] = "A tool cannot replace itself."
        elif replacement is not None and replacement.status == S.RETIRED:
            errors["replacement"] = f"{replacement.name} is retired; choose a tool in use."
    if len(note) > 2000:
        errors["note"] = "The note is longer than 2,000 characters."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Tool.objects.select_for_update().get(pk=tool.pk)
        if (version is not None and locked.version != version) or locked.status != tool.status:
            raise ConflictError("Someone changed this tool first. Here is what they saved.", locked)
        changes: dict[str, Any] = {"status": to, "version": F("version") + 1, "updated_at": now}
        if to == S.TO_RETIRE:
            changes.update(retire_by=retire_by, replacement=replacement)
        elif to != S.RETIRED:
            changes.update(retire_by=None, replacement=None)
        changes["retired_at"] = now if to == S.RETIRED else None
        Tool.objects.filter(pk=tool.pk).update(**changes)
        if to == S.TO_RETIRE:
            locked.retirement_projects.set(projects)
        elif to != S.RETIRED:
            locked.retirement_projects.clear()
        plan = ""
        if to == S.TO_RETIRE:
            plan = f" Target {retire_by:%d %b %Y}" + (f", replaced by {replacement.name}." if replacement else ".")
        _event(tool, by, ToolEventKind.STATUS, note=(note + plan).strip(), at=now, from_status=tool.status,
               to_status=to)  # fmt: skip
    tool.refresh_from_db()
    return tool


# --- integrations --------------------------------------------------------------------------
FLOWS = {"sends": "This tool sends data to it", "receives": "This tool receives data from it", "both": "Both ways"}


def integration_add(
    *, tool: Tool, by: Any, other: Tool | None, flow: str = "sends", method: str = "api", note: str = ""
) -> ToolIntegration:
    """Record that ``tool`` exchanges data with ``other``. A tool with itself or a pair twice is refused."""
    if not perm.can_edit_tool(by, tool):
        raise PermissionDenied("Only the tool's business owner, IT and the executives record its integrations.")
    if other is None:
        raise ValidationError({"other": "Choose the other tool."})
    if other.pk == tool.pk:
        raise ValidationError({"other": "A tool cannot integrate with itself."})
    if flow not in FLOWS:
        raise ValidationError({"flow": "Choose which way the data flows."})
    source, target = (other, tool) if flow == "receives" else (tool, other)
    if ToolIntegration.objects.filter(Q(source=tool, target=other) | Q(source=other, target=tool)).exists():
        raise ValidationError({"other": f"{tool.name} and {other.name} are already integrated."})
    integration = ToolIntegration(
        source=source,
        target=target,
        direction=Direction.BOTH_WAYS if flow == "both" else Direction.ONE_WAY,
        method=method,
        note=(note or "").strip(),
        created_by=by,
    )
    integration.full_clean()
    with transaction.atomic():
        try:
            # the database keeps one row per unordered pair: a reverse pair saved a moment ago lands here
            with transaction.atomic():
                integration.save()
        except IntegrityError as exc:
            raise ValidationError(
                {"other": f"{tool.name} and {other.name} are already integrated (someone recorded it a moment ago)."}
            ) from exc
        _event(tool, by, ToolEventKind.INTEGRATION, note=f"Integration with {other.name} added.")
    return integration


def integration_remove(*, integration: ToolIntegration, by: Any) -> None:
    if not perm.can_remove_tool_integration(by, integration):
        raise PermissionDenied("Only the tools' business owners, IT and the executives remove an integration.")
    with transaction.atomic():
        source, target = integration.source, integration.target
        integration.delete()
        _event(source, by, ToolEventKind.INTEGRATION, note=f"Integration with {target.name} removed.")


# --- tool requests -------------------------------------------------------------------------
def request_create(
    *,
    by: Any,
    title: str,
    need: str,
    category: str = "other",
    users_count: int = 1,
    budget: Decimal | int | None = 0,
    urgency: str = "medium",
    data_involved: str = "",
    holds_customer_data: bool = False,
    now: datetime | None = None,
) -> ToolRequest:
    """Anyone asks for a tool; IT must answer within ``answer_working_days()`` working days (in the company's
    time zone)."""
    if not perm.can_request_tool(by):
        raise PermissionDenied("Sign in to request a tool.")
    now = now or timezone.now()
    request = ToolRequest(
        title=(title or "").strip(),
        need=(need or "").strip(),
        category=category,
        users_count=users_count or 0,
        budget=budget if budget is not None else 0,
        urgency=urgency,
        data_involved=(data_involved or "").strip(),
        holds_customer_data=bool(holds_customer_data),
        department=by.department,
        requested_by=by,
        created_at=now,
        answer_by=add_working_days(now, answer_working_days()),
    )
    request.full_clean()
    request.save()
    return request


def request_decide(
    *,
    request: ToolRequest,
    by: Any,
    decision: str,
    reason: str,
    version: int,
    security_review: str = "",
    cost_review: str = "",
    integrates_with: Iterable[Tool] = (),
    overlaps: Iterable[Tool] = (),
    existing_tool: Tool | None = None,
    now: datetime | None = None,
) -> ToolRequest:
    """Answer a request: the evaluation checklist and a decision, always with a reason."""
    if not perm.can_decide_tool_request(by):
        raise PermissionDenied("Only IT and the executives decide tool requests.")
    now = now or timezone.now()
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if decision not in RequestDecision.values:
        errors["decision"] = "Choose a decision: adopt, trial, use an existing tool or reject."
    if not reason:
        errors["reason"] = "Give the reason for the decision."
    if decision == RequestDecision.USE_EXISTING and existing_tool is None:
        errors["existing_tool"] = "Name the existing tool to use."
    if existing_tool is not None and decision != RequestDecision.USE_EXISTING:
        existing_tool = None
    if existing_tool is not None and existing_tool.status == S.RETIRED:
        errors["existing_tool"] = f"{existing_tool.name} is retired; name a tool still in use."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        updated = ToolRequest.objects.filter(pk=request.pk, version=version, decision="").update(
            **with_html(
                ToolRequest,
                dict(
                    decision=decision,
                    reason=reason,
                    security_review=(security_review or "").strip(),
                    cost_review=(cost_review or "").strip(),
                    existing_tool=existing_tool,
                    decided_by=by,
                    decided_at=now,
                    version=F("version") + 1,
                    updated_at=now,
                ),
            ),
        )
        if not updated:
            raise ConflictError(
                "Someone answered or changed this request first. Here is what they saved.",
                ToolRequest.objects.get(pk=request.pk),
            )
        request.refresh_from_db()
        request.integrates_with.set(list(integrates_with))
        request.overlaps.set(list(overlaps))
        on_time = "on time" if now <= request.answer_by else "after the deadline"
        _event(existing_tool, by, ToolEventKind.DECIDED, request=request, at=now,
               note=f"Request “{request.title}” decided {on_time}: {request.get_decision_display().lower()}. {reason}")  # fmt: skip
        notify(
            kind="tool_request_decided",
            obj=request,
            recipient_ids=[request.requested_by_id],
            title=f"Your tool request “{request.title}”: {request.get_decision_display().lower()}",
            body=reason[:2000],
            link=request.get_absolute_url(),
            due_at=now,
        )
    return request


def _sponsor(preferred: Any, department: str) -> User | None:
    """``preferred`` when they lead in ``department`` (an executive or its head), else that side's executive."""
    leads = preferred is not None and (preferred.is_executive or preferred.is_department_head)
    if leads and preferred.is_active and preferred.department == department:
        return preferred
    return (
        User.objects.executives().filter(department=department).order_by("-is_department_head", "pk").first()
        or User.objects.heads_of([department]).first()
    )


def request_to_project(*, request: ToolRequest, by: Any, now: datetime | None = None) -> Project:
    """An adopted request becomes a joint project in one click: marketing's and IT's executives sponsor it (the
    requester or the decider instead when they lead on their side)."""
    if not perm.can_make_project_of_request(by, request):
        if request.decision != RequestDecision.ADOPT:
            raise ValidationError("Only an adopted request becomes a joint project.")
        if request.project_id is not None:
            raise ValidationError("This request already has its project.")
        raise PermissionDenied("Only IT and the executives turn a request into a joint project.")
    marketing = _sponsor(request.requested_by, Department.MARKETING)
    it = _sponsor(request.decided_by, Department.IT) or _sponsor(by, Department.IT)
    with transaction.atomic():
        locked = ToolRequest.objects.select_for_update().get(pk=request.pk)
        if locked.project_id is not None:
            raise ConflictError("Someone made the project a moment ago.", locked)
        project = project_services.project_create(
            by=by,
            name=f"Introduce {request.title}"[:200],
            summary=f"From tool request “{request.title}”.\n\n{request.need}\n\n**Decision:** {request.reason}",
            marketing_sponsor=marketing,
            it_sponsor=it,
            departments=[request.department] if request.department in Department.values else [],
            now=now,
        )
        ToolRequest.objects.filter(pk=request.pk).update(project=project, version=F("version") + 1)
    request.refresh_from_db()
    return project
