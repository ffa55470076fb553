"""Pages of the joint projects: list, detail, requirements, ranking, change requests, goals, change feed."""

from __future__ import annotations

import difflib
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from collab.accounts import permissions as perm
from collab.accounts.http import AuthedRequest
from collab.accounts.models import Department
from collab.lib.forms import add_errors
from collab.lib.htmx import render_page, wants_fragment
from collab.lib.params import MAX_ID, MAX_PAGE, choice_param, id_list, id_param, int_param
from collab.projects import selectors, services
from collab.projects.forms import (
    ChangeRequestForm,
    DecisionForm,
    GoalForm,
    MilestoneForm,
    ProjectCreateForm,
    ProjectEditForm,
    ProjectFilterForm,
    RankMoveForm,
    ReorderForm,
    RequirementsForm,
    RescheduleForm,
    SignOffForm,
    TransitionForm,
)
from collab.projects.models import (
    ChangeRequest,
    ChangeRequestStatus,
    FeedKind,
    Goal,
    Milestone,
    Project,
    ProjectDepartment,
    ProjectStatus,
    RequirementsVersion,
    SponsorDecision,
)
from collab.projects.services import ALLOWED, ConflictError


def _project(pk: int) -> Project:
    return get_object_or_404(Project.objects.select_related("marketing_sponsor", "it_sponsor", "goal"), pk=pk)


# --- list and create -----------------------------------------------------------------------
PROJECTS_PER_PAGE = 25


@require_GET
def index(request: AuthedRequest) -> HttpResponse:
    filters = ProjectFilterForm(request.GET or None)
    params: dict[str, Any] = {}
    if filters.is_valid():
        data = filters.cleaned_data
        params = {
            "status": data.get("status") or "",
            "sponsor": data["sponsor"].pk if data.get("sponsor") else None,
            "department": data.get("department") or "",
            "health": data.get("health") or "",
        }
    page = Paginator(selectors.project_list(**params), PROJECTS_PER_PAGE).get_page(
        int_param(request.GET, "page", default=1, min=1, max=MAX_PAGE)
    )
    rows = [(p, selectors.signoff_status(p), selectors.next_milestone(p)) for p in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render_page(
        request,
        "projects/index.html",
        "rows",
        {
            "rows": rows,
            "page": page,
            "query": query.urlencode(),
            "filters": filters,
            "filtered": any(params.values()),
            "can_create": perm.can_create_project(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def create(request: AuthedRequest) -> HttpResponse:
    if not perm.can_create_project(request.user):
        raise PermissionDenied("Only executives, liaisons and department heads propose joint projects.")
    initial: dict[str, Any] = {}
    if request.user.department == Department.MARKETING:
        initial["marketing_sponsor"] = request.user
    elif request.user.department == Department.IT:
        initial["it_sponsor"] = request.user
    form = ProjectCreateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        except ConflictError as exc:
            form.add_error(None, f"{exc} Please save again.")
        else:
            messages.success(request, f"“{project.name}” is proposed and joins the ranking at {project.rank}.")
            return redirect(project)
    status = 422 if request.method == "POST" else 200
    return render(request, "projects/create.html", {"form": form}, status=status)


# --- detail --------------------------------------------------------------------------------
def _detail_context(request: AuthedRequest, project: Project, **extra: Any) -> dict[str, Any]:
    user = request.user
    versions, matrix = selectors.signoff_matrix(project)
    current = versions[0] if versions else None
    departments = [row.department for row in matrix]
    # the sign-off status from what the matrix already loaded (no second round of queries)
    project.department_list = [ProjectDepartment(project=project, department=d) for d in departments]  # type: ignore[attr-defined]
    project.versions_newest_first = versions  # type: ignore[attr-defined]
    status = selectors.signoff_status(project)
    sign_for = [d for d in departments if perm.can_sign_off(user, d)]
    change_requests = selectors.change_requests(project)
    is_sponsor = perm.is_project_sponsor(user, project)
    side = "marketing" if user.pk == project.marketing_sponsor_id else "it"
    can_edit = perm.can_edit_project(user, project)
    milestones = list(project.milestones.select_related("owner").order_by("due_date", "id"))
    ctx: dict[str, Any] = {
        "project": project,
        "versions": versions,
        "current": current,
        "matrix": matrix,
        "signoff": status,
        "sign_for": sign_for,
        "signoff_form": extra.pop("signoff_form", None)
        or SignOffForm(initial={"version": current.number if current else 1}),
        "requirements_open": project.status in services.EDITABLE_REQUIREMENTS,
        "change_requests": [
            (
                cr,
                is_sponsor
                and cr.status == ChangeRequestStatus.PENDING
                and getattr(cr, f"{side}_decision") == SponsorDecision.PENDING,
            )
            for cr in change_requests
        ],
        "scope_creep": selectors.scope_creep(project),
        "milestones": milestones,
        "transitions": list(project.transitions.select_related("by").order_by("-at", "-id")),
        "feed": list(project.feed.select_related("by").order_by("-at", "-id")[:10]),
        "representatives": list(project.representatives.order_by("department", "first_name")),
        "departments": [Department(d).label for d in departments],
        "can_edit": can_edit,
        "can_transition": perm.can_transition_project(user, project),
        "can_raise_cr": perm.can_raise_change_request(user, project)
        and project.status in services.CHANGE_REQUEST_STATUSES,
        "can_plan": perm.can_manage_milestone(user, project=project),
        "next_steps": [(s, ProjectStatus(s).label) for s in ALLOWED[project.status]],
        "approval_blocked": project.status == ProjectStatus.REQUIREMENTS and not status.complete,
        "cr_form": extra.pop("cr_form", None) or ChangeRequestForm(),
        "decision_form": DecisionForm(),
        "milestone_form": extra.pop("milestone_form", None) or MilestoneForm(initial={"owner": user}, project=project),
        "transition_error": extra.pop("transition_error", None),
        "today": timezone.localdate(),
    }
    ctx.update(extra)
    return ctx


@require_GET
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    project = _project(pk)
    return render(request, "projects/detail.html", _detail_context(request, project))


def _detail_error(request: AuthedRequest, project: Project, **extra: Any) -> HttpResponse:
    return render(request, "projects/detail.html", _detail_context(request, project, **extra), status=422)


@require_http_methods(["GET", "POST"])
def edit(request: AuthedRequest, pk: int) -> HttpResponse:
    project = _project(pk)
    if not perm.can_edit_project(request.user, project):
        raise PermissionDenied("Only the sponsors and the executives edit a project.")
    initial = {
        "name": project.name,
        "summary": project.summary,
        "goal": project.goal,
        "marketing_sponsor": project.marketing_sponsor,
        "it_sponsor": project.it_sponsor,
        "departments": list(project.departments.values_list("department", flat=True)),
        "representatives": list(project.representatives.all()),
        "health": project.health,
        "health_note": project.health_note,
        "version": project.version,
    }
    form = ProjectEditForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.project_update(project=project, by=request.user, **form.cleaned_data)
            except ConflictError as exc:
                form.add_error(None, str(exc))
                status = 409
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, "The project is saved.")
                return redirect(project)
    return render(request, "projects/edit.html", {"project": project, "form": form}, status=status)


@require_POST
def transition(request: AuthedRequest, pk: int) -> HttpResponse:
    project = _project(pk)
    if not perm.can_transition_project(request.user, project):
        raise PermissionDenied("Only the sponsors and the executives move a project along.")
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return _detail_error(request, project, transition_error="Choose a valid next status.")
    try:
        services.project_transition(project=project, by=request.user, **form.cleaned_data)
    except (ValidationError, ConflictError) as exc:
        message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        return _detail_error(request, project, transition_error=message)
    messages.success(request, f"{project.name} is now “{project.get_status_display()}”.")
    return redirect(project)


# --- requirements --------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def requirements_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    project = _project(pk)
    if not perm.can_edit_requirements(request.user, project):
        raise PermissionDenied("Only the sponsors and the executives edit the requirements.")
    current = services.current_requirements(project)
    form = RequirementsForm(
        request.POST or None,
        initial={"text": current.text if current else "", "based_on": current.number if current else 0},
    )
    status = 200
    conflict = None
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.requirements_save(project=project, by=request.user, **form.cleaned_data)
            except ConflictError as exc:
                form.add_error(None, str(exc))
                conflict = current
                status = 409
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(
                    request, "The requirements are saved as a new version; the heads are asked to sign off."
                )
                return redirect(project.get_absolute_url() + "#requirements")
    return render(
        request,
        "projects/requirements_edit.html",
        {
            "project": project,
            "form": form,
            "current": current,
            "conflict": conflict,
            "has_answers": bool(current and current.signoffs.exists()),
            "open": project.status in services.EDITABLE_REQUIREMENTS,
        },
        status=status,
    )


def diff_lines(old: str, new: str) -> list[tuple[str, str]]:
    """A unified diff as (kind, line) pairs: kind is add, del, hunk or same."""
    out: list[tuple[str, str]] = []
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=2):
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            out.append(("hunk", line))
        elif line.startswith("+"):
            out.append(("add", line[1:]))
        elif line.startswith("-"):
            out.append(("del", line[1:]))
        else:
            out.append(("same", line[1:]))
    return out


@require_GET
def requirements_diff(request: AuthedRequest, pk: int) -> HttpResponse:
    project = _project(pk)
    versions = {v.number: v for v in RequirementsVersion.objects.filter(project=project)}
    if not versions:
        raise Http404("No requirements yet.")
    newest = max(versions)
    new = int_param(request.GET, "to", default=newest, min=1, max=MAX_ID, strict=True)
    old = int_param(request.GET, "from", default=new - 1, min=0, max=MAX_ID, strict=True)
    if new not in versions or (old not in versions and old != 0):
        raise Http404("Unknown version.")
    old_text = versions[old].text if old in versions else ""
    return render(
        request,
        "projects/requirements_diff.html",
        {
            "project": project,
            "old": versions.get(old),
            "new": versions[new],
            "old_number": old,
            "lines": diff_lines(old_text, versions[new].text),
            "numbers": sorted(versions, reverse=True),
        },
    )


@require_POST
def signoff(request: AuthedRequest, pk: int, department: str) -> HttpResponse:
    project = _project(pk)
    if department not in Department.values:
        raise Http404("Unknown department.")
    if not perm.can_sign_off(request.user, department):
        raise PermissionDenied("Only the head of a department signs off for it.")
    form = SignOffForm(request.POST)
    if form.is_valid():
        try:
            services.signoff_record(
                project=project,
                by=request.user,
                department=department,
                version_number=form.cleaned_data["version"],
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
            )
        except ConflictError as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Your answer is recorded.")
            return redirect(project.get_absolute_url() + "#requirements")
    return _detail_error(request, project, signoff_form=form)


# --- change requests -----------------------------------------------------------------------
@require_POST
def change_request_add(request: AuthedRequest, pk: int) -> HttpResponse:
    project = _project(pk)
    if not perm.can_raise_change_request(request.user, project):
        raise PermissionDenied("Only the sponsors and the executives raise change requests.")
    form = ChangeRequestForm(request.POST)
    if form.is_valid():
        try:
            services.change_request_raise(project=project, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "The change request is raised; both sponsors decide.")
            return redirect(project.get_absolute_url() + "#change-requests")
    return _detail_error(request, project, cr_form=form)


@require_POST
def change_request_decide(request: AuthedRequest, pk: int, cr: int) -> HttpResponse:
    project = _project(pk)
    change_request = get_object_or_404(ChangeRequest.objects.select_related("project"), pk=cr, project=project)
    if not perm.can_decide_change_request(request.user, project):
        raise PermissionDenied("Only the project's two sponsors decide its change requests.")
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.change_request_decide(
                change_request=change_request,
                by=request.user,
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Your decision is recorded.")
            return redirect(change_request.get_absolute_url())
    errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
    return _detail_error(request, project, cr_errors={change_request.pk: errors})


# --- milestones ----------------------------------------------------------------------------
@require_POST
def milestone_add(request: AuthedRequest, pk: int) -> HttpResponse:
    project = _project(pk)
    if not perm.can_manage_milestone(request.user, project=project):
        raise PermissionDenied("Only the sponsors and the executives plan milestones.")
    form = MilestoneForm(request.POST, project=project)
    if form.is_valid():
        try:
            services.milestone_add(by=request.user, project=project, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "The milestone is added.")
            return redirect(project.get_absolute_url() + "#milestones")
    return _detail_error(request, project, milestone_form=form)


def _milestone(pk: int) -> Milestone:
    return get_object_or_404(Milestone.objects.select_related("project", "goal", "owner"), pk=pk)


def _milestone_home_url(m: Milestone) -> str:
    home = m.project or m.goal
    return (home.get_absolute_url() if home else reverse("projects:index")) + "#milestones"


@require_http_methods(["GET", "POST"])
def milestone_reschedule(request: AuthedRequest, pk: int) -> HttpResponse:
    m = _milestone(pk)
    if not perm.can_manage_milestone(request.user, project=m.project, goal=m.goal, milestone=m):
        raise PermissionDenied("Only the owner, the sponsors and the executives move a milestone.")
    form = RescheduleForm(request.POST or None, initial={"due_date": m.due_date})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.milestone_reschedule(milestone=m, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, "The milestone is moved.")
                return redirect(_milestone_home_url(m))
    return render(request, "projects/milestone_reschedule.html", {"milestone": m, "form": form}, status=status)


@require_POST
def milestone_done(request: AuthedRequest, pk: int) -> HttpResponse:
    m = _milestone(pk)
    if not perm.can_manage_milestone(request.user, project=m.project, goal=m.goal, milestone=m):
        raise PermissionDenied("Only the owner, the sponsors and the executives complete a milestone.")
    try:
        services.milestone_done(milestone=m, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"“{m.title}” is done.")
    return redirect(_milestone_home_url(m))


# --- the forced ranking --------------------------------------------------------------------
RANKING_PAGE = 50


def _ranking_page(request: AuthedRequest, total: int) -> int:
    pages = max(1, -(-total // RANKING_PAGE))
    data = request.POST if request.POST.get("page") else request.GET
    return int_param(data, "page", default=1, min=1, max=pages, clamp=True)


def _ranking_context(request: AuthedRequest, **extra: Any) -> dict[str, Any]:
    total = Project.objects.active().ranked().count()
    version = selectors.ranking_version()
    page = extra.pop("page", None) or _ranking_page(request, total)
    start = (page - 1) * RANKING_PAGE
    rows = selectors.ranking(limit=RANKING_PAGE, offset=start)
    ctx: dict[str, Any] = {
        "rows": rows,
        "total": total,
        "page": page,
        "pages": max(1, -(-total // RANKING_PAGE)),
        "first_rank": start + 1,
        "last_rank": start + len(rows),
        "version": version,
        "can_rank": perm.can_rank_projects(request.user),
        "history": selectors.ranking_history(limit=15),
        "reorder_form": extra.pop("reorder_form", None) or ReorderForm(initial={"version": version}),
        "move_errors": extra.pop("move_errors", {}),
        "conflict": extra.pop("conflict", None),
        "moved_project": extra.pop("moved_project", None),
        "move_forms": extra.pop("move_forms", {}),
    }
    # only the row being moved carries its move form (a page stays small with hundreds of projects)
    ctx["open_row"] = ctx["moved_project"] or id_param(request.GET, "move")
    ctx["open_form"] = ctx["move_forms"].get(ctx["open_row"])
    ctx.update(extra)
    return ctx


def _ranking_response(request: AuthedRequest, status: int = 200, **extra: Any) -> HttpResponse:
    if status < 400 and not wants_fragment(request):
        page = int_param(request.POST, "page", default=1, min=1, max=MAX_PAGE)
        return redirect(reverse("projects:ranking") + (f"?page={page}" if page != 1 else ""))
    return render_page(request, "projects/ranking.html", "ranking", _ranking_context(request, **extra), status=status)


@require_http_methods(["GET", "POST"])
def ranking(request: AuthedRequest) -> HttpResponse:
    """GET: the ranking. POST: save a new order (``order`` ids, ``reason``, ``version``) from drag and drop."""
    if request.method == "GET":
        return render_page(request, "projects/ranking.html", "ranking", _ranking_context(request))
    if not perm.can_rank_projects(request.user):
        raise PermissionDenied("Only executives reorder the ranking.")
    form = ReorderForm(request.POST)
    order = id_list(request.POST.getlist("order")) or []
    if order:  # the page's new order, set into the whole ranking in place of that page's slice
        ranked = selectors.ranked_ids()
        start = (_ranking_page(request, len(ranked)) - 1) * RANKING_PAGE
        if sorted(ranked[start : start + len(order)]) == sorted(order):
            order = ranked[:start] + order + ranked[start + len(order) :]
    if not order:
        form.add_error(None, "The new order is missing; drag the projects or use the move buttons.")
    if not form.is_valid() or not order:
        return _ranking_response(request, status=422, reorder_form=form)
    try:
        services.ranking_reorder(
            by=request.user, order=order, version=form.cleaned_data["version"], reason=form.cleaned_data["reason"]
        )
    except ConflictError as exc:
        return _ranking_response(request, status=409, conflict=str(exc))
    except ValidationError as exc:
        add_errors(form, exc)
        return _ranking_response(request, status=422, reorder_form=form)
    if not wants_fragment(request):
        messages.success(request, "The ranking is saved and both sponsors of every moved project are told.")
    return _ranking_response(request)


@require_POST
def ranking_move(request: AuthedRequest, pk: int) -> HttpResponse:
    """The keyboard and no-JS way: move up, move down, or move to rank N, with a reason."""
    if not perm.can_rank_projects(request.user):
        raise PermissionDenied("Only executives reorder the ranking.")
    project = get_object_or_404(Project, pk=pk)
    data = request.POST.copy()
    direction = data.get("direction")
    if direction in ("up", "down") and project.rank:
        data["to_rank"] = str(project.rank - 1 if direction == "up" else project.rank + 1)
    form = RankMoveForm(data)
    if form.is_valid():
        try:
            services.ranking_move(by=request.user, project=project, **form.cleaned_data)
        except ConflictError as exc:
            return _ranking_response(request, status=409, conflict=str(exc))
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            if not wants_fragment(request):
                messages.success(request, f"{project.name} moved; both sponsors are told.")
            return _ranking_response(request)
    return _ranking_response(request, status=422, move_forms={project.pk: form}, moved_project=project.pk)


# --- goals ---------------------------------------------------------------------------------
@require_GET
def goal_list(request: AuthedRequest) -> HttpResponse:
    return render(
        request,
        "projects/goal_list.html",
        {"goals": selectors.goal_list(), "can_create": perm.can_manage_goals(request.user)},
    )


@require_http_methods(["GET", "POST"])
def goal_create(request: AuthedRequest) -> HttpResponse:
    if not perm.can_manage_goals(request.user):
        raise PermissionDenied("Only executives, admins and liaisons set shared goals.")
    form = GoalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            goal = services.goal_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "The goal is set.")
            return redirect(goal)
    return render(request, "projects/goal_create.html", {"form": form}, status=422 if request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
def goal_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    goal = get_object_or_404(Goal.objects.select_related("marketing_owner", "it_owner"), pk=pk)
    can_plan = perm.can_manage_milestone(request.user, goal=goal)
    form = MilestoneForm(request.POST or None, initial={"owner": request.user})
    status = 200
    if request.method == "POST":
        if not can_plan:
            raise PermissionDenied("Only the goal's owners and the executives plan its milestones.")
        status = 422
        if form.is_valid():
            try:
                services.milestone_add(by=request.user, goal=goal, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, "The milestone is added.")
                return redirect(goal.get_absolute_url() + "#milestones")
    milestones = selectors.goal_milestones(goal)
    return render(
        request,
        "projects/goal_detail.html",
        {
            "goal": goal,
            "milestones": milestones,
            "progress": selectors.progress(milestones),
            "projects": list(goal.projects.select_related("marketing_sponsor", "it_sponsor").order_by("rank", "name")),
            "detours": selectors.goal_detours(goal, request.user),
            "can_plan": can_plan,
            "milestone_form": form,
            "today": timezone.localdate(),
        },
        status=status,
    )


# --- the public change feed ----------------------------------------------------------------
@require_GET
def change_feed(request: AuthedRequest) -> HttpResponse:
    kind = choice_param(request.GET, "kind", FeedKind.values)
    return render_page(
        request,
        "projects/changes.html",
        "entries",
        {"entries": selectors.change_feed(limit=100, kind=kind or None), "kind": kind, "kinds": FeedKind.choices},
    )
