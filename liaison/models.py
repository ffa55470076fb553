"""Liaison assignments with mentors, the liaison's log, and relationship meetings with agendas and actions."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from collab.accounts.models import Department
from collab.lib.markdown import MarkdownField, MarkdownHTMLField, RendersMarkdown

# --- assignments ---------------------------------------------------------------------------


class AssignmentStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ENDED = "ended", "Ended"


class AssignmentQuerySet(models.QuerySet["LiaisonAssignment"]):
    def active(self) -> AssignmentQuerySet:
        return self.filter(status=AssignmentStatus.ACTIVE)

    def current(self, today: date) -> AssignmentQuerySet:
        """Active and running on ``today``."""
        return self.active().filter(start_date__lte=today).filter(Q(end_date__isnull=True) | Q(end_date__gte=today))


class LiaisonAssignment(RendersMarkdown, models.Model):
    """A person seconded from their home department to serve another one."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="liaison_assignments")
    home_department = models.CharField(max_length=32, choices=Department.choices)
    served_department = models.CharField(max_length=32, choices=Department.choices)
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mentees",
        help_text="An executive who mentors the liaison.",
    )
    focus_areas = MarkdownField(blank=True, help_text="What the liaison concentrates on (Markdown).")
    focus_areas_html = MarkdownHTMLField(source="focus_areas")
    projects = models.ManyToManyField("projects.Project", blank=True, related_name="liaison_assignments")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text="Leave empty for an open-ended assignment.")
    status = models.CharField(max_length=16, choices=AssignmentStatus.choices, default=AssignmentStatus.ACTIVE)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ("served_department", "start_date", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "served_department"],
                condition=Q(status="active"),
                name="liaison_one_active_assignment_per_served_department",
                violation_error_message="This person already has an active assignment serving that department.",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="liaison_assignment_end_after_start",
                violation_error_message="The end date cannot be before the start date.",
            ),
            models.CheckConstraint(
                condition=~Q(home_department=models.F("served_department")),
                name="liaison_assignment_serves_another_department",
                violation_error_message="A liaison serves a department other than their own.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in AssignmentStatus]), name="liaison_assignment_status_valid"
            ),
        ]
        indexes = [
            models.Index(
                fields=["served_department", "end_date"], name="liaison_active_by_dept", condition=Q(status="active")
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.get_served_department_display()}"

    def get_absolute_url(self) -> str:
        return reverse("liaison:person", args=[self.person.username])


class AssignmentChange(models.Model):
    """History of an assignment: who changed what, when."""

    assignment = models.ForeignKey(LiaisonAssignment, on_delete=models.CASCADE, related_name="history")
    action = models.CharField(max_length=32)
    detail = models.CharField(max_length=500, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-at", "-id")

    def __str__(self) -> str:
        return f"{self.assignment}: {self.action}"


class Readiness(models.TextChoices):
    NOT_YET = "not_yet", "Not yet ready"
    GROWING = "growing", "Growing into it"
    READY = "ready", "Ready"


class MentorCheckIn(RendersMarkdown, models.Model):
    """A mentor's dated note on the mentee's growth and readiness for the role."""

    assignment = models.ForeignKey(LiaisonAssignment, on_delete=models.CASCADE, related_name="checkins")
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="checkins_given")
    date = models.DateField()
    notes = MarkdownField(help_text="Markdown.")
    notes_html = MarkdownHTMLField(source="notes")
    readiness = models.CharField(max_length=16, choices=Readiness.choices, default=Readiness.GROWING)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-date", "-id")

    def __str__(self) -> str:
        return f"Check-in {self.date} on {self.assignment}"


class LogEntry(RendersMarkdown, models.Model):
    """A liaison's note on one of the other side's meetings they joined."""

    liaison = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="liaison_log")
    date = models.DateField()
    meeting = models.CharField(max_length=200, help_text="Which meeting of the other side you joined.")
    learned = MarkdownField(help_text="What you learned (Markdown).")
    learned_html = MarkdownHTMLField(source="learned")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-date", "-id")
        verbose_name_plural = "log entries"
        indexes = [models.Index(fields=["liaison", "-date"], name="liaison_log_by_person")]

    def __str__(self) -> str:
        return f"{self.date} {self.meeting}"


# --- meetings ------------------------------------------------------------------------------


class SeriesKind(models.TextChoices):
    CMO_CIO_SYNC = "cmo_cio_sync", "CMO–CIO sync"
    LIAISON_CHECKIN = "liaison_checkin", "Liaison check-in"
    JOINT_STANDUP = "joint_standup", "Joint stand-up"
    OTHER = "other", "Other"


class Cadence(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Fortnightly"
    MONTHLY = "monthly", "Monthly"
    AD_HOC = "ad_hoc", "Ad hoc"


class MeetingSeries(models.Model):
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=24, choices=SeriesKind.choices, default=SeriesKind.OTHER)
    cadence = models.CharField(max_length=16, choices=Cadence.choices, default=Cadence.AD_HOC)
    organiser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="series_organised")
    default_attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    default_length_minutes = models.PositiveSmallIntegerField(default=30)
    default_location = models.CharField(max_length=300, blank=True, help_text="A room or a video link.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("title",)
        verbose_name_plural = "meeting series"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in SeriesKind]), name="liaison_series_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(cadence__in=[c.value for c in Cadence]), name="liaison_series_cadence_valid"
            ),
            models.CheckConstraint(
                condition=Q(default_length_minutes__gt=0),
                name="liaison_series_length_positive",
                violation_error_message="A meeting lasts at least a minute.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("liaison:series", args=[self.pk])


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def for_user(self, user_id: int) -> MeetingQuerySet:
        return self.filter(Q(organiser_id=user_id) | Q(attendees__id=user_id)).distinct()

    def planned(self) -> MeetingQuerySet:
        return self.filter(status=MeetingStatus.PLANNED)

    def held(self) -> MeetingQuerySet:
        return self.filter(status=MeetingStatus.HELD)


class Meeting(RendersMarkdown, models.Model):
    series = models.ForeignKey(MeetingSeries, on_delete=models.PROTECT, related_name="meetings")
    start = models.DateTimeField(help_text="Stored in UTC; entered in the organiser's time zone.")
    length_minutes = models.PositiveSmallIntegerField(default=30)
    location = models.CharField(max_length=300, blank=True, help_text="A room or a video link.")
    organiser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="meetings_organised")
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="meetings_attended")
    notes = MarkdownField(blank=True, max_length=50_000, help_text="Markdown.")
    notes_html = MarkdownHTMLField(source="notes")
    decisions = MarkdownField(blank=True, max_length=20_000, help_text="Markdown.")
    decisions_html = MarkdownHTMLField(source="decisions")
    status = models.CharField(max_length=16, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ("start", "id")
        constraints = [
            models.CheckConstraint(
                condition=Q(length_minutes__gt=0),
                name="liaison_meeting_length_positive",
                violation_error_message="A meeting lasts at least a minute.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in MeetingStatus]), name="liaison_meeting_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["start"], name="liaison_planned_by_start", condition=Q(status="planned")),
            models.Index(fields=["series", "status", "start"], name="liaison_meeting_series_state"),
        ]

    def __str__(self) -> str:
        return f"{self.series.title}, {self.start:%d %b %Y}"

    def get_absolute_url(self) -> str:
        return reverse("liaison:meeting", args=[self.pk])

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.length_minutes)


class AgendaItem(models.Model):
    """One line of a meeting's agenda. ``key`` makes carried-over and suggested items appear only once."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    title = models.CharField(max_length=200)
    link = models.CharField(max_length=300, blank=True)
    source = models.CharField(max_length=100, blank=True, help_text="Where the item came from.")
    key = models.CharField(max_length=200, blank=True)
    action_item = models.ForeignKey(
        "ActionItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="agenda_items"
    )
    position = models.PositiveIntegerField(default=0)
    done = models.BooleanField(default=False)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("position", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "key"], condition=~Q(key=""), name="liaison_agenda_item_once_per_meeting"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AgendaChange(models.Model):
    """Every change to a meeting's agenda and notes, readable by anyone."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="history")
    action = models.CharField(max_length=32)
    detail = models.CharField(max_length=500, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-at", "-id")

    def __str__(self) -> str:
        return f"{self.action}: {self.detail[:40]}"


class MeetingActionQuerySet(models.QuerySet["ActionItem"]):
    def open(self) -> MeetingActionQuerySet:
        return self.filter(done_at__isnull=True)


class ActionItem(models.Model):
    """Something someone owes, from a meeting or a liaison's log; tracked until done across meetings."""

    title = models.CharField(max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="meeting_actions")
    due_date = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="action_items")
    log_entry = models.ForeignKey(LogEntry, null=True, blank=True, on_delete=models.CASCADE, related_name="follow_ups")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MeetingActionQuerySet.as_manager()

    class Meta:
        ordering = ("due_date", "id")
        constraints = [
            models.CheckConstraint(
                condition=Q(meeting__isnull=False) | Q(log_entry__isnull=False),
                name="liaison_action_from_meeting_or_log",
                violation_error_message="An action item comes from a meeting or a log entry.",
            ),
        ]
        indexes = [models.Index(fields=["due_date"], name="liaison_action_open_due", condition=Q(done_at__isnull=True))]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        if self.meeting_id:
            return reverse("liaison:meeting", args=[self.meeting_id]) + "#actions"
        return reverse("liaison:person", args=[self.owner.username]) + "#log"


# --- calendar ------------------------------------------------------------------------------


def new_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A user's secret calendar-feed token; regenerating it revokes the old URL."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"

    def get_absolute_url(self) -> str:
        return reverse("liaison:calendar_feed", args=[self.token])
