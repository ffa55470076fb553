"""Shared goals, milestones and joint projects (floor 3).

The core of the joint-projects issue lands here first so that snags, liaisons and reviews can point at
projects; requirements, ranking history and change requests are added by that issue.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from collab.accounts.models import Department
from collab.lib.markdown import MarkdownField, MarkdownHTMLField, RendersMarkdown


class Goal(RendersMarkdown, models.Model):
    """A common goal both teams work towards; its progress is computed from its milestones."""

    title = models.CharField(max_length=200)
    description = MarkdownField(blank=True, help_text="Markdown.")
    description_html = MarkdownHTMLField(source="description")
    marketing_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="goals_owned_marketing"
    )
    it_owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="goals_owned_it")
    target_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("target_date", "title")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:goal_detail", args=[self.pk])


class ProjectStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    REQUIREMENTS = "requirements", "Requirements"
    APPROVED = "approved", "Approved"
    IN_DELIVERY = "in_delivery", "In delivery"
    LIVE = "live", "Live"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


ACTIVE_STATUSES = (
    ProjectStatus.PROPOSED,
    ProjectStatus.REQUIREMENTS,
    ProjectStatus.APPROVED,
    ProjectStatus.IN_DELIVERY,
)


class Health(models.TextChoices):
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"


class ProjectQuerySet(models.QuerySet["Project"]):
    def active(self) -> ProjectQuerySet:
        return self.filter(status__in=ACTIVE_STATUSES)

    def ranked(self) -> ProjectQuerySet:
        return self.filter(rank__isnull=False).order_by("rank")


class Project(RendersMarkdown, models.Model):
    """A joint project. It cannot exist without a marketing sponsor and an IT sponsor."""

    name = models.CharField(max_length=200)
    summary = MarkdownField(blank=True, help_text="Markdown.")
    summary_html = MarkdownHTMLField(source="summary")
    goal = models.ForeignKey(Goal, null=True, blank=True, on_delete=models.SET_NULL, related_name="projects")
    marketing_sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sponsored_marketing"
    )
    it_sponsor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sponsored_it")
    representatives = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="represented_projects",
        help_text="Team representatives from both sides, at the stand-ups.",
    )
    status = models.CharField(max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.PROPOSED)
    health = models.CharField(max_length=16, choices=Health.choices, default=Health.ON_TRACK)
    health_note = models.CharField(max_length=300, blank=True)
    rank = models.PositiveIntegerField(null=True, blank=True, help_text="Forced ranking: no two share a rank.")
    approved_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ("rank", "name")
        constraints = [
            models.CheckConstraint(
                condition=Q(marketing_sponsor__isnull=False) & Q(it_sponsor__isnull=False),
                name="projects_both_sponsors_set",
                violation_error_message="A joint project needs a marketing sponsor and an IT sponsor.",
            ),
            models.CheckConstraint(
                condition=~Q(marketing_sponsor=models.F("it_sponsor")),
                name="projects_sponsors_differ",
                violation_error_message="The marketing and IT sponsors must be two different people.",
            ),
            models.UniqueConstraint(
                fields=["rank"],
                condition=Q(rank__isnull=False),
                name="projects_one_project_per_rank",
                violation_error_message="Another project already holds this rank.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in ProjectStatus]),
                name="projects_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["status"], name="projects_status")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def sponsor_vacancies(self) -> list[str]:
        """Which sponsor seats are empty because the person left (was deactivated)."""
        out = []
        if not self.marketing_sponsor.is_active:
            out.append(f"Marketing sponsor {self.marketing_sponsor} has left")
        if not self.it_sponsor.is_active:
            out.append(f"IT sponsor {self.it_sponsor} has left")
        return out


class ProjectDepartment(models.Model):
    """A department affected by a project; its head signs off the requirements."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="departments")
    department = models.CharField(max_length=32, choices=Department.choices)

    class Meta:
        ordering = ("department",)
        constraints = [
            models.UniqueConstraint(fields=["project", "department"], name="projects_department_once"),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.get_department_display()}"


class Milestone(models.Model):
    """A dated step of a project or a goal, with an owner."""

    title = models.CharField(max_length=200)
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.CASCADE, related_name="milestones")
    goal = models.ForeignKey(Goal, null=True, blank=True, on_delete=models.CASCADE, related_name="milestones")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="milestones")
    due_date = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("due_date", "id")
        constraints = [
            models.CheckConstraint(
                condition=Q(project__isnull=False) | Q(goal__isnull=False),
                name="projects_milestone_has_a_home",
                violation_error_message="A milestone belongs to a project or a goal.",
            ),
        ]
        indexes = [models.Index(fields=["due_date"], name="projects_ms_open_due", condition=Q(done_on__isnull=True))]

    def __str__(self) -> str:
        return self.title


class ProjectTransition(models.Model):
    """One recorded status change of a project."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=16, choices=ProjectStatus.choices)
    to_status = models.CharField(max_length=16, choices=ProjectStatus.choices)
    note = models.CharField(max_length=500, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("at", "id")

    def __str__(self) -> str:
        return f"{self.project}: {self.from_status} → {self.to_status}"


class RequirementsVersion(RendersMarkdown, models.Model):
    """One version of a project's requirements document; heads sign off a version, not the project."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="requirement_versions")
    number = models.PositiveIntegerField()
    text = MarkdownField(max_length=100_000, help_text="Markdown.")
    text_html = MarkdownHTMLField(source="text")
    change_note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("project", "-number")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "number"],
                name="projects_requirements_version_once",
                violation_error_message="Someone saved a new version of these requirements first.",
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="projects_requirements_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.project} requirements v{self.number}"


class SignOffDecision(models.TextChoices):
    APPROVED = "approved", "Signed off"
    REJECTED = "rejected", "Rejected"


class SignOff(models.Model):
    """A department head's answer to one version of the requirements."""

    version = models.ForeignKey(RequirementsVersion, on_delete=models.CASCADE, related_name="signoffs")
    department = models.CharField(max_length=32, choices=Department.choices)
    decision = models.CharField(max_length=16, choices=SignOffDecision.choices)
    comment = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("department",)
        constraints = [
            models.UniqueConstraint(
                fields=["version", "department"],
                name="projects_signoff_once_per_department",
                violation_error_message="This department has already answered this version.",
            ),
            models.CheckConstraint(
                condition=~Q(decision="rejected") | ~Q(comment=""),
                name="projects_rejection_has_comment",
                violation_error_message="A rejection needs a comment.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} · {self.get_department_display()}: {self.get_decision_display()}"


class RankingRevision(models.Model):
    """One change of the forced ranking. ``number`` is the ranking version: a reorder based on an older
    number is refused, and the unique number makes two simultaneous reorders collide instead of merging."""

    number = models.PositiveIntegerField(unique=True)
    reason = models.CharField(max_length=500)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-number",)

    def __str__(self) -> str:
        return f"Ranking v{self.number}"


class RankChange(models.Model):
    """A project's move in one ranking revision (``None`` = entered or left the ranking)."""

    revision = models.ForeignKey(RankingRevision, on_delete=models.CASCADE, related_name="changes")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="rank_changes")
    old_rank = models.PositiveIntegerField(null=True, blank=True)
    new_rank = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ("revision", "new_rank")
        constraints = [
            models.UniqueConstraint(fields=["revision", "project"], name="projects_rank_change_once"),
        ]

    def __str__(self) -> str:
        return f"{self.project}: {self.old_rank} → {self.new_rank}"


class ChangeRequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the sponsors"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class SponsorDecision(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class ChangeRequestQuerySet(models.QuerySet["ChangeRequest"]):
    def pending(self) -> ChangeRequestQuerySet:
        return self.filter(status=ChangeRequestStatus.PENDING)

    def approved(self) -> ChangeRequestQuerySet:
        return self.filter(status=ChangeRequestStatus.APPROVED)


class ChangeRequest(models.Model):
    """A scope change after approval. It takes effect only when both sponsors approve."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="change_requests")
    title = models.CharField("What changes", max_length=200)
    reason = models.TextField("Why")
    date_effect_days = models.IntegerField(
        "Effect on dates (days)", default=0, help_text="How many days later (or, negative, earlier) it finishes."
    )
    effort_days = models.IntegerField("Added effort (person-days)", default=0)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=16, choices=ChangeRequestStatus.choices, default=ChangeRequestStatus.PENDING)
    marketing_decision = models.CharField(
        max_length=16, choices=SponsorDecision.choices, default=SponsorDecision.PENDING
    )
    marketing_decided_at = models.DateTimeField(null=True, blank=True)
    it_decision = models.CharField(max_length=16, choices=SponsorDecision.choices, default=SponsorDecision.PENDING)
    it_decided_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ChangeRequestQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="approved") | (Q(marketing_decision="approved") & Q(it_decision="approved")),
                name="projects_cr_approved_by_both",
                violation_error_message="A change request takes effect only when both sponsors approve.",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="projects_cr_rejection_has_reason",
                violation_error_message="A rejection needs a reason.",
            ),
        ]
        indexes = [models.Index(fields=["created_at"], name="projects_cr_pending", condition=Q(status="pending"))]

    def __str__(self) -> str:
        return f"{self.project}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.project_id]) + f"#cr-{self.pk}"


class MilestoneSlip(models.Model):
    """A milestone moved to a later date, or finished after its due date."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="slips")
    old_due = models.DateField()
    new_due = models.DateField()
    reason = models.CharField(max_length=500, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-at",)

    def __str__(self) -> str:
        return f"{self.milestone}: {self.old_due} → {self.new_due}"


class FeedKind(models.TextChoices):
    RANK = "rank", "Ranking"
    STATUS = "status", "Status"
    MILESTONE = "milestone", "Milestone slipped"
    SCOPE = "scope", "Scope change"


class FeedEntry(models.Model):
    """One line of the public change feed, written by the service that made the change."""

    kind = models.CharField(max_length=16, choices=FeedKind.choices)
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.CASCADE, related_name="feed")
    text = models.CharField(max_length=600)
    reason = models.CharField(max_length=500, blank=True)
    link = models.CharField(max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-at", "-id")
        verbose_name_plural = "feed entries"
        indexes = [models.Index(fields=["-at", "-id"], name="projects_feed_recent")]

    def __str__(self) -> str:
        return self.text


# The technology register lives in its own module of this app (floor 3).
from collab.projects.tools.models import (  # noqa: E402, F401
    Tool,
    ToolEvent,
    ToolIntegration,
    ToolRequest,
)
