"""Views of the parking lot: plain functions — find what is visible, check the permission, call the service,
answer with the page or its fragment."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from collab.accounts import permissions as perm
from collab.accounts.http import AuthedRequest
from collab.accounts.models import Department
from collab.lib.csvsafe import csv_download
from collab.lib.htmx import render_page, wants_fragment
from collab.lib.params import MAX_PAGE, int_param
from collab.projects.models import Project
from parkinglot import selectors, services
from parkinglot.forms import AssignForm, CommentForm, MoveForm, ReviewActionForm, SnagEditForm, SnagForm, owner_choices
from parkinglot.models import Comment, ParkedFor, Snag, SnagStatus

PAGE_SIZE = 25


def _snag(request: AuthedRequest, code: str) -> Snag:
    snag = selectors.get_visible(request.user, code)
    if snag is None:
        raise Http404("No such snag.")
    return snag


def _safe_next(request: AuthedRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


# --- the list ------------------------------------------------------------------------------
def _list_context(request: AuthedRequest) -> dict[str, Any]:
    flt = selectors.SnagFilter.from_query(request.GET)
    qs = selectors.snag_list(request.user, flt)
    page = Paginator(qs, PAGE_SIZE).get_page(int_param(request.GET, "page", default=1, min=1, max=MAX_PAGE))
    return {
        "filter": flt,
        "page": page,
        "snags": list(page.object_list),
        "now": timezone.now(),
        "status_filters": selectors.STATUS_FILTERS,
        "sorts": selectors.SORT_LABELS,
        "impacts": Snag._meta.get_field("impact").choices,
        "departments": Department.choices,
        "owners": owner_choices(flt.owner),
        "projects": Project.objects.order_by("name").only("pk", "name"),
        "can_triage": perm.can_triage_snag(request.user),
    }


@require_GET
def index(request: AuthedRequest) -> HttpResponse:
    context = _list_context(request)
    response = render_page(request, "parkinglot/index.html", "results", context)
    if wants_fragment(request):
        response["HX-Push-Url"] = f"{reverse('parkinglot:index')}?{context['filter'].query()}"
    return response


@require_GET
def export_csv(request: AuthedRequest) -> StreamingHttpResponse:
    """The filtered list as CSV, streamed in chunks so a large list does not fill memory."""
    flt = selectors.SnagFilter.from_query(request.GET)
    header = [
        "code", "title", "status", "impact", "department", "raised by", "owner", "project",
        "created", "respond by", "first answer", "resolved", "escalation", "me too", "days lost",
    ]  # fmt: skip
    rows = (
        (
            s.code,
            s.title,
            s.get_status_display(),
            s.get_impact_display(),
            s.get_raiser_department_display(),
            s.raised_by.display_name,
            s.owner.display_name if s.owner else "",
            s.project.name if s.project else "",
            s.created_at.isoformat(timespec="minutes"),
            s.respond_by.isoformat(timespec="minutes"),
            s.first_answered_at.isoformat(timespec="minutes") if s.first_answered_at else "",
            s.resolved_at.isoformat(timespec="minutes") if s.resolved_at else "",
            s.escalation_level,
            s.me_too_count,
            s.days_lost,
        )
        for s in selectors.snag_list(request.user, flt).iterator(chunk_size=2000)
    )
    return csv_download(f"snags-{timezone.localdate().isoformat()}.csv", header, rows)


# --- quick add -----------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def new(request: AuthedRequest) -> HttpResponse:
    if not perm.can_raise_snag(request.user):
        raise PermissionDenied
    form = SnagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            snag = services.snag_create(raised_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            if wants_fragment(request):
                response = render(request, "parkinglot/new.html#done", {"snag": snag, "form": SnagForm()})
                response["HX-Trigger"] = "snagLogged"
                return response
            messages.success(request, f"Logged {snag.code}. Its owner is {_owner_name(snag)}.")
            return redirect(snag)
    status = 422 if request.method == "POST" else 200
    return render_page(request, "parkinglot/new.html", "form", {"form": form}, status=status)


def _owner_name(snag: Snag) -> str:
    return snag.owner.display_name if snag.owner else "not set yet"


# --- one snag ------------------------------------------------------------------------------
def _detail_context(request: AuthedRequest, snag: Snag, **extra: Any) -> dict[str, Any]:
    user = request.user
    moves = services.allowed_moves(snag, user)
    context = {
        "snag": snag,
        "events": list(snag.events.select_related("by")),
        "comments": list(snag.comments.select_related("author")),
        "moves": moves,
        "move_form": MoveForm(initial={"version": snag.version}),
        "comment_form": CommentForm(),
        "assign_form": AssignForm(initial={"owner": snag.owner_id}, current=snag.owner_id),
        "can_assign": perm.is_liaison(user) or perm.is_leader(user),
        "can_edit": perm.can_triage_snag(user, snag) or perm.can_confirm_snag_answer(user, snag),
        "has_me_too": snag.me_toos.filter(user=user).exists(),
        "can_me_too": perm.can_me_too(user, snag),
        "parked_for": ParkedFor.choices,
        "now": timezone.now(),
        "user_id": user.pk,
    }
    context.update(extra)
    return context


@require_GET
def detail(request: AuthedRequest, code: str) -> HttpResponse:
    snag = _snag(request, code)
    return render(request, "parkinglot/detail.html", _detail_context(request, snag))


@require_POST
def move(request: AuthedRequest, code: str) -> HttpResponse:
    """One move along the lifecycle: from the detail page, the board (drag and drop or its move menu) or
    review mode. Without JavaScript it redirects back; with htmx it answers with the part that changed."""
    snag = _snag(request, code)
    form = MoveForm(request.POST)
    from_board = request.POST.get("from") == "board"
    error = ""
    if form.is_valid():
        try:
            services.snag_transition(
                snag=snag,
                by=request.user,
                to=form.cleaned_data["to"],
                note=form.cleaned_data["note"],
                parked_for=form.cleaned_data["parked_for"],
                version=form.cleaned_data["version"],
            )
        except services.ConflictError as exc:
            error = f"{exc} It is now {exc.current.get_status_display().lower()}."
            snag = exc.current
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = "Choose where to move the snag."
    if from_board:
        if wants_fragment(request):
            return render(
                request,
                "parkinglot/board.html#board",
                _board_context(request, error=error, expand=snag.code if error else "", chosen=request.POST),
                status=422 if error else 200,
            )
        if error:  # no JavaScript: the board again, this card's move form open with the message
            context = _board_context(request, error=error, expand=snag.code, chosen=request.POST)
            return render(request, "parkinglot/board.html", context, status=422)
        messages.success(request, f"{snag.code} moved.")
        department = request.POST.get("department", "")
        board_url = reverse("parkinglot:board") + (
            f"?department={department}" if department in Department.values else ""
        )
        return redirect(_safe_next(request, board_url))
    if error:
        if wants_fragment(request):
            snag.refresh_from_db()
            context = _detail_context(request, snag, move_error=error, move_form=MoveForm(request.POST))
            return render(request, "parkinglot/detail.html#actions", context, status=422)
        messages.error(request, error)
    else:
        messages.success(request, f"{snag.code} is now {SnagStatus(form.cleaned_data['to']).label.lower()}.")
    target = _safe_next(request, snag.get_absolute_url())
    if wants_fragment(request):  # the whole page changes (status, history, actions): load it again
        return HttpResponse(status=204, headers={"HX-Redirect": target})
    return redirect(target)


@require_http_methods(["GET", "POST"])
def edit(request: AuthedRequest, code: str) -> HttpResponse:
    snag = _snag(request, code)
    if not (perm.can_triage_snag(request.user, snag) or perm.can_confirm_snag_answer(request.user, snag)):
        raise PermissionDenied
    initial = {
        "title": snag.title,
        "details": snag.details,
        "impact": snag.impact,
        "project": snag.project_id,
        "goal": snag.goal_id,
        "days_lost": snag.days_lost,
        "version": snag.version,
    }
    form = SnagEditForm(request.POST or None, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.snag_update(snag=snag, by=request.user, **form.cleaned_data)
        except services.ConflictError as exc:
            conflict = exc.current
            form.add_error(None, str(exc))
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, f"{snag.code} saved.")
            return redirect(snag)
    status = 422 if request.method == "POST" else 200
    return render(request, "parkinglot/edit.html", {"snag": snag, "form": form, "conflict": conflict}, status=status)


@require_POST
def comment(request: AuthedRequest, code: str) -> HttpResponse:
    snag = _snag(request, code)
    form = CommentForm(request.POST)
    if form.is_valid():
        services.comment_add(snag=snag, author=request.user, body=form.cleaned_data["body"])
        if wants_fragment(request):
            return render(request, "parkinglot/detail.html#comments", _detail_context(request, snag))
        messages.success(request, "Comment added.")
        return redirect(f"{snag.get_absolute_url()}#comments")
    context = _detail_context(request, snag, comment_form=form)
    return render_page(request, "parkinglot/detail.html", "comments", context, status=422)


@require_http_methods(["GET", "POST"])
def comment_edit(request: AuthedRequest, code: str, pk: int) -> HttpResponse:
    snag = _snag(request, code)
    found = Comment.objects.filter(snag=snag, pk=pk).select_related("author").first()
    if found is None:
        raise Http404("No such comment.")
    if not perm.can_edit_comment(request.user, found):
        raise PermissionDenied
    form = CommentForm(request.POST or None, initial={"body": found.body})
    if request.method == "POST" and form.is_valid():
        services.comment_edit(comment=found, by=request.user, body=form.cleaned_data["body"])
        messages.success(request, "Comment saved.")
        return redirect(f"{snag.get_absolute_url()}#comments")
    status = 422 if request.method == "POST" else 200
    return render(
        request, "parkinglot/comment_edit.html", {"snag": snag, "form": form, "comment": found}, status=status
    )


@require_POST
def me_too(request: AuthedRequest, code: str) -> HttpResponse:
    snag = _snag(request, code)
    if not perm.can_me_too(request.user, snag):
        raise PermissionDenied("You raised this snag: you are counted already.")
    added = services.me_too(snag=snag, user=request.user)
    snag.refresh_from_db()
    if wants_fragment(request):
        return render(request, "parkinglot/detail.html#me-too", _detail_context(request, snag))
    if added:
        messages.success(request, "Counted: you hit this snag too.")
    else:
        messages.info(request, "You are already counted on this snag.")
    return redirect(snag)


@require_POST
def assign(request: AuthedRequest, code: str) -> HttpResponse:
    snag = _snag(request, code)
    if not (perm.is_liaison(request.user) or perm.is_leader(request.user)):
        raise PermissionDenied
    form = AssignForm(request.POST, current=snag.owner_id)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors.get("owner", ["Choose an owner."])))
        return redirect(_safe_next(request, snag.get_absolute_url()))
    try:
        services.snag_assign(snag=snag, by=request.user, owner=form.cleaned_data["owner"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{snag.code} is now owned by {form.cleaned_data['owner'].display_name}.")
    return redirect(_safe_next(request, snag.get_absolute_url()))


# --- the board -----------------------------------------------------------------------------
def _board_context(request: AuthedRequest, error: str = "", expand: str = "", chosen: Any = None) -> dict[str, Any]:
    """The board. Each card carries a small move menu (status and a button); the card a move needs a note
    for (``expand``) also shows the note and what it is parked for."""
    department = request.GET.get("department", "") or request.POST.get("department", "")
    if department not in Department.values:
        department = ""
    columns = selectors.board(request.user, department=department)
    for column in columns:
        for card in column["cards"]:
            card.moves = services.allowed_moves(card, request.user)  # type: ignore[attr-defined]
    return {
        "columns": columns,
        "department": department,
        "departments": Department.choices,
        "board_error": error,
        "expand": expand,
        "chosen_to": (chosen or {}).get("to", ""),
        "chosen_note": (chosen or {}).get("note", ""),
        "parked_for": ParkedFor.choices,
        "needs_note": {str(k): v for k, v in services.NEEDS_NOTE.items()},
    }


@require_GET
def board(request: AuthedRequest) -> HttpResponse:
    return render_page(request, "parkinglot/board.html", "board", _board_context(request))


# --- review mode ---------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def review(request: AuthedRequest) -> HttpResponse:
    """Walk the unanswered snags one at a time, escalated first and then oldest first."""
    if not perm.can_triage_snag(request.user):
        raise PermissionDenied
    skipped = [c for c in request.POST.getlist("skipped") or request.GET.getlist("skipped") if c][:500]
    error = ""
    form = ReviewActionForm(request.POST or None)
    done = ""
    if request.method == "POST":
        snag = _snag(request, request.POST.get("code", ""))
        if not form.is_valid():
            error = "Choose an action."
        else:
            data = form.cleaned_data
            try:
                if data["action"] == "skip":
                    skipped.append(snag.code)
                elif data["action"] == "assign":
                    if data["owner"] is None:
                        raise ValidationError("Choose who should own this snag.")
                    services.snag_assign(snag=snag, by=request.user, owner=data["owner"])
                    skipped.append(snag.code)
                    done = f"{snag.code} assigned to {data['owner'].display_name}."
                else:
                    to = SnagStatus.ANSWERED if data["action"] == "answer" else SnagStatus.PARKED
                    services.snag_transition(
                        snag=snag,
                        by=request.user,
                        to=to,
                        note=data["note"],
                        parked_for=data["parked_for"],
                        version=data["version"],
                    )
                    done = f"{snag.code} {'answered' if to == SnagStatus.ANSWERED else 'parked'}."
            except services.ConflictError as exc:
                error = f"{exc} It is now {exc.current.get_status_display().lower()}."
            except ValidationError as exc:
                error = " ".join(exc.messages)
    queue = selectors.review_queue(request.user)
    remaining = queue.count()
    current = None
    if error:
        current = _snag(request, request.POST.get("code", ""))
    else:
        current = queue.exclude(code__in=skipped).first()
    context = {
        "current": current,
        "remaining": remaining,
        "skipped": skipped,
        "error": error,
        "done": done,
        "form": form if error else ReviewActionForm(),
        "owners": owner_choices(),
        "parked_for": ParkedFor.choices,
        "comments": list(current.comments.select_related("author")) if current else [],
        "now": timezone.now(),
    }
    return render_page(request, "parkinglot/review.html", "card", context, status=422 if error else 200)
