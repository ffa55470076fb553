"""Shared goals, milestones and joint projects (floor 3).

The core of the joint-projects issue lands here first so that snags, liaisons and reviews can point at
projects; requirements, ranking history and change requests are added by that issue.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from collab.accounts.models import Department


class Goal(models.Model):
    """A common goal both teams work towards; its progress is computed from its milestones."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="Markdown.")
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


class Project(models.Model):
    """A joint project. It cannot exist without a marketing sponsor and an IT sponsor."""

    name = models.CharField(max_length=200)
    summary = models.TextField(blank=True, help_text="Markdown.")
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
