from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from collab.accounts.http import AuthedRequest
from collab.lib.params import parse_int
from reviews import pulse
from reviews.models import Pulse, Review


def _questions(p: Pulse) -> list:
    return list(p.questions.order_by("position", "id"))


@require_GET
def index(request: AuthedRequest) -> HttpResponse:
    pulses = list(Pulse.objects.select_related("review").order_by("-review__year", "-review__quarter"))
    open_now = [p for p in pulses if pulse.is_open(p)]
    for p in open_now:
        if pulse.may_answer(p, request.user) and not pulse.has_answered(p, request.user):
            return redirect(p)
    trend = pulse.trend()
    context = {"pulses": pulses, "trend": trend, "chart": pulse.trend_chart(trend)}
    return render(request, "reviews/pulse_index.html", context)


def _form_context(request: AuthedRequest, p: Pulse, errors: list[str] | None = None) -> dict:
    return {
        "pulse": p,
        "questions": [
            {"q": q, "value": (request.POST.get(f"q{q.pk}", "") if request.method == "POST" else "")}
            for q in _questions(p)
        ],
        "scale": [(1, "Strongly disagree"), (2, "Disagree"), (3, "Neutral"), (4, "Agree"), (5, "Strongly agree")],
        "errors": errors or [],
    }


@require_http_methods(["GET", "POST"])
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    p = get_object_or_404(Pulse.objects.select_related("review"), pk=pk)
    answered = pulse.has_answered(p, request.user)
    if request.method == "POST":
        return answer(request, p)
    if pulse.is_open(p) and not answered and pulse.may_answer(p, request.user):
        return render(request, "reviews/pulse_form.html", _form_context(request, p))
    trend = pulse.trend(upto=p)
    context = {
        "pulse": p,
        "results": pulse.results(p),
        "answered": answered,
        "is_open": pulse.is_open(p),
        "trend": trend,
        "chart": pulse.trend_chart(trend),
    }
    return render(request, "reviews/pulse_results.html", context)


def answer(request: AuthedRequest, p: Pulse) -> HttpResponse:
    if not pulse.may_answer(p, request.user):
        raise PermissionDenied("This pulse is for the departments that work on joint projects.")
    answers: dict[int, str] = {}
    for q in _questions(p):
        answers[q.pk] = request.POST.get(f"q{q.pk}", "")
    # a field named like an answer (``q`` and digits of any script, ``q²``) that is not one of this pulse's
    # questions refuses the whole form
    extra = [k for k in request.POST if k.startswith("q") and k[1:].isdigit() and parse_int(k[1:]) not in answers]
    try:
        if extra:
            raise ValidationError("An answer names a question that is not in this pulse.")
        pulse.pulse_answer(pulse=p, user=request.user, answers=answers)
    except ValidationError as exc:
        return render(request, "reviews/pulse_form.html", _form_context(request, p, list(exc.messages)), status=422)
    messages.success(request, "Thank you — your answers are saved without your name.")
    return redirect(p)


@require_POST
def open_for_review(request: AuthedRequest, year: int, quarter: int) -> HttpResponse:
    review = get_object_or_404(Review, year=year, quarter=quarter)
    try:
        p = pulse.pulse_open(review=review, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(review)
    messages.success(request, f"The pulse is open until {p.closes_at:%d %b %Y}; {p.invited_count} people are invited.")
    return redirect(review)
