"""The relationship pulse: a short anonymous quarterly survey of both teams.

Anonymous by design: an answer is stored with its department only (random key, no person, no time);
who has answered lives apart, in ``PulseInvitation``, which holds no answers. Results show a department only
when at least ``THRESHOLD`` of its people answered.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from datetime import datetime, timedelta
from statistics import mean
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Q
from django.utils import timezone

from collab.accounts import permissions as perm
from collab.accounts.models import Department, User
from collab.projects.models import ACTIVE_STATUSES, ProjectDepartment
from reviews.models import Pulse, PulseAnswer, PulseInvitation, PulseQuestion, QuestionKind, Review

THRESHOLD = 5
OPEN_DAYS_BEFORE_DEADLINE = 14
SIDES = (Department.IT, Department.MARKETING)

DEFAULT_QUESTIONS = [
    ("IT keeps marketing in the loop.", QuestionKind.SCALE),
    ("Marketing gives IT clear enough business requirements.", QuestionKind.SCALE),
    ("I know who our liaison is.", QuestionKind.SCALE),
    ("Priorities that changed this quarter were explained to us.", QuestionKind.SCALE),
    ("Snags I raise get a quick answer.", QuestionKind.SCALE),
    ("I trust the other team to deliver.", QuestionKind.SCALE),
    ("One thing that would help us work together:", QuestionKind.TEXT),
]


def ensure_default_questions() -> None:
    if not PulseQuestion.objects.exists():
        PulseQuestion.objects.bulk_create(
            [PulseQuestion(text=t, kind=k, position=i) for i, (t, k) in enumerate(DEFAULT_QUESTIONS, start=1)]
        )


def invited_departments() -> set[str]:
    """IT and marketing, and every department affected by an active joint project."""
    affected = set(
        ProjectDepartment.objects.filter(project__status__in=ACTIVE_STATUSES).values_list("department", flat=True)
    )
    return {*SIDES, *affected}


def pulse_open(
    *, review: Review, by: Any, opens_at: datetime | None = None, closes_at: datetime | None = None
) -> Pulse:
    if not perm.can_facilitate_review(by, review):
        raise PermissionDenied("Only the facilitator and executives open the pulse.")
    if hasattr(review, "pulse"):
        raise ValidationError("This review already has a pulse.")
    ensure_default_questions()
    deadline = min((i.deadline for i in review.inputs.all()), default=review.scheduled_at)
    closes_at = closes_at or deadline
    opens_at = opens_at or closes_at - timedelta(days=OPEN_DAYS_BEFORE_DEADLINE)
    pulse = Pulse(review=review, opens_at=opens_at, closes_at=closes_at)
    pulse.full_clean(exclude=["review"])
    people = list(User.objects.active().filter(department__in=invited_departments()).only("pk", "department"))
    with transaction.atomic():
        pulse.invited_count = len(people)
        pulse.save()
        pulse.questions.set(PulseQuestion.objects.filter(active=True))
        PulseInvitation.objects.bulk_create(
            [PulseInvitation(pulse=pulse, user=u, department=u.department) for u in people]
        )
    return pulse


def is_open(pulse: Pulse, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return pulse.opens_at <= now < pulse.closes_at


def pulse_answer(*, pulse: Pulse, user: Any, answers: dict[int, Any], now: datetime | None = None) -> None:
    """Store one person's answers, once. Unknown questions or out-of-range scores save nothing."""
    if not is_open(pulse, now):
        raise ValidationError("This pulse is closed; answers are no longer taken.")
    if not may_answer(pulse, user):
        raise PermissionDenied("This pulse is for the departments that work on joint projects.")
    questions = {q.pk: q for q in pulse.questions.all()}
    unknown = set(answers) - set(questions)
    if unknown:
        raise ValidationError("An answer names a question that is not in this pulse.")
    rows: list[PulseAnswer] = []
    for qid, value in answers.items():
        question = questions[qid]
        if question.kind == QuestionKind.SCALE:
            if value in (None, ""):
                continue
            try:
                score = int(value)
            except (TypeError, ValueError):
                raise ValidationError(f"“{question.text}” needs a score from 1 to 5.") from None
            if not 1 <= score <= 5:
                raise ValidationError(f"“{question.text}” needs a score from 1 to 5.")
            rows.append(PulseAnswer(pulse=pulse, question=question, department=user.department, score=score))
        elif str(value or "").strip():
            rows.append(
                PulseAnswer(pulse=pulse, question=question, department=user.department, text=str(value).strip()[:2000])
            )
    if not rows:
        raise ValidationError("Answer at least one question.")
    try:
        with transaction.atomic():
            invitation, _ = PulseInvitation.objects.select_for_update().get_or_create(
                pulse=pulse, user=user, defaults={"department": user.department}
            )
            if invitation.answered:
                raise ValidationError("You have already answered this pulse. Thank you!")
            PulseAnswer.objects.bulk_create(rows)
            PulseInvitation.objects.filter(pk=invitation.pk).update(answered=True)
    except IntegrityError as exc:
        raise ValidationError("You have already answered this pulse. Thank you!") from exc


def may_answer(pulse: Pulse, user: Any) -> bool:
    """The people invited when it opened, and newcomers of the departments taking part."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if PulseInvitation.objects.filter(pulse=pulse, user=user).exists():
        return True
    return user.department in invited_departments()


def has_answered(pulse: Pulse, user: Any) -> bool:
    return PulseInvitation.objects.filter(pulse=pulse, user=user, answered=True).exists()


def results_shown(pulse: Pulse, now: datetime | None = None) -> bool:
    """Results exist for nobody while a pulse is open (or not yet open): a figure that moves with each answer
    gives that answer away by differencing (6 × new mean − 5 × old mean, the one new line of free text)."""
    return (now or timezone.now()) >= pulse.closes_at


def results(pulse: Pulse, now: datetime | None = None) -> dict[str, Any]:
    """Once the pulse has closed: per question and department, the mean score, for departments with
    ≥ THRESHOLD respondents; the IT − marketing gap; the response rate; free text without names, in an order
    that is not the order of submission. While it is open: nothing that changes with an answer (``open``)."""
    if not results_shown(pulse, now):
        return {
            "quarter": pulse.review.label,
            "open": True,
            "results_at": pulse.closes_at,
            "respondents": None,
            "invited": pulse.invited_count,
            "response_rate": None,
            "departments": [],
            "hidden_departments": [],
            "questions": [],
            "texts": [],
            "threshold": THRESHOLD,
        }
    respondents = dict(
        PulseInvitation.objects.filter(pulse=pulse, answered=True)
        .values("department")
        .annotate(n=Count("id"))
        .values_list("department", "n")
    )
    shown = sorted(d for d, n in respondents.items() if n >= THRESHOLD)
    scores: dict[tuple[int, str], list[int]] = defaultdict(list)
    texts: list[str] = []
    for qid, dept, score, text in (
        PulseAnswer.objects.filter(pulse=pulse).order_by("pk").values_list("question_id", "department", "score", "text")
    ):
        if score is not None and dept in shown:
            scores[(qid, dept)].append(score)
        elif text:
            texts.append(text)
    total = sum(respondents.values())
    questions = []
    for q in pulse.questions.order_by("position", "id"):
        if q.kind != QuestionKind.SCALE:
            continue
        by_dept = {d: round(mean(scores[(q.pk, d)]), 2) for d in shown if scores.get((q.pk, d))}
        gap = None
        if Department.IT in by_dept and Department.MARKETING in by_dept:
            gap = round(by_dept[Department.IT] - by_dept[Department.MARKETING], 2)
        questions.append({"id": q.pk, "text": q.text, "by_department": by_dept, "gap": gap})
    texts.sort()  # forget the order they came in, then a fixed shuffle per pulse (the page reads the same on reload)
    random.Random(f"pulse-{pulse.pk}").shuffle(texts)  # noqa: S311 - an order, not a secret
    return {
        "quarter": pulse.review.label,
        "open": False,
        "results_at": pulse.closes_at,
        "respondents": total,
        "invited": pulse.invited_count,
        "response_rate": round(100 * total / pulse.invited_count) if pulse.invited_count else 0,
        "departments": shown,
        "hidden_departments": sorted(d for d, n in respondents.items() if n < THRESHOLD),
        "questions": questions,
        "texts": texts if total >= THRESHOLD else [],
        "threshold": THRESHOLD,
    }


def trend(last: int = 5, upto: Pulse | None = None, now: datetime | None = None) -> dict[str, Any]:
    """The latest closed pulses (oldest first), or ``upto`` one and the ones before it: per scale question, the IT
    and marketing means per quarter (None below the threshold), the gap, and each side's average over the
    statements — four queries whatever the number of pulses. An open pulse is left out (see ``results_shown``)."""
    qs = (
        Pulse.objects.select_related("review")
        .filter(closes_at__lte=now or timezone.now())
        .order_by("-review__year", "-review__quarter")
    )
    if upto is not None:
        r = upto.review
        qs = qs.filter(Q(review__year__lt=r.year) | Q(review__year=r.year, review__quarter__lte=r.quarter))
    pulses = list(qs[:last])[::-1]
    if not pulses:
        return {"quarters": [], "questions": [], "average": {"it": [], "marketing": []}}
    ids = [p.pk for p in pulses]
    respondents = {
        (row["pulse_id"], row["department"]): row["n"]
        for row in PulseInvitation.objects.filter(pulse_id__in=ids, answered=True, department__in=SIDES)
        .values("pulse_id", "department")
        .annotate(n=Count("id"))
    }
    means = {
        (row["pulse_id"], row["question_id"], row["department"]): row["avg"]
        for row in PulseAnswer.objects.filter(pulse_id__in=ids, score__isnull=False, department__in=SIDES)
        .values("pulse_id", "question_id", "department")
        .annotate(avg=Avg("score"))
    }
    question_ids = sorted({q for (_, q, _) in means})
    texts = dict(PulseQuestion.objects.filter(pk__in=question_ids).values_list("pk", "text"))
    series = []
    for qid in question_ids:
        row: dict[str, Any] = {"id": qid, "text": texts.get(qid, ""), "it": [], "marketing": []}
        for p in pulses:
            for side in SIDES:
                ok = respondents.get((p.pk, side), 0) >= THRESHOLD
                value = means.get((p.pk, qid, side))
                row[str(side)].append(round(float(value), 2) if ok and value is not None else None)
        row["gap"] = [
            None if a is None or b is None else round(a - b, 2)
            for a, b in zip(row["it"], row["marketing"], strict=True)
        ]
        series.append(row)
    average: dict[str, list[float | None]] = {}
    for side in SIDES:
        column = []
        for i in range(len(pulses)):
            values = [row[str(side)][i] for row in series if row[str(side)][i] is not None]
            column.append(round(mean(values), 2) if values else None)
        average[str(side)] = column
    return {"quarters": [p.review.label for p in pulses], "questions": series, "average": average}


def trend_chart(data: dict[str, Any]) -> str:
    """A Chart.js line chart (as JSON for ``data-chart``) of each side's average agreement per quarter."""
    spec = {
        "type": "line",
        "data": {
            "labels": data["quarters"],
            "datasets": [
                {"label": "IT", "data": data["average"].get("it", []), "borderColor": "#1d4ed8", "spanGaps": True},
                {
                    "label": "Marketing",
                    "data": data["average"].get("marketing", []),
                    "borderColor": "#b45309",
                    "borderDash": [6, 4],
                    "spanGaps": True,
                },
            ],
        },
        "options": {
            "responsive": True,
            "maintainAspectRatio": False,
            "animation": False,
            "scales": {"y": {"min": 1, "max": 5, "title": {"display": True, "text": "Mean agreement (1–5)"}}},
        },
    }
    return json.dumps(spec)
