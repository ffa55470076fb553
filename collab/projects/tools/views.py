"""Views of the technology register: plain functions — find the object, check the permission, call the service,
answer with the page (or its fragment for htmx)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from collab.accounts import permissions as perm
from collab.accounts.http import AuthedRequest
from collab.accounts.models import Department
from collab.lib.csvsafe import csv_download
from collab.lib.forms import add_errors
from collab.lib.htmx import render_page, wants_fragment
from collab.lib.params import choice_param, id_param
from collab.projects.tools import selectors, services
from collab.projects.tools.forms import (
    DecideForm,
    IntegrationForm,
    RequestForm,
    ToolEditForm,
    ToolRegisterForm,
    TransitionForm,
)
from collab.projects.tools.models import (
    Adoption,
    RequestDecision,
    Tool,
    ToolCategory,
    ToolEvent,
    ToolIntegration,
    ToolRequest,
    ToolStatus,
)
from collab.projects.tools.services import ConflictError


def _tool(pk: int) -> Tool:
    tool = selectors.tool_detail(pk)
    if tool is None:
        raise Http404("No such tool.")
    return tool


# --- the register --------------------------------------------------------------------------
@require_GET
def index(request: AuthedRequest) -> HttpResponse:
    flt = selectors.ToolFilter.from_query(request.GET)
    today = timezone.localdate()
    data = selectors.register(flt, today)
    selectors.retirement_details(data["retirement"])
    context = {
        **data,
        "filter": flt,
        "today": today,
        "statuses": ToolStatus.choices,
        "departments": Department.choices,
        "categories": ToolCategory.choices,
        "can_register": perm.can_register_tool(request.user),
    }
    response = render_page(request, "tools/index.html", "results", context)
    if wants_fragment(request):
        response["HX-Push-Url"] = f"{reverse('tools:index')}?{flt.query()}"
    return response


@require_GET
def export_csv(request: AuthedRequest) -> StreamingHttpResponse:
    """The filtered register as CSV (formula-safe cells)."""
    flt = selectors.ToolFilter.from_query(request.GET)
    header = [
        "name", "vendor", "category", "status", "department", "business owner", "IT contact", "found outside IT",
        "users", "annual cost", "renewal", "customer data", "integrated", "silo", "usage", "success", "retire by",
    ]  # fmt: skip
    rows = (
        (
            t.name,
            t.vendor,
            t.get_category_display(),
            t.get_status_display(),
            t.get_department_display(),
            t.business_owner.display_name if t.business_owner else "",
            t.it_contact.display_name if t.it_contact else "",
            "yes" if t.is_shadow else "no",
            t.users_count,
            t.annual_cost,
            t.renewal_date.isoformat() if t.renewal_date else "",
            "yes" if t.holds_customer_data else "no",
            "yes" if getattr(t, "integrated", False) else "no",
            "yes" if t.is_silo else "no",
            t.usage_rating or "",
            t.success_rating or "",
            t.retire_by.isoformat() if t.retire_by else "",
        )
        for t in selectors.tool_queryset(flt).iterator(chunk_size=1000)
    )
    return csv_download(f"tools-{timezone.localdate():%Y-%m-%d}.csv", header, rows)


@require_http_methods(["GET", "POST"])
def create(request: AuthedRequest) -> HttpResponse:
    if not perm.can_register_tool(request.user):
        raise PermissionDenied("Sign in to register a tool.")
    user = request.user
    initial = {
        "department": user.department,
        "business_owner": user if user.department != Department.IT else None,
        "adoption": Adoption.THROUGH_IT if user.department == Department.IT else Adoption.SHADOW,
        "status": ToolStatus.ADOPTED,
    }
    form = ToolRegisterForm(request.POST or None, initial=initial, keep=(user.pk,))
    if request.method == "POST" and form.is_valid():
        try:
            tool = services.tool_register(by=user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            shadow = (
                " It is flagged as found outside IT — thank you for bringing it to light." if tool.is_shadow else ""
            )
            messages.success(request, f"“{tool.name}” is in the register.{shadow}")
            return redirect(tool)
    return render(request, "tools/form.html", {"form": form, "tool": None},
                  status=422 if request.method == "POST" else 200)  # fmt: skip


# --- one tool ------------------------------------------------------------------------------
def _detail_context(request: AuthedRequest, tool: Tool, **extra: Any) -> dict[str, Any]:
    user = request.user
    rows = selectors.integrations_of(tool)
    can_status = perm.can_change_tool_status(user)
    can_edit = perm.can_edit_tool(user, tool)
    selectors.retirement_details([tool])  # the plan's projects and replacement name, for any status (retired too)
    initial = {
        "version": tool.version,
        "retire_by": tool.retire_by,
        "replacement": tool.replacement_id,
        "projects": [p.pk for p in tool.retirement_projects.all()],
    }
    moves = services.allowed_moves(tool, user)
    transition_form = extra.pop("transition_form", None)
    if transition_form is None and can_status:
        transition_form = TransitionForm(initial=initial, tool=tool)
        transition_form.fields["to"].choices = [  # type: ignore[attr-defined]
            (to, f"{label} ({ToolStatus(to).label.lower()})") for to, label in moves.items()
        ]
    return {
        "tool": tool,
        "rows": rows,
        "network": selectors.tool_network(tool, rows),
        "overlaps": selectors.overlap_candidates(tool.category, exclude_pk=tool.pk),
        "events": list(ToolEvent.objects.filter(tool=tool).select_related("by").order_by("-at", "-id")[:20]),
        "can_edit": can_edit,
        "can_status": can_status,
        "moves": moves,
        "transition_form": transition_form,
        "integration_form": extra.pop("integration_form", None) or (IntegrationForm() if can_edit else None),
        "requests": list(tool.requests_answered_with.only("pk", "title", "decision")[:10]),
        **extra,
    }


@require_GET
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    tool = _tool(pk)
    return render(request, "tools/detail.html", _detail_context(request, tool))


@require_http_methods(["GET", "POST"])
def edit(request: AuthedRequest, pk: int) -> HttpResponse:
    tool = _tool(pk)
    if not perm.can_edit_tool(request.user, tool):
        raise PermissionDenied("Only the tool's business owner, IT and the executives edit it.")
    initial = {name: getattr(tool, name) for name in services.EDITABLE}
    initial["version"] = tool.version
    keep = (tool.business_owner_id, tool.it_contact_id)
    form = ToolEditForm(request.POST or None, initial=initial, keep=keep)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.tool_update(tool=tool, by=request.user, version=version, **data)
        except ValidationError as exc:
            add_errors(form, exc)
        except ConflictError as exc:
            form.add_error(None, str(exc))
            conflict = exc.current
            fresh = request.POST.copy()
            fresh["version"] = str(exc.current.version)
            form.data = fresh
        else:
            messages.success(request, f"“{tool.name}” is saved.")
            return redirect(tool)
    return render(request, "tools/form.html", {"form": form, "tool": tool, "conflict": conflict},
                  status=422 if request.method == "POST" else 200)  # fmt: skip


@require_POST
def transition(request: AuthedRequest, pk: int) -> HttpResponse:
    tool = _tool(pk)
    if not perm.can_change_tool_status(request.user):
        raise PermissionDenied("Only IT and the executives change a tool's status.")
    form = TransitionForm(request.POST, tool=tool)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.tool_transition(
                tool=tool, by=request.user, to=data["to"], note=data["note"], retire_by=data["retire_by"],
                replacement=data["replacement"], projects=data["projects"], version=data["version"],
            )  # fmt: skip
        except ValidationError as exc:
            add_errors(form, exc)
        except ConflictError as exc:
            form.add_error(None, str(exc))
        else:
            tool.refresh_from_db()
            messages.success(request, f"“{tool.name}” is now {tool.get_status_display().lower()}.")
            return redirect(tool)
    return render(request, "tools/detail.html", _detail_context(request, tool, transition_form=form), status=422)


@require_POST
def integration_add(request: AuthedRequest, pk: int) -> HttpResponse:
    tool = _tool(pk)
    if not perm.can_edit_tool(request.user, tool):
        raise PermissionDenied("Only the tool's business owner, IT and the executives record its integrations.")
    form = IntegrationForm(request.POST)
    if form.is_valid():
        try:
            services.integration_add(tool=tool, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Integration with {form.cleaned_data['other'].name} recorded.")
            return redirect(reverse("tools:detail", args=[tool.pk]) + "#integrations")
    return render(request, "tools/detail.html", _detail_context(request, tool, integration_form=form), status=422)


@require_POST
def integration_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    integration = get_object_or_404(ToolIntegration.objects.select_related("source", "target"), pk=pk)
    if not perm.can_remove_tool_integration(request.user, integration):
        raise PermissionDenied("Only the tools' business owners, IT and the executives remove an integration.")
    back = id_param(request.POST, "tool")
    if back not in (integration.source_id, integration.target_id):
        back = integration.source_id
    services.integration_remove(integration=integration, by=request.user)
    messages.success(request, f"Integration {integration.source.name} – {integration.target.name} removed.")
    return redirect(reverse("tools:detail", args=[back]) + "#integrations")


# --- tool requests -------------------------------------------------------------------------
@require_GET
def request_list(request: AuthedRequest) -> HttpResponse:
    which = choice_param(request.GET, "show", selectors.REQUEST_FILTERS, default="open")
    now = timezone.now()
    requests = list(selectors.request_list(which, now)[:200])
    for r in requests:
        r.late = r.is_overdue(now)  # type: ignore[attr-defined]  # the model's rule, as the "late" filter
    return render(
        request,
        "tools/requests.html",
        {"requests": requests, "which": which, "filters": selectors.REQUEST_FILTERS,
         "can_decide": perm.can_decide_tool_request(request.user)},
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
def request_create(request: AuthedRequest) -> HttpResponse:
    if not perm.can_request_tool(request.user):
        raise PermissionDenied("Sign in to request a tool.")
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tool_request = services.request_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request, f"Your request is in. IT answers by {timezone.localtime(tool_request.answer_by):%a %d %b}."
            )
            return redirect(tool_request)
    return render(request, "tools/request_form.html", {"form": form},
                  status=422 if request.method == "POST" else 200)  # fmt: skip


def _request(pk: int) -> ToolRequest:
    return get_object_or_404(
        ToolRequest.objects.select_related("requested_by", "decided_by", "existing_tool", "project"), pk=pk
    )


def _request_context(request: AuthedRequest, tool_request: ToolRequest, form: Any = None, **extra: Any) -> dict:
    user = request.user
    suggestions = selectors.overlap_candidates(tool_request.category)
    can_decide = perm.can_decide_tool_request(user) and tool_request.is_open
    if form is None and can_decide:
        form = DecideForm(initial={"version": tool_request.version, "overlaps": [t.pk for t in suggestions]})
    return {
        "req": tool_request,
        "late": tool_request.is_overdue(timezone.now()),
        "suggestions": suggestions,
        "integrates_with": list(tool_request.integrates_with.only("pk", "name")),
        "overlaps": list(tool_request.overlaps.only("pk", "name")),
        "form": form if can_decide else None,
        "can_make_project": perm.can_make_project_of_request(user, tool_request),
        **extra,
    }


@require_GET
def request_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    tool_request = _request(pk)
    return render(request, "tools/request_detail.html", _request_context(request, tool_request))


@require_POST
def request_decide(request: AuthedRequest, pk: int) -> HttpResponse:
    tool_request = _request(pk)
    if not perm.can_decide_tool_request(request.user):
        raise PermissionDenied("Only IT and the executives decide tool requests.")
    if not tool_request.is_open:
        messages.info(request, "This request is already decided.")
        return redirect(tool_request)
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            services.request_decide(request=tool_request, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        except ConflictError as exc:
            form.add_error(None, str(exc))
        else:
            label = RequestDecision(form.cleaned_data["decision"]).label.lower()
            messages.success(
                request, f"Decided: {label}. {tool_request.requested_by.display_name} is told on the page."
            )
            return redirect(tool_request)
    context = _request_context(request, tool_request, form=form)
    return render(request, "tools/request_detail.html", context, status=422)


@require_POST
def request_project(request: AuthedRequest, pk: int) -> HttpResponse:
    tool_request = _request(pk)
    if not perm.can_decide_tool_request(request.user) or not perm.can_create_project(request.user):
        raise PermissionDenied("Only IT and the executives turn a request into a joint project.")
    try:
        project = services.request_to_project(request=tool_request, by=request.user)
    except (ValidationError, ConflictError) as exc:
        text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, text)
        return redirect(tool_request)
    messages.success(request, f"“{project.name}” is proposed, sponsored by both sides.")
    return redirect(project)
