from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from collab.accounts import permissions as perm
from collab.accounts.http import AuthedRequest
from collab.accounts.models import User
from collab.lib import snag_mentions
from collab.lib.htmx import render_page, wants_fragment
from collab.lib.params import id_list
from collab.lib.time import zone
from liaison import ical, selectors, services
from liaison.forms import (
    ActionItemForm,
    AgendaItemForm,
    AssignmentEditForm,
    AssignmentForm,
    AttendeesForm,
    CheckInForm,
    LogEntryForm,
    MeetingForm,
    NotesForm,
    SeriesForm,
)
from liaison.models import (
    ActionItem,
    AgendaItem,
    Cadence,
    CalendarFeed,
    LiaisonAssignment,
    Meeting,
    MeetingSeries,
    MeetingStatus,
)
from liaison.services import ConflictError


def _add_errors(form: Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                message = " ".join(str(m) for m in error.messages)
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


# --- liaisons ------------------------------------------------------------------------------
@require_GET
def liaisons(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "liaison/liaisons.html",
        {
            "coverage": selectors.coverage(today),
            "groups": selectors.assignments_overview(today),
            "upcoming": list(selectors.upcoming_assignments(today)),
            "can_manage": perm.can_manage_liaisons(request.user),
            "today": today,
        },
    )


@require_http_methods(["GET", "POST"])
def assignment_create(request: AuthedRequest) -> HttpResponse:
    if not perm.can_manage_liaisons(request.user):
        raise PermissionDenied("Only executives and admins assign liaisons.")
    form = AssignmentForm(request.POST or None, initial={"start_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            assignment = services.assignment_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"{assignment.person} now serves {assignment.get_served_department_display()}.")
            return redirect("liaison:liaisons")
    status = 422 if request.method == "POST" else 200
    return render(request, "liaison/assignment_form.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def assignment_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(LiaisonAssignment.objects.select_related("person", "mentor"), pk=pk)
    if not perm.can_manage_liaisons(request.user):
        raise PermissionDenied("Only executives and admins change liaison assignments.")
    initial = {
        "served_department": assignment.served_department,
        "mentor": assignment.mentor,
        "focus_areas": assignment.focus_areas,
        "projects": list(assignment.projects.all()),
        "start_date": assignment.start_date,
        "end_date": assignment.end_date,
        "version": assignment.version,
    }
    form = AssignmentEditForm(request.POST or None, initial=initial)
    conflict = None
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            try:
                services.assignment_update(assignment=assignment, by=request.user, version=version, **data)
            except ConflictError as exc:
                conflict, status = exc.current, 409
                form.add_error(None, str(exc))
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, "The assignment is saved.")
                return redirect(assignment)
    return render(
        request,
        "liaison/assignment_form.html",
        {"form": form, "assignment": assignment, "conflict": conflict},
        status=status,
    )


@require_POST
def assignment_end(request: AuthedRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(LiaisonAssignment, pk=pk)
    try:
        services.assignment_end(assignment=assignment, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(assignment)
    messages.success(request, "The assignment has ended.")
    return redirect(assignment)


def _person_context(request: AuthedRequest, person: User, **extra: Any) -> dict[str, Any]:
    query = request.GET.get("q", "").strip()
    assignments = list(
        person.liaison_assignments.select_related("mentor")  # type: ignore[attr-defined]
        .prefetch_related("projects", "history__by")
        .order_by("-start_date")
    )
    readable = selectors.checkins_readable_by(request.user, assignments)
    ctx = {
        "person": person,
        "assignments": [
            (a, perm.can_add_checkin(request.user, a), readable.get(a.pk)) for a in assignments
        ],  # (assignment, may record a check-in, its check-ins or None when the viewer may not read them)
        "entries": list(selectors.log_for(person, query)[:100]),
        "query": query,
        "can_write_log": perm.can_write_liaison_log(request.user, person),
        "can_manage": perm.can_manage_liaisons(request.user),
        "log_form": extra.pop("log_form", None) or LogEntryForm(initial={"date": timezone.localdate()}),
        "checkin_form": extra.pop("checkin_form", None) or CheckInForm(initial={"date": timezone.localdate()}),
        "open_actions": list(selectors.open_action_items_for([person])),
    }
    ctx.update(extra)
    return ctx


@require_GET
def person(request: AuthedRequest, username: str) -> HttpResponse:
    someone = get_object_or_404(User, username=username, is_active=True)
    return render_page(request, "liaison/person.html", "log", _person_context(request, someone))


@require_POST
def log_add(request: AuthedRequest, username: str) -> HttpResponse:
    someone = get_object_or_404(User, username=username, is_active=True)
    if not perm.can_write_liaison_log(request.user, someone):
        raise PermissionDenied("Only the liaison (or an executive) writes this log.")
    form = LogEntryForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.log_entry_add(
                liaison=someone,
                by=request.user,
                date=data["date"],
                meeting=data["meeting"],
                learned=data["learned"],
                follow_ups=form.follow_ups(),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Added to the log.")
            return redirect("liaison:person", someone.username)
    ctx = _person_context(request, someone, log_form=form)
    return render(request, "liaison/person.html", ctx, status=422)


@require_POST
def checkin_add(request: AuthedRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(LiaisonAssignment.objects.select_related("person"), pk=pk)
    if not perm.can_add_checkin(request.user, assignment):
        raise PermissionDenied("Only the mentor (or an executive) records a check-in.")
    form = CheckInForm(request.POST)
    if form.is_valid():
        try:
            services.checkin_add(assignment=assignment, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Check-in recorded.")
            return redirect(assignment)
    ctx = _person_context(request, assignment.person, checkin_form=form, checkin_for=assignment.pk)
    return render(request, "liaison/person.html", ctx, status=422)


# --- meetings ------------------------------------------------------------------------------
@require_GET
def meetings(request: AuthedRequest) -> HttpResponse:
    now = timezone.now()
    overview = selectors.meetings_overview(now)
    sync = selectors.cmo_cio_sync_status(now)
    return render(
        request,
        "liaison/meetings.html",
        {
            **overview,
            "sync": sync,
            "can_schedule_sync": sync["series"] is not None and perm.can_schedule_meeting(request.user, sync["series"]),
            "can_create_series": perm.can_create_series(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def series_create(request: AuthedRequest) -> HttpResponse:
    if not perm.can_create_series(request.user):
        raise PermissionDenied("Only executives, admins and liaisons start a meeting series.")
    form = SeriesForm(request.POST or None, initial={"organiser": request.user})
    if request.method == "POST" and form.is_valid():
        try:
            series = services.series_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"“{series.title}” is set up. Schedule its first meeting.")
            return redirect(series)
    status = 422 if request.method == "POST" else 200
    return render(request, "liaison/series_form.html", {"form": form}, status=status)


def _series(pk: int) -> MeetingSeries:
    return get_object_or_404(MeetingSeries.objects.select_related("organiser"), pk=pk)


@require_GET
def series(request: AuthedRequest, pk: int) -> HttpResponse:
    s = _series(pk)
    return render(
        request,
        "liaison/series.html",
        {
            "series": s,
            "meetings": selectors.series_meetings(s),
            "default_attendees": list(s.default_attendees.all()),
            "can_schedule": perm.can_schedule_meeting(request.user, s),
            "now": timezone.now(),
        },
    )


CADENCE_DAYS = {Cadence.WEEKLY: 7, Cadence.FORTNIGHTLY: 14, Cadence.MONTHLY: 28}


def _suggested_start(s: MeetingSeries) -> str | None:
    """The next slot after the series' latest meeting (same weekday and local time), for the form."""
    days = CADENCE_DAYS.get(Cadence(s.cadence))
    latest = s.meetings.exclude(status=MeetingStatus.CANCELLED).order_by("-start").first()
    if days is None or latest is None:
        return None
    tz = zone(s.organiser.time_zone)
    local = latest.start.astimezone(tz)
    today = timezone.now().astimezone(tz).date()
    while local.date() <= today:
        local = datetime.combine(local.date() + timedelta(days=days), local.time())
    return f"{local:%Y-%m-%dT%H:%M}"


@require_http_methods(["GET", "POST"])
def meeting_create(request: AuthedRequest, pk: int) -> HttpResponse:
    s = _series(pk)
    if not perm.can_schedule_meeting(request.user, s):
        raise PermissionDenied("Only the organiser, executives and liaisons schedule meetings.")
    initial = {
        "start": _suggested_start(s),
        "length_minutes": s.default_length_minutes,
        "location": s.default_location,
        "attendees": list(s.default_attendees.all()),
        "status": "planned",
    }
    form = MeetingForm(request.POST or None, initial=initial, time_zone=s.organiser.time_zone)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(by=request.user, series=s, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "The meeting is scheduled.")
            return redirect(meeting)
    status = 422 if request.method == "POST" else 200
    return render(request, "liaison/meeting_form.html", {"form": form, "series": s}, status=status)


def _meeting(pk: int) -> Meeting:
    return get_object_or_404(Meeting.objects.select_related("series", "organiser"), pk=pk)


def _meeting_context(request: AuthedRequest, meeting: Meeting, **extra: Any) -> dict[str, Any]:
    user = request.user
    attendees = list(meeting.attendees.order_by("first_name", "last_name"))
    ids = {a.pk for a in attendees}
    can_edit = perm.can_edit_meeting_agenda(user, meeting, ids)
    actions = list(meeting.action_items.select_related("owner"))
    items = selectors.agenda(meeting)
    history = list(meeting.history.select_related("by")[:15])
    # the agenda is stored and shared: an item made from a parked snag shows only to people who may open it
    snag_mentions.hide(user, items, ("title", "link", "source"))
    snag_mentions.hide(user, history, ("detail",))
    ctx = {
        "meeting": meeting,
        "items": items,
        "closable": {
            i.action_item_id
            for i in items
            if i.action_item and perm.can_close_meeting_action(user, i.action_item, i.action_item.meeting)
        },
        "attendees": attendees,
        "can_edit": can_edit,
        "can_manage": perm.can_manage_meeting(user, meeting),
        "actions": [(a, perm.can_close_meeting_action(user, a, meeting)) for a in actions],
        "history": history,
        "item_form": extra.pop("item_form", None) or AgendaItemForm(),
        "notes_form": extra.pop("notes_form", None)
        or NotesForm(initial={"notes": meeting.notes, "decisions": meeting.decisions, "version": meeting.version}),
        "attendees_form": extra.pop("attendees_form", None)
        or AttendeesForm(initial={"attendees": attendees}, meeting=meeting),
        "action_form": extra.pop("action_form", None) or ActionItemForm(initial={"owner": user}, meeting=meeting),
        "is_past": meeting.start < timezone.now(),
    }
    ctx.update(extra)
    return ctx


@require_GET
def meeting(request: AuthedRequest, pk: int) -> HttpResponse:
    m = _meeting(pk)
    if m.status == MeetingStatus.PLANNED:
        services.agenda_assemble(meeting=m)  # new open items and suggestions since the last visit
    return render_page(request, "liaison/meeting.html", "agenda", _meeting_context(request, m))


def _agenda_response(request: AuthedRequest, m: Meeting, status: int = 200, **extra: Any) -> HttpResponse:
    if wants_fragment(request):
        return render_page(
            request, "liaison/meeting.html", "agenda", _meeting_context(request, m, **extra), status=status
        )
    if status >= 400:
        return render(request, "liaison/meeting.html", _meeting_context(request, m, **extra), status=status)
    return redirect(m.get_absolute_url() + "#agenda")


def _require_agenda_edit(request: AuthedRequest, m: Meeting) -> None:
    if not perm.can_edit_meeting_agenda(request.user, m):
        raise PermissionDenied("Only attendees edit the agenda.")


@require_POST
def agenda_add(request: AuthedRequest, pk: int) -> HttpResponse:
    m = _meeting(pk)
    _require_agenda_edit(request, m)
    form = AgendaItemForm(request.POST)
    if form.is_valid():
        try:
            services.agenda_item_add(meeting=m, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return _agenda_response(request, m)
    return _agenda_response(request, m, status=422, item_form=form)


def _item(m: Meeting, item_pk: int) -> AgendaItem:
    return get_object_or_404(AgendaItem.objects.select_related("meeting"), pk=item_pk, meeting=m)


@require_POST
def agenda_tick(request: AuthedRequest, pk: int, item_pk: int) -> HttpResponse:
    m = _meeting(pk)
    _require_agenda_edit(request, m)
    item = _item(m, item_pk)
    services.agenda_item_tick(item=item, by=request.user, done=request.POST.get("done") == "1")
    return _agenda_response(request, m)


@require_POST
def agenda_remove(request: AuthedRequest, pk: int, item_pk: int) -> HttpResponse:
    m = _meeting(pk)
    _require_agenda_edit(request, m)
    services.agenda_item_remove(item=_item(m, item_pk), by=request.user)
    return _agenda_response(request, m)


@require_POST
def agenda_move(request: AuthedRequest, pk: int, item_pk: int) -> HttpResponse:
    m = _meeting(pk)
    _require_agenda_edit(request, m)
    direction = "up" if request.POST.get("direction") == "up" else "down"
    services.agenda_item_move(item=_item(m, item_pk), by=request.user, direction=direction)
    return _agenda_response(request, m)


@require_POST
def agenda_reorder(request: AuthedRequest, pk: int) -> HttpResponse:
    m = _meeting(pk)
    _require_agenda_edit(request, m)
    try:
        order = id_list(request.POST.getlist("order"))
        if order is None:
            raise ValidationError("An item of the new order is not an id.")
        services.agenda_reorder(meeting=m, by=request.user, order=order)
    except (ValueError, ValidationError):
        return _agenda_response(
            request, m, status=422, agenda_error="The agenda changed meanwhile; it is shown as it is now."
        )
    return _agenda_response(request, m)


@require_POST
def notes_save(request: AuthedRequest, pk: int) -> HttpResponse:
    m = _meeting(pk)
    if not perm.can_edit_meeting_agenda(request.user, m):
        raise PermissionDenied("Only attendees edit the notes.")
    form = NotesForm(request.POST)
    if not form.is_valid():
        return render(request, "liaison/meeting.html", _meeting_context(request, m, notes_form=form), status=422)
    try:
        services.meeting_notes_save(
            meeting=m,
            by=request.user,
            version=form.cleaned_data["version"],
            notes=form.cleaned_data["notes"],
            decisions=form.cleaned_data["decisions"],
        )
    except ConflictError as exc:
        current = exc.current
        fresh = NotesForm(initial={"notes": current.notes, "decisions": current.decisions, "version": current.version})
        ctx = _meeting_context(request, current, notes_form=fresh, conflict=str(exc), your_notes=form.cleaned_data)
        return render(request, "liaison/meeting.html", ctx, status=409)
    messages.success(request, "Notes saved.")
    return redirect(m.get_absolute_url() + "#notes")


@require_POST
def attendees_save(request: AuthedRequest, pk: int) -> HttpResponse:
    m = _meeting(pk)
    if not perm.can_manage_meeting(request.user, m):
        raise PermissionDenied("Only the organiser and executives change who attends.")
    form = AttendeesForm(request.POST, meeting=m)
    if not form.is_valid():
        return render(request, "liaison/meeting.html", _meeting_context(request, m, attendees_form=form), status=422)
    services.meeting_set_attendees(meeting=m, by=request.user, attendees=form.cleaned_data["attendees"])
    messages.success(request, "Attendees saved.")
    return redirect(m)


@require_POST
def status_save(request: AuthedRequest, pk: int) -> HttpResponse:
    m = _meeting(pk)
    to = request.POST.get("to", "")
    try:
        services.meeting_set_status(meeting=m, by=request.user, to=to)
    except ValidationError as exc:
        return render(
            request,
            "liaison/meeting.html",
            _meeting_context(request, m, status_error=" ".join(exc.messages)),
            status=422,
        )
    messages.success(request, f"The meeting is now “{m.get_status_display()}”.")
    return redirect(m)


@require_POST
def action_add(request: AuthedRequest, pk: int) -> HttpResponse:
    m = _meeting(pk)
    if not perm.can_edit_meeting_agenda(request.user, m):
        raise PermissionDenied("Only attendees record action items.")
    form = ActionItemForm(request.POST, meeting=m)
    if form.is_valid():
        try:
            services.action_item_add(meeting=m, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return redirect(m.get_absolute_url() + "#actions")
    return render(request, "liaison/meeting.html", _meeting_context(request, m, action_form=form), status=422)


@require_POST
def action_done(request: AuthedRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(ActionItem.objects.select_related("meeting", "owner"), pk=pk)
    services.action_item_done(action=action, by=request.user, done=request.POST.get("done", "1") == "1")
    nxt = request.POST.get("next", "")
    if nxt.startswith("/") and not nxt.startswith("//"):
        return redirect(nxt)
    return redirect(action.get_absolute_url())


@require_GET
def meeting_ics(request: AuthedRequest, pk: int) -> HttpResponse:
    m = _meeting(pk)
    response = HttpResponse(ical.invitation(m), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{m.pk}.ics"'
    return response


# --- calendar ------------------------------------------------------------------------------
@require_GET
def calendar(request: AuthedRequest) -> HttpResponse:
    feed = services.calendar_feed_for(user=request.user)
    url = request.build_absolute_uri(feed.get_absolute_url())
    return render(
        request, "liaison/calendar.html", {"feed_url": url, "webcal_url": "webcal://" + url.split("://", 1)[1]}
    )


@require_POST
def calendar_regenerate(request: AuthedRequest) -> HttpResponse:
    services.calendar_feed_regenerate(user=request.user)
    messages.success(request, "A new feed address is ready; the old one no longer works.")
    return redirect("liaison:calendar")


@login_not_required
@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The private feed: no login, the token is the key. A wrong or revoked token is a 404."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token, user__is_active=True).first()
    if feed is None:
        raise Http404("No such calendar feed.")
    body = ical.feed(feed.user, selectors.meetings_for_calendar(feed.user))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response
