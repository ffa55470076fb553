from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from collab.accounts import permissions as perm
from collab.accounts.http import AuthedRequest
from collab.lib import snag_mentions
from collab.lib.htmx import render_page, wants_fragment
from collab.lib.params import id_list
from reviews import exports, facts, selectors, services
from reviews.forms import (
    ActionItemForm,
    AddendumForm,
    AgendaItemEditForm,
    AgendaItemForm,
    DecisionForm,
    InputForm,
    MinutesForm,
    ReviewForm,
    UnlockForm,
)
from reviews.models import ActionItem, AgendaItem, Review, ReviewStatus, TeamInput
from reviews.services import ALLOWED, ConflictError


def _review(year: int, quarter: int) -> Review:
    return get_object_or_404(Review.objects.select_related("facilitator"), year=year, quarter=quarter)


def _errors(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


@require_GET
def index(request: AuthedRequest) -> HttpResponse:
    reviews = list(selectors.review_list())
    rows = [(r, selectors.preparation(r)) for r in reviews]
    done = (ReviewStatus.HELD, ReviewStatus.MINUTES_PUBLISHED)
    upcoming = sorted((row for row in rows if row[0].status not in done), key=lambda row: (row[0].year, row[0].quarter))
    past = [row for row in rows if row[0].status in done]
    return render(
        request,
        "reviews/index.html",
        {"upcoming": upcoming, "past": past, "can_create": perm.can_create_review(request.user)},
    )


@require_http_methods(["GET", "POST"])
def create(request: AuthedRequest) -> HttpResponse:
    if not perm.can_create_review(request.user):
        raise PermissionDenied("Only executives and admins plan a review.")
    form = ReviewForm(request.POST or None, initial={"year": timezone.now().year, "facilitator": request.user})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            review = services.review_create(by=request.user, **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"QBR {review.label} is planned.")
            return redirect(review)
    status = 422 if request.method == "POST" else 200
    return render(request, "reviews/create.html", {"form": form}, status=status)


def _context(request: AuthedRequest, review: Review, **extra: Any) -> dict[str, Any]:
    user = request.user
    attendees = list(review.attendees.order_by("first_name"))
    attendee_ids = {a.pk for a in attendees}
    items = selectors.agenda(review, user)
    inputs = list(review.inputs.select_related("submitted_by"))
    prep = selectors.preparation(review, inputs=inputs, minutes=sum(i.time_box_minutes for i in items))
    facts_data, frozen = facts.for_display(review, user)
    actions = list(review.action_items.select_related("owner"))
    decisions = list(review.decisions.select_related("item", "recorded_by"))
    history = list(review.agenda_history.select_related("by")[:15])
    selectors.hide_snag_mentions(user, decisions, history)
    input_form = extra.pop("input_form", None)  # (team, bound form) of a refused submission
    can_record = perm.can_record_review_outcome(user, review, attendee_ids)
    ctx = {
        "review": review,
        "items": items,
        "prep": prep,
        "facts": facts_data,
        "facts_frozen": frozen,
        "inputs": [
            (
                i,
                perm.can_edit_team_input(user, review, i.team),
                input_form[1]
                if input_form and input_form[0] == i.team
                else InputForm(initial={"text": i.text, "version": i.version}, auto_id=f"id_input_{i.team}_%s"),
            )
            for i in inputs
        ],
        "decisions": decisions,
        "actions": actions,
        "history": history,
        "attendees": attendees,
        "pulse": getattr(review, "pulse", None),
        "can_edit": perm.can_propose_review_item(user, review, attendee_ids),
        "can_facilitate": perm.can_facilitate_review(user, review),
        "can_unlock": perm.can_unlock_review(user, review),
        "can_record": can_record,
        "can_close": {a.pk for a in actions if perm.can_close_review_action(user, a, review)},
        "next_steps": [
            (s, ReviewStatus(s).label)
            for s in sorted(ALLOWED[ReviewStatus(review.status)], key=services.status_position, reverse=True)
            if not (review.is_locked and s == ReviewStatus.COLLECTING_INPUT)  # the unlock has a form of its own
        ],
        "item_form": extra.pop("item_form", None) or AgendaItemForm(initial={"presenter": user}, review=review),
        "decision_form": extra.pop("decision_form", None) or DecisionForm(),
        "action_form": extra.pop("action_form", None) or ActionItemForm(initial={"owner": user}, review=review),
        "unlock_form": extra.pop("unlock_form", None) or UnlockForm(),
        **_minutes_context(request, review, extra),
    }
    ctx.update(extra)
    return ctx


def _minutes_context(request: AuthedRequest, review: Review, extra: dict[str, Any]) -> dict[str, Any]:
    """The minutes' part of the page: the summary (a form while it may be written), the dated addenda, and the
    correction form once the minutes are published."""
    user = request.user
    return {
        "addenda": list(review.addenda.select_related("by")),
        "can_write_minutes": perm.can_write_review_minutes(user, review),
        "can_add_addendum": perm.can_add_minutes_addendum(user, review),
        "minutes_form": extra.pop("minutes_form", None)
        or MinutesForm(initial={"summary": review.summary, "version": review.version}),
        "addendum_form": extra.pop("addendum_form", None) or AddendumForm(),
        "minutes_conflict": extra.pop("minutes_conflict", None),
    }


@require_GET
def detail(request: AuthedRequest, year: int, quarter: int) -> HttpResponse:
    review = _review(year, quarter)
    return render_page(request, "reviews/detail.html", "agenda", _context(request, review))


def _agenda_response(request: AuthedRequest, review: Review, status: int = 200, **extra: Any) -> HttpResponse:
    if wants_fragment(request):
        return render_page(request, "reviews/detail.html", "agenda", _context(request, review, **extra), status=status)
    if status >= 400:
        return render(request, "reviews/detail.html", _context(request, review, **extra), status=status)
    return redirect(review.get_absolute_url() + "#agenda")


@require_GET
def suggestions(request: AuthedRequest, year: int, quarter: int) -> HttpResponse:
    """What the other apps suggest for the agenda: loaded into the review page by htmx, a page of its own
    without JavaScript."""
    review = _review(year, quarter)
    context = {
        "review": review,
        "suggestions": selectors.suggestions(review, request.user) if not review.is_locked else [],
        "can_edit": perm.can_propose_review_item(request.user, review),
    }
    return render_page(request, "reviews/suggestions.html", "list", context)


@require_POST
def suggestion_add(request: AuthedRequest, year: int, quarter: int) -> HttpResponse:
    review = _review(year, quarter)
    if not perm.can_propose_review_item(request.user, review):
        raise PermissionDenied("The agenda is locked: only the facilitator changes it now.")
    try:
        item = services.suggestion_add(review=review, by=request.user, key=request.POST.get("key", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(_errors(exc)))
    else:
        messages.success(request, f"“{item.title}” is on the agenda.")
    return redirect(review.get_absolute_url() + "#agenda")


@require_POST
def item_add(request: AuthedRequest, year: int, quarter: int) -> HttpResponse:
    review = _review(year, quarter)
    if not perm.can_propose_review_item(request.user, review):
        raise PermissionDenied("The agenda is locked: only the facilitator changes it now.")
    form = AgendaItemForm(request.POST, review=review)
    if form.is_valid():
        try:
            services.item_add(review=review, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for message in _errors(exc):
                form.add_error(None, message)
        else:
            if not wants_fragment(request):
                messages.success(request, "Added to the agenda.")
            return _agenda_response(request, review)
    return _agenda_response(request, review, status=422, item_form=form)


@require_http_methods(["GET", "POST"])
def item_edit(request: AuthedRequest, year: int, quarter: int, pk: int) -> HttpResponse:
    review = _review(year, quarter)
    item = get_object_or_404(AgendaItem.objects.select_related("presenter"), pk=pk, review=review)
    if snag_mentions.names_hidden_snag(request.user, [f"{item.title} {item.notes} {item.source}"])[0]:
        raise Http404("No such agenda item.")  # made from a snag this person may not open
    if not perm.can_propose_review_item(request.user, review):
        raise PermissionDenied("The agenda is locked: only the facilitator changes it now.")
    form = AgendaItemEditForm(
        request.POST or None, instance=item, initial={"version": item.version}, review=item.review
    )
    conflict = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                services.item_update(item=item, by=request.user, version=form.cleaned_data["version"], **data)
            except ConflictError as exc:
                conflict = exc.current
                form = AgendaItemEditForm(
                    request.POST, instance=item, initial={"version": item.version}, review=item.review
                )
                form.is_valid()
                status = 409
            except ValidationError as exc:
                for message in _errors(exc):
                    form.add_error(None, message)
                status = 422
            else:
                messages.success(request, "The agenda item is saved.")
                return redirect(review.get_absolute_url() + "#agenda")
        else:
            status = 422
    return render(
        request,
        "reviews/item_edit.html",
        {"review": review, "item": item, "form": form, "conflict": conflict},
        status=status,
    )


@require_POST
def item_delete(request: AuthedRequest, year: int, quarter: int, pk: int) -> HttpResponse:
    review = _review(year, quarter)
    item = get_object_or_404(AgendaItem, pk=pk, review=review)
    services.item_delete(item=item, by=request.user)
    return _agenda_response(request, review)


@require_POST
def item_move(request: AuthedRequest, year: int, quarter: int, pk: int) -> HttpResponse:
    review = _review(year, quarter)
    item = get_object_or_404(AgendaItem, pk=pk, review=review)
    services.item_move(item=item, by=request.user, direction="up" if request.POST.get("direction") == "up" else "down")
    return _agenda_response(request, review)


@require_POST
def reorder(request: AuthedRequest, year: int, quarter: int) -> HttpResponse:
    review = _review(year, quarter)
    try:
        order = id_list(request.POST.getlist("order"))
        if order is None:
            raise ValidationError("An item of the new order is not an id.")
        services.items_reorder(review=review, by=request.user, order=order)
    except (ValueError, ValidationError):
        return _agenda_response(
            request, review, status=422, agenda_error="The agenda changed meanwhile; it is shown as it is now."
        )
    return _agenda_response(request, review)


@require_POST
def transition(request: AuthedRequest, year: int, quarter: int) -> HttpResponse:
    review = _review(year, quarter)
    if not perm.can_facilitate_review(request.user, review):
        raise PermissionDenied("Only the facilitator and executives move a review along.")
    to = request.POST.get("to", "")
    unlocking = review.status == ReviewStatus.AGENDA_LOCKED and to == ReviewStatus.COLLECTING_INPUT
    unlock_form = UnlockForm(request.POST) if unlocking else None
    if unlock_form is not None and not unlock_form.is_valid():
        context = _context(request, review, unlock_form=unlock_form)
        return render(request, "reviews/detail.html", context, status=422)
    reason = unlock_form.cleaned_data["reason"] if unlock_form is not None else ""
    try:
        services.review_transition(review=review, by=request.user, to=to, reason=reason)
    except ValidationError as exc:
        if unlock_form is not None and hasattr(exc, "error_dict") and "reason" in exc.error_dict:
            unlock_form.add_error("reason", exc.error_dict["reason"])
            return render(
                request, "reviews/detail.html", _context(request, review, unlock_form=unlock_form), status=422
            )
        messages.error(request, " ".join(_errors(exc)))
        return render(request, "reviews/detail.html", _context(request, review), status=422)
    except ConflictError as exc:
        messages.error(request, str(exc))
        return render(request, "reviews/detail.html", _context(request, review), status=409)
    if unlocking:
        messages.success(request, f"The agenda of QBR {review.label} is unlocked; the reason is in the history.")
    else:
        messages.success(request, f"QBR {review.label} is now “{review.get_status_display()}”.")
    return redirect(review)


def _minutes_response(request: AuthedRequest, review: Review, status: int = 200, **extra: Any) -> HttpResponse:
    """The minutes' fragment for htmx; for a plain form, the page again on an error, else back to the minutes."""
    if wants_fragment(request):
        return render_page(request, "reviews/detail.html", "minutes", _context(request, review, **extra), status=status)
    if status >= 400:
        return render(request, "reviews/detail.html", _context(request, review, **extra), status=status)
    return redirect(review.get_absolute_url() + "#minutes")


@require_POST
def minutes_save(request: AuthedRequest, year: int, quarter: int) -> HttpResponse:
    review = _review(year, quarter)
    if not perm.can_write_review_minutes(request.user, review):
        if review.minutes_published:
            raise PermissionDenied("The minutes are published and final: add a dated correction instead.")
        raise PermissionDenied("The facilitator and the executives write the minutes, once the agenda is locked.")
    form = MinutesForm(request.POST)
    if not form.is_valid():
        return _minutes_response(request, review, status=422, minutes_form=form)
    try:
        review = services.minutes_update(
            review=review, by=request.user, summary=form.cleaned_data["summary"], version=form.cleaned_data["version"]
        )
    except ConflictError as exc:
        form.add_error(None, str(exc))
        return _minutes_response(request, exc.current, status=409, minutes_form=form, minutes_conflict=exc.current)
    except ValidationError as exc:
        for message in _errors(exc):
            form.add_error("summary", message)
        return _minutes_response(request, review, status=422, minutes_form=form)
    if not wants_fragment(request):
        messages.success(request, "The minutes are saved.")
    return _minutes_response(request, review, saved="The minutes are saved.")


@require_POST
def addendum_add(request: AuthedRequest, year: int, quarter: int) -> HttpResponse:
    review = _review(year, quarter)
    if not perm.can_add_minutes_addendum(request.user, review):
        raise PermissionDenied(
            "Corrections are added by the facilitator or an executive, once the minutes are published."
        )
    form = AddendumForm(request.POST)
    if not form.is_valid():
        return _minutes_response(request, review, status=422, addendum_form=form)
    try:
        services.addendum_add(review=review, by=request.user, text=form.cleaned_data["text"])
    except ValidationError as exc:
        for message in _errors(exc):
            form.add_error("text", message)
        return _minutes_response(request, review, status=422, addendum_form=form)
    if not wants_fragment(request):
        messages.success(request, "The correction is added to the minutes, dated today.")
    return _minutes_response(request, review, saved="The correction is added to the minutes, dated today.")


@require_POST
def input_submit(request: AuthedRequest, year: int, quarter: int, team: str) -> HttpResponse:
    review = _review(year, quarter)
    team_input = get_object_or_404(TeamInput, review=review, team=team)
    if not perm.can_edit_team_input(request.user, review, team):
        if review.is_locked:
            raise PermissionDenied("The agenda is locked: the team inputs are frozen with it.")
        raise PermissionDenied(
            f"Only {team_input.get_team_display()}'s people write {team_input.get_team_display()}'s input."
        )
    form = InputForm(request.POST, auto_id=f"id_input_{team}_%s")
    if form.is_valid():
        try:
            services.input_submit(
                team_input=team_input,
                by=request.user,
                text=form.cleaned_data["text"],
                version=form.cleaned_data["version"],
            )
        except ConflictError as exc:
            messages.error(request, str(exc))
            return render(request, "reviews/detail.html", _context(request, review), status=409)
        except ValidationError as exc:
            for message in _errors(exc):
                form.add_error("text", message)
        else:
            team_input.refresh_from_db()
            late = " It came in after the deadline and is marked late." if team_input.state == "late" else ""
            messages.success(request, f"{team_input.get_team_display()} input saved.{late}")
            return redirect(review.get_absolute_url() + "#inputs")
    return render(request, "reviews/detail.html", _context(request, review, input_form=(team, form)), status=422)


def _outcome_refusal(review: Review) -> str:
    if review.minutes_published:
        return "The minutes are published and final: add a dated correction instead."
    return "Only the review's attendees, its facilitator and the executives record its outcomes."


@require_POST
def decision_add(request: AuthedRequest, year: int, quarter: int) -> HttpResponse:
    review = _review(year, quarter)
    if not perm.can_record_review_outcome(request.user, review):
        raise PermissionDenied(_outcome_refusal(review))
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return render(request, "reviews/detail.html", _context(request, review, decision_form=form), status=422)
    services.decision_add(review=review, by=request.user, text=form.cleaned_data["text"])
    return redirect(review.get_absolute_url() + "#decisions")


@require_POST
def action_add(request: AuthedRequest, year: int, quarter: int) -> HttpResponse:
    review = _review(year, quarter)
    if not perm.can_record_review_outcome(request.user, review):
        raise PermissionDenied(_outcome_refusal(review))
    form = ActionItemForm(request.POST, review=review)
    if not form.is_valid():
        return render(request, "reviews/detail.html", _context(request, review, action_form=form), status=422)
    services.action_item_add(review=review, by=request.user, **form.cleaned_data)
    return redirect(review.get_absolute_url() + "#actions")


@require_POST
def action_done(request: AuthedRequest, year: int, quarter: int, pk: int) -> HttpResponse:
    review = _review(year, quarter)
    action = get_object_or_404(ActionItem, pk=pk, review=review)
    if not perm.can_close_review_action(request.user, action, review):
        raise PermissionDenied("Only the owner or the facilitator closes an action item.")
    services.action_item_done(action=action, by=request.user)
    return redirect(review.get_absolute_url() + "#actions")


@require_GET
def export_print(request: AuthedRequest, year: int, quarter: int) -> HttpResponse:
    review = _review(year, quarter)
    return render(request, "reviews/print.html", exports.context(review, request.user))


@require_GET
def export_markdown(request: AuthedRequest, year: int, quarter: int) -> HttpResponse:
    review = _review(year, quarter)
    response = HttpResponse(exports.markdown(review, request.user), content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="qbr-{review.year}-q{review.quarter}.md"'
    return response


@require_GET
def export_pdf(request: AuthedRequest, year: int, quarter: int) -> HttpResponse:
    review = _review(year, quarter)
    try:
        pdf = exports.pdf(review, request.user)
    except exports.PdfUnavailable as exc:
        return render(request, "reviews/pdf_unavailable.html", {"review": review, "reason": str(exc)}, status=503)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="qbr-{review.year}-q{review.quarter}.pdf"'
    return response


@require_GET
def export_ics(request: AuthedRequest, year: int, quarter: int) -> HttpResponse:
    review = _review(year, quarter)
    response = HttpResponse(exports.ics(review, request.user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="qbr-{review.year}-q{review.quarter}.ics"'
    return response
