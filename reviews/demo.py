"""Demo QBRs: the last four quarters held with minutes, and the current one collecting input."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from django.utils import timezone

from collab.accounts.models import User
from collab.lib.demo import seeder
from reviews.models import (
    ActionItem,
    AgendaItem,
    Decision,
    ItemKind,
    MinutesAddendum,
    Review,
    ReviewStatus,
    Team,
    TeamInput,
    quarter_bounds,
)

ITEMS = [
    ("Campaign results and the data behind them", ItemKind.RESULT, Team.MARKETING, 20),
    ("Platform stability and the roadmap", ItemKind.UPDATE, Team.IT, 20),
    ("Snags that cost us the most days (the CRM export problem first)", ItemKind.CHALLENGE, Team.JOINT, 25),
    ("Which project moves up the ranking?", ItemKind.DECISION, Team.JOINT, 20),
    ("What would help us work together", ItemKind.DISCUSSION, Team.JOINT, 15),
]
DECISIONS = [
    "Keep the website replatform ahead of the loyalty app for one more quarter.",
    "The liaison joins the weekly campaign planning from now on.",
]


def _quarters(today) -> list[tuple[int, int]]:  # noqa: ANN001 - a date
    year, q = today.year, (today.month - 1) // 3 + 1
    out = []
    for _ in range(5):
        out.append((year, q))
        year, q = (year - 1, 4) if q == 1 else (year, q - 1)
    return list(reversed(out))


@seeder(order=60, name="reviews")
def seed_reviews(say: Callable[[str], None]) -> None:
    people = {u.username: u for u in User.objects.filter(username__in=["cmo", "cio", "liaison", "member"])}
    if len(people) < 4:
        return
    attendees = list(people.values()) + list(
        User.objects.filter(username__in=["sofia.alvarez", "raj.patel", "grace.liu", "tom.whitaker"])
    )
    quarters = _quarters(timezone.now().date())
    for index, (year, q) in enumerate(quarters):
        current = index == len(quarters) - 1
        _, end = quarter_bounds(year, q)
        when = datetime(end.year, end.month, min(end.day, 10), 13, 0, tzinfo=UTC)
        review, created = Review.objects.get_or_create(
            year=year,
            quarter=q,
            defaults={
                "scheduled_at": when,
                "length_minutes": 120,
                "location": "Board room 2 / video link in the invite",
                "facilitator": people["liaison"],
                "status": ReviewStatus.COLLECTING_INPUT if current else ReviewStatus.MINUTES_PUBLISHED,
                "summary": "" if current else "Both teams agreed the priorities for the next quarter.",
            },
        )
        if not created:
            continue
        review.attendees.set(attendees)
        last_held = index == len(quarters) - 2
        for team in (Team.IT, Team.MARKETING):
            missing = current and team == Team.IT
            # the last held QBR's IT input came in a day after the deadline: it shows as submitted late
            arrived = when - timedelta(days=6) if last_held and team == Team.IT else when - timedelta(days=8)
            TeamInput.objects.create(
                review=review,
                team=team,
                deadline=when - timedelta(days=7),
                text="" if missing else f"{team.label} highlights of {review.label}.",
                submitted_at=None if missing else arrived,
                submitted_by=None if missing else people["cio"] if team == Team.IT else people["cmo"],
            )
        presenters = {Team.IT: people["cio"], Team.MARKETING: people["cmo"], Team.JOINT: people["liaison"]}
        for pos, (title, kind, team, minutes) in enumerate(ITEMS[: 3 if current else 5], start=1):
            AgendaItem.objects.create(
                review=review,
                title=title,
                kind=kind,
                team=team,
                presenter=presenters[team],
                time_box_minutes=minutes,
                position=pos,
                added_by=people["liaison"],
            )
        if not current:
            for text in DECISIONS:
                Decision.objects.create(review=review, text=text, recorded_by=people["liaison"])
            if last_held:
                addendum = MinutesAddendum.objects.create(
                    review=review,
                    by=people["liaison"],
                    text="Correction to the second decision: the liaison joins the *fortnightly* campaign planning, "
                    "not the weekly one, as agreed with the CMO after the review.",
                )
                MinutesAddendum.objects.filter(pk=addendum.pk).update(created_at=when + timedelta(days=9))
            ActionItem.objects.create(
                review=review,
                title=f"Share the {review.label} campaign data model with IT",
                owner=people["cmo"],
                due_date=end + timedelta(days=30),
                done_at=None if index == len(quarters) - 2 else when,
            )
            ActionItem.objects.create(
                review=review,
                title=f"Publish the {review.label} platform roadmap",
                owner=people["cio"],
                due_date=end + timedelta(days=21),
                done_at=when + timedelta(days=20),
            )
    say(f"reviews: {Review.objects.count()} QBRs")


# the gap between IT and marketing narrows after the liaison started (means per side, oldest quarter first)
PULSE_STORY = {
    0: [(4.3, 2.3), (3.6, 3.4), (2.2, 1.9), (3.4, 2.5), (3.9, 2.2), (3.5, 2.6)],
    1: [(4.2, 2.8), (3.5, 3.5), (3.6, 3.2), (3.5, 2.9), (3.9, 2.9), (3.6, 3.0)],
    2: [(4.1, 3.3), (3.6, 3.6), (4.1, 3.9), (3.6, 3.3), (3.9, 3.4), (3.7, 3.4)],
    3: [(4.0, 3.7), (3.7, 3.8), (4.3, 4.2), (3.8, 3.6), (4.0, 3.7), (3.9, 3.7)],
}
WISHES = [
    "Tell us earlier when a priority changes.",
    "A shared calendar of campaign launches and releases.",
    "Keep the liaison — it made a real difference.",
    "Fewer tools, better integrated.",
    "Write requirements together, not over the wall.",
]


def _score(rng: random.Random, target: float) -> int:
    return max(1, min(5, round(rng.gauss(target, 0.7))))


@seeder(order=65, name="pulse")
def seed_pulse(say: Callable[[str], None]) -> None:
    from reviews import pulse as pulse_service
    from reviews.models import Pulse, PulseAnswer, PulseInvitation, PulseQuestion, QuestionKind

    pulse_service.ensure_default_questions()
    questions = list(PulseQuestion.objects.filter(active=True).order_by("position", "id"))
    scale = [q for q in questions if q.kind == QuestionKind.SCALE]
    text_q = next((q for q in questions if q.kind == QuestionKind.TEXT), None)
    people = list(
        User.objects.filter(is_active=True, department__in=["it", "marketing"])
        .exclude(username__in=["cmo", "cio", "member", "liaison", "admin"])
        .order_by("username")
    )
    reviews = list(Review.objects.order_by("year", "quarter"))
    for index, review in enumerate(reviews[-5:]):
        if Pulse.objects.filter(review=review).exists():
            continue
        deadline = min(i.deadline for i in review.inputs.all())
        p = Pulse.objects.create(
            review=review, opens_at=deadline - timedelta(days=14), closes_at=deadline, invited_count=len(people) + 4
        )
        p.questions.set(questions)
        rng = random.Random(f"pulse-{review.label}")  # noqa: S311 - demo data
        invitations = []
        story = PULSE_STORY.get(index)
        for n, person in enumerate(people):
            answers = story is not None and n % 5 != 4  # four in five answered; the open pulse has none yet
            invitations.append(PulseInvitation(pulse=p, user=person, department=person.department, answered=answers))
            if not answers or story is None:
                continue
            side = 0 if person.department == "it" else 1
            rows = [
                PulseAnswer(
                    pulse=p, question=q, department=person.department, score=_score(rng, story[i % len(story)][side])
                )
                for i, q in enumerate(scale)
            ]
            if text_q and n % 4 == 0:
                rows.append(
                    PulseAnswer(pulse=p, question=text_q, department=person.department, text=rng.choice(WISHES))
                )
            PulseAnswer.objects.bulk_create(rows)
        invitations += [
            PulseInvitation(pulse=p, user=u, department=u.department, answered=False)
            for u in User.objects.filter(username__in=["cmo", "cio", "member", "liaison"])
        ]
        PulseInvitation.objects.bulk_create(invitations)
    say(f"pulse: {Pulse.objects.count()} pulses, {PulseAnswer.objects.count()} anonymous answers")
