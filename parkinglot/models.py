"""The parking lot: snags people hit on the way to a shared goal, written down in seconds and answered quickly.

A snag moves new → in review → answered → resolved, or is parked (deferred on purpose, with a reason) or closed
as won't fix; reopening is allowed. Every move, assignment and escalation is a ``SnagEvent`` row.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from collab.accounts import permissions as perm
from collab.accounts.models import Department
from collab.lib.markdown import MarkdownField, MarkdownHTMLField, RendersMarkdown

CODE_PREFIX = "SNAG-"
CODE_OFFSET = 1000


class Impact(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


IMPACT_ORDER = {Impact.CRITICAL: 0, Impact.HIGH: 1, Impact.MEDIUM: 2, Impact.LOW: 3}


class SnagStatus(models.TextChoices):
    NEW = "new", "New"
    IN_REVIEW = "in_review", "In review"
    ANSWERED = "answered", "Answered"
    RESOLVED = "resolved", "Resolved"
    PARKED = "parked", "Parked"
    WONT_FIX = "wont_fix", "Won't fix"


OPEN_STATUSES = (SnagStatus.NEW, SnagStatus.IN_REVIEW, SnagStatus.ANSWERED, SnagStatus.PARKED)
UNANSWERED_STATUSES = (SnagStatus.NEW, SnagStatus.IN_REVIEW)
CLOSED_STATUSES = (SnagStatus.RESOLVED, SnagStatus.WONT_FIX)


class ParkedFor(models.TextChoices):
    QBR = "qbr", "The next QBR"
    SYNC = "sync", "The next CMO–CIO sync"
    MEETING = "meeting", "The next meeting of its owner"
    LATER = "later", "Later (no meeting)"


class ResponseSettings(models.Model):
    """How many days a snag of each impact may wait for a first answer. One row, edited in the admin."""

    critical_days = models.PositiveSmallIntegerField(default=1)
    high_days = models.PositiveSmallIntegerField(default=3)
    medium_days = models.PositiveSmallIntegerField(default=7)
    low_days = models.PositiveSmallIntegerField(default=14)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "response deadlines"
        verbose_name_plural = "response deadlines"
        constraints = [
            models.CheckConstraint(
                condition=Q(critical_days__gte=1, high_days__gte=1, medium_days__gte=1, low_days__gte=1),
                name="parkinglot_deadlines_at_least_a_day",
                violation_error_message="Every response deadline is at least one day.",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"critical {self.critical_days} d, high {self.high_days} d, "
            f"medium {self.medium_days} d, low {self.low_days} d"
        )

    @classmethod
    def current(cls) -> ResponseSettings:
        row = cls.objects.order_by("pk").first()
        return row if row is not None else cls()

    def period(self, impact: str) -> timedelta:
        return timedelta(days=getattr(self, f"{impact}_days"))


def departments_seen_by(department: str) -> list[str]:
    """The raiser departments whose snags every member of ``department`` may open (``visible_to``): IT and
    marketing are one team; any other department sees its own. A team chat channel names a snag only if its
    department sees the snag's (``parkinglot.kinds``)."""
    if department in (Department.IT, Department.MARKETING):
        return [Department.IT, Department.MARKETING]
    return [department]


class SnagQuerySet(models.QuerySet["Snag"]):
    def open(self) -> SnagQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def unanswered(self) -> SnagQuerySet:
        return self.filter(status__in=UNANSWERED_STATUSES)

    def overdue(self, now: datetime) -> SnagQuerySet:
        return self.unanswered().filter(respond_by__lte=now)

    def escalated(self) -> SnagQuerySet:
        return self.open().filter(escalation_level__gte=2)

    def visible_to(self, user: Any) -> SnagQuerySet:
        """Leaders and liaisons see every snag; IT and marketing see each other's (one team); people of other
        departments see their own department's snags and the ones they raised, own or hit too."""
        if not perm.can_view_app(user):
            return self.none()
        if perm.is_leader(user) or perm.is_liaison(user):
            return self
        shared = Q(raiser_department__in=departments_seen_by(user.department))
        return self.filter(shared | Q(raised_by=user) | Q(owner=user))


class Snag(RendersMarkdown, models.Model):
    code = models.CharField(max_length=20, unique=True, editable=False)
    title = models.CharField(max_length=200)
    details = MarkdownField(blank=True, help_text="Markdown.")
    details_html = MarkdownHTMLField(source="details")
    impact = models.CharField(max_length=8, choices=Impact.choices, default=Impact.MEDIUM)
    status = models.CharField(max_length=10, choices=SnagStatus.choices, default=SnagStatus.NEW)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="snags_raised")
    raiser_department = models.CharField(max_length=32, choices=Department.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="snags_owned"
    )
    project = models.ForeignKey(
        "projects.Project", null=True, blank=True, on_delete=models.SET_NULL, related_name="snags"
    )
    goal = models.ForeignKey("projects.Goal", null=True, blank=True, on_delete=models.SET_NULL, related_name="snags")
    days_lost = models.DecimalField(
        max_digits=5, decimal_places=1, default=0, help_text="Estimated working days this snag cost."
    )
    respond_by = models.DateTimeField(help_text="The response deadline, from the impact.")
    escalation_level = models.PositiveSmallIntegerField(default=0)
    first_answered_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    parked_for = models.CharField(max_length=8, choices=ParkedFor.choices, blank=True)
    me_too_count = models.PositiveIntegerField(default=0)
    search_document = models.TextField(blank=True, editable=False, help_text="Title, details and comments.")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    objects = SnagQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in SnagStatus]),
                name="parkinglot_snag_status_valid",
                violation_error_message="Unknown snag status.",
            ),
            models.CheckConstraint(
                condition=Q(impact__in=[s.value for s in Impact]),
                name="parkinglot_snag_impact_valid",
                violation_error_message="Unknown impact.",
            ),
            models.CheckConstraint(
                condition=Q(escalation_level__lte=2),
                name="parkinglot_escalation_0_to_2",
                violation_error_message="Escalation goes from 0 to 2.",
            ),
            models.CheckConstraint(
                condition=Q(days_lost__gte=0),
                name="parkinglot_days_lost_not_negative",
                violation_error_message="Days lost cannot be negative.",
            ),
            models.CheckConstraint(
                condition=~Q(status=SnagStatus.PARKED) | ~Q(parked_for=""),
                name="parkinglot_parked_says_until_when",
                violation_error_message="A parked snag says what it waits for.",
            ),
        ]
        indexes = [
            models.Index(
                fields=["status", "respond_by"],
                name="parkinglot_open_by_deadline",
                condition=Q(status__in=[s.value for s in OPEN_STATUSES]),
            ),
            models.Index(
                fields=["escalation_level", "created_at"],
                name="parkinglot_open_escalated",
                condition=Q(status__in=[s.value for s in OPEN_STATUSES]),
            ),
            models.Index(fields=["created_at"], name="parkinglot_created"),
            models.Index(fields=["resolved_at"], name="parkinglot_resolved"),
            models.Index(fields=["raiser_department", "status"], name="parkinglot_dept_status"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("parkinglot:detail", args=[self.code])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_escalated(self) -> bool:
        return self.is_open and self.escalation_level >= 2

    def is_overdue(self, now: datetime) -> bool:
        return self.status in UNANSWERED_STATUSES and self.respond_by <= now


class EventKind(models.TextChoices):
    CREATED = "created", "Logged"
    TRANSITION = "transition", "Status changed"
    ASSIGNED = "assigned", "Owner changed"
    EDITED = "edited", "Edited"
    ESCALATED = "escalated", "Escalated"


class SnagEvent(models.Model):
    """The history of a snag: who did what, when, from which status to which, and why."""

    snag = models.ForeignKey(Snag, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=12, choices=EventKind.choices)
    from_status = models.CharField(max_length=10, choices=SnagStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=SnagStatus.choices, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ("at", "id")
        indexes = [models.Index(fields=["snag", "at"], name="parkinglot_event_snag_at")]

    def __str__(self) -> str:
        return f"{self.snag_id} {self.kind} {self.at:%Y-%m-%d}"


class Comment(RendersMarkdown, models.Model):
    """The dialogue on a snag. An answer is a comment marked as such."""

    snag = models.ForeignKey(Snag, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="snag_comments")
    body = MarkdownField(help_text="Markdown.")
    body_html = MarkdownHTMLField(source="body")
    is_answer = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("created_at", "id")
        indexes = [models.Index(fields=["snag", "created_at"], name="parkinglot_comment_snag")]

    def __str__(self) -> str:
        return f"Comment on {self.snag_id} by {self.author_id}"


class MeToo(models.Model):
    """Someone else hit the same snag. One per person."""

    snag = models.ForeignKey(Snag, on_delete=models.CASCADE, related_name="me_toos")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="snag_me_toos")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["snag", "user"],
                name="parkinglot_one_me_too_per_person",
                violation_error_message="You have already said you hit this snag too.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} hit {self.snag_id} too"


def code_for(pk: int) -> str:
    return f"{CODE_PREFIX}{CODE_OFFSET + pk}"
