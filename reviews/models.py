"""Quarterly business reviews: the agenda both teams build, the quarter's facts, decisions and actions."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from collab.lib.markdown import MarkdownField, MarkdownHTMLField, RendersMarkdown


class ReviewStatus(models.TextChoices):
    PLANNING = "planning", "Planning"
    COLLECTING_INPUT = "collecting_input", "Collecting input"
    AGENDA_LOCKED = "agenda_locked", "Agenda locked"
    HELD = "held", "Held"
    MINUTES_PUBLISHED = "minutes_published", "Minutes published"


STATUS_ORDER = [s.value for s in ReviewStatus]


class Team(models.TextChoices):
    IT = "it", "IT"
    MARKETING = "marketing", "Marketing"
    JOINT = "joint", "Joint"


class ItemKind(models.TextChoices):
    UPDATE = "update", "Update"
    CHALLENGE = "challenge", "Challenge"
    RESULT = "result", "Result"
    DECISION = "decision", "Decision needed"
    DISCUSSION = "discussion", "Discussion"


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """First and last day of a calendar quarter."""
    start = date(year, 3 * (quarter - 1) + 1, 1)
    nxt = date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
    return start, nxt - timedelta(days=1)


class ReviewQuerySet(models.QuerySet["Review"]):
    def upcoming(self) -> ReviewQuerySet:
        return self.filter(
            status__in=[ReviewStatus.PLANNING, ReviewStatus.COLLECTING_INPUT, ReviewStatus.AGENDA_LOCKED]
        )

    def past(self) -> ReviewStatus | ReviewQuerySet:
        return self.filter(status__in=[ReviewStatus.HELD, ReviewStatus.MINUTES_PUBLISHED])


class Review(RendersMarkdown, models.Model):
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField()
    scheduled_at = models.DateTimeField(help_text="When the review is held.")
    length_minutes = models.PositiveSmallIntegerField(default=120)
    location = models.CharField(max_length=300, blank=True, help_text="A room or a video link.")
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="facilitated_reviews"
    )
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="reviews_attended")
    status = models.CharField(max_length=24, choices=ReviewStatus.choices, default=ReviewStatus.PLANNING)
    summary = MarkdownField(blank=True, help_text="Minutes summary (Markdown); final once the minutes are published.")
    summary_html = MarkdownHTMLField(source="summary")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ("-year", "-quarter")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "quarter"],
                name="reviews_one_review_per_quarter",
                violation_error_message="There is already a review for this quarter.",
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4),
                name="reviews_quarter_1_to_4",
                violation_error_message="The quarter must be 1 to 4.",
            ),
            models.CheckConstraint(
                condition=Q(length_minutes__gt=0),
                name="reviews_length_positive",
                violation_error_message="The review must last at least a minute.",
            ),
            models.CheckConstraint(condition=Q(status__in=STATUS_ORDER), name="reviews_status_valid"),
        ]

    def __str__(self) -> str:
        return f"QBR {self.label}"

    def get_absolute_url(self) -> str:
        return reverse("reviews:detail", args=[self.year, self.quarter])

    @property
    def label(self) -> str:
        return f"{self.year} Q{self.quarter}"

    @property
    def period(self) -> tuple[date, date]:
        return quarter_bounds(self.year, self.quarter)

    @property
    def ends_at(self):  # noqa: ANN201 - a datetime
        return self.scheduled_at + timedelta(minutes=self.length_minutes)

    @property
    def is_locked(self) -> bool:
        """From the lock on, the agenda items, their order and the facts are frozen (an unlock needs a reason)."""
        return STATUS_ORDER.index(self.status) >= STATUS_ORDER.index(ReviewStatus.AGENDA_LOCKED)

    @property
    def minutes_published(self) -> bool:
        return self.status == ReviewStatus.MINUTES_PUBLISHED


class ReviewTransition(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=24, choices=ReviewStatus.choices)
    to_status = models.CharField(max_length=24, choices=ReviewStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=1000, blank=True, help_text="Why (required to unlock an agenda).")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("at", "id")
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_status="agenda_locked", to_status="collecting_input") | ~Q(reason=""),
                name="reviews_unlock_has_a_reason",
                violation_error_message="Say why the agenda is unlocked.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.review}: {self.from_status} → {self.to_status}"


class InputState(models.TextChoices):
    DUE = "due", "Due"
    MISSED = "missed", "Missed"
    SUBMITTED = "submitted", "Submitted"
    LATE = "late", "Submitted late"


class TeamInput(RendersMarkdown, models.Model):
    """A presenting team's input section, due by a deadline."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="inputs")
    team = models.CharField(max_length=16, choices=Team.choices)
    deadline = models.DateTimeField()
    text = MarkdownField(blank=True, max_length=20_000, help_text="Markdown.")
    text_html = MarkdownHTMLField(source="text")
    submitted_at = models.DateTimeField(
        null=True, blank=True, help_text="When the input first arrived: on time or late is decided by this."
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    edited_at = models.DateTimeField(null=True, blank=True, help_text="The last change after the first submission.")
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ("team",)
        constraints = [
            models.UniqueConstraint(fields=["review", "team"], name="reviews_one_input_per_team"),
        ]

    def __str__(self) -> str:
        return f"{self.review} · {self.get_team_display()} input"

    def state_at(self, now: datetime) -> InputState:
        """Due (before the deadline), missed (after it, with nothing in), submitted, or submitted late."""
        if self.submitted_at is None:
            return InputState.MISSED if now >= self.deadline else InputState.DUE
        return InputState.LATE if self.submitted_at > self.deadline else InputState.SUBMITTED

    @property
    def state(self) -> InputState:
        return self.state_at(timezone.now())

    @property
    def edited_late(self) -> bool:
        return self.edited_at is not None and self.edited_at > self.deadline


class AgendaItem(RendersMarkdown, models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="items")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=ItemKind.choices, default=ItemKind.UPDATE)
    team = models.CharField(max_length=16, choices=Team.choices, default=Team.JOINT)
    presenter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="qbr_items"
    )
    time_box_minutes = models.PositiveSmallIntegerField(default=10)
    notes = MarkdownField(blank=True, help_text="Markdown.")
    notes_html = MarkdownHTMLField(source="notes")
    position = models.PositiveIntegerField(default=0)
    projects = models.ManyToManyField("projects.Project", blank=True, related_name="qbr_items")
    milestones = models.ManyToManyField("projects.Milestone", blank=True, related_name="qbr_items")
    source = models.CharField(max_length=200, blank=True, help_text="Where a suggested item came from.")
    link = models.CharField(max_length=300, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("position", "id")
        constraints = [
            models.CheckConstraint(
                condition=Q(time_box_minutes__gt=0),
                name="reviews_item_time_box_positive",
                violation_error_message="A time box must be at least one minute.",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AgendaItemChange(models.Model):
    """Every change to the agenda, readable by anyone."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="agenda_history")
    item_title = models.CharField(max_length=200)
    action = models.CharField(max_length=32)
    detail = models.CharField(max_length=500, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-at", "-id")

    def __str__(self) -> str:
        return f"{self.action}: {self.item_title}"


class Decision(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="decisions")
    item = models.ForeignKey(AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions")
    text = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return self.text[:80]


class ActionItemQuerySet(models.QuerySet["ActionItem"]):
    def open(self) -> ActionItemQuerySet:
        return self.filter(done_at__isnull=True)


class ActionItem(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="action_items")
    item = models.ForeignKey(AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="action_items")
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="qbr_action_items")
    due_date = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = ("due_date", "id")
        indexes = [models.Index(fields=["due_date"], name="reviews_action_open_due", condition=Q(done_at__isnull=True))]

    def __str__(self) -> str:
        return self.title


class MinutesAddendum(RendersMarkdown, models.Model):
    """A dated correction to published minutes, which are final: the minutes stay as published, this follows."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="addenda")
    text = MarkdownField(help_text="Markdown.")
    text_html = MarkdownHTMLField(source="text")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")
        verbose_name_plural = "minutes addenda"

    def __str__(self) -> str:
        return f"Addendum to the minutes of {self.review}"


class FactsSnapshot(models.Model):
    """The quarter's facts, frozen when the agenda is locked so the pack never changes afterwards."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="snapshot")
    data = models.JSONField()
    frozen_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Facts of {self.review}"


# --- the relationship pulse ----------------------------------------------------------------
class QuestionKind(models.TextChoices):
    SCALE = "scale", "Agreement, 1–5"
    TEXT = "text", "Free text"


class PulseQuestion(models.Model):
    """A statement people rate from 1 (strongly disagree) to 5 (strongly agree), or one free-text prompt."""

    text = models.CharField(max_length=300)
    kind = models.CharField(max_length=8, choices=QuestionKind.choices, default=QuestionKind.SCALE)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True, help_text="Asked in new pulses.")

    class Meta:
        ordering = ("position", "id")

    def __str__(self) -> str:
        return self.text


class Pulse(models.Model):
    """One quarter's survey of both teams, open before its QBR and closing at the input deadline."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="pulse")
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    questions = models.ManyToManyField(PulseQuestion, related_name="pulses")
    invited_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-review__year", "-review__quarter")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="reviews_pulse_closes_after_it_opens",
                violation_error_message="A pulse must close after it opens.",
            ),
        ]

    def __str__(self) -> str:
        return f"Pulse {self.review.label}"

    def get_absolute_url(self) -> str:
        return reverse("pulse:detail", args=[self.pk])


class PulseInvitation(models.Model):
    """Who is asked, and whether they have answered. It holds no answers."""

    pulse = models.ForeignKey(Pulse, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pulse_invitations")
    department = models.CharField(max_length=32)
    answered = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pulse", "user"],
                name="reviews_one_answer_per_person_per_pulse",
                violation_error_message="You have already answered this pulse.",
            ),
        ]
        indexes = [models.Index(fields=["pulse", "answered"], name="reviews_pulse_inv_answered")]

    def __str__(self) -> str:
        return f"{self.pulse} · {self.user_id}"


class PulseAnswer(models.Model):
    """One anonymous answer. No person, no time: a random key, the department and the answer only."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pulse = models.ForeignKey(Pulse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(PulseQuestion, on_delete=models.PROTECT, related_name="answers")
    department = models.CharField(max_length=32)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ("id",)
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5),
                name="reviews_pulse_score_1_to_5",
                violation_error_message="A score is from 1 to 5.",
            ),
        ]
        indexes = [models.Index(fields=["pulse", "question", "department"], name="reviews_pulse_answer_agg")]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.score or '…'}"
