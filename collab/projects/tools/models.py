"""The technology register: every tool the company runs, how the tools exchange data, and the requests for new ones.

A tool moves evaluating → trial → adopted → to retire → retired (and back where it makes sense, see
``services.TRANSITIONS``). A tool found outside IT standards carries the "shadow" flag: no blame, it is how shadow
IT comes to light. The models live in the projects app (floor 3); ``collab/projects/models.py`` imports them.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Greatest, Least, Lower
from django.urls import reverse
from django.utils import timezone

from collab.accounts.models import Department
from collab.lib.markdown import MarkdownField, MarkdownHTMLField, RendersMarkdown


class ToolCategory(models.TextChoices):
    MARKETING_AUTOMATION = "marketing_automation", "Marketing automation"
    CRM = "crm", "CRM"
    ANALYTICS = "analytics", "Analytics"
    CMS = "cms", "CMS"
    ADS = "ads", "Ads"
    DATA = "data", "Data"
    COLLABORATION = "collaboration", "Collaboration"
    CUSTOMER_SERVICE = "customer_service", "Customer service and helpdesk"
    SALES_ENGAGEMENT = "sales_engagement", "Sales engagement"
    OTHER = "other", "Other"


class ToolStatus(models.TextChoices):
    EVALUATING = "evaluating", "Evaluating"
    TRIAL = "trial", "Trial"
    ADOPTED = "adopted", "Adopted"
    TO_RETIRE = "to_retire", "To retire"
    RETIRED = "retired", "Retired"


IN_USE = (ToolStatus.TRIAL, ToolStatus.ADOPTED, ToolStatus.TO_RETIRE)
NOT_RETIRED = (ToolStatus.EVALUATING, ToolStatus.TRIAL, ToolStatus.ADOPTED, ToolStatus.TO_RETIRE)


class Adoption(models.TextChoices):
    THROUGH_IT = "it", "Through IT"
    SHADOW = "shadow", "Found outside IT"


#: contract renewals this close count as "coming" on the register, the dashboard and the QBR
RENEWAL_WINDOW = timedelta(days=90)


def renewing(today: date, window: timedelta = RENEWAL_WINDOW) -> Q:
    """Tools still in the register whose contract renews between ``today`` and ``window`` ahead (a filter, for
    querysets and for aggregates alike). ``Tool.renews_soon`` is the same rule on a loaded row."""
    return Q(status__in=NOT_RETIRED, renewal_date__gte=today, renewal_date__lte=today + window)


class ToolQuerySet(models.QuerySet["Tool"]):
    def not_retired(self) -> ToolQuerySet:
        return self.filter(status__in=NOT_RETIRED)

    def renewing(self, today: date, window: timedelta = RENEWAL_WINDOW) -> ToolQuerySet:
        return self.filter(renewing(today, window))

    def shadow(self) -> ToolQuerySet:
        return self.filter(adoption=Adoption.SHADOW)

    def with_integration_flags(self) -> ToolQuerySet:
        """``integrated``: the tool exchanges data with at least one other tool (either direction)."""
        linked = ToolIntegration.objects.filter(Q(source=models.OuterRef("pk")) | Q(target=models.OuterRef("pk")))
        return self.annotate(integrated=models.Exists(linked))


class Tool(RendersMarkdown, models.Model):
    name = models.CharField(max_length=120)
    vendor = models.CharField(max_length=120, blank=True)
    category = models.CharField(max_length=24, choices=ToolCategory.choices, default=ToolCategory.OTHER)
    department = models.CharField(
        max_length=32, choices=Department.choices, default=Department.MARKETING, help_text="The owning department."
    )
    business_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="tools_owned"
    )
    it_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="tools_supported"
    )
    adoption = models.CharField(max_length=8, choices=Adoption.choices, default=Adoption.THROUGH_IT)
    users_count = models.PositiveIntegerField(default=0, help_text="How many people use it.")
    annual_cost = models.DecimalField(max_digits=12, decimal_places=2, default=0, help_text="Per year, in euros.")
    renewal_date = models.DateField(null=True, blank=True, help_text="When the contract renews.")
    holds_customer_data = models.BooleanField(default=False, help_text="It holds customers' personal data.")
    status = models.CharField(max_length=12, choices=ToolStatus.choices, default=ToolStatus.ADOPTED)
    usage_rating = models.PositiveSmallIntegerField(null=True, blank=True, help_text="How much it is used, 1–5.")
    success_rating = models.PositiveSmallIntegerField(null=True, blank=True, help_text="How well it works, 1–5.")
    rating_note = models.TextField(blank=True, max_length=2_000)
    notes = MarkdownField(blank=True, help_text="Markdown.")
    notes_html = MarkdownHTMLField(source="notes")
    # the retirement plan (status "to retire")
    retire_by = models.DateField(null=True, blank=True, help_text="The target date to switch it off.")
    replacement = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaces", help_text="What replaces it."
    )
    retirement_projects = models.ManyToManyField(
        "projects.Project", blank=True, related_name="tools_retired_by", help_text="The projects that carry the work."
    )
    retired_at = models.DateTimeField(null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="tools_registered"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ToolQuerySet.as_manager()

    class Meta:
        ordering = ("name", "id")
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="tools_one_entry_per_name",
                violation_error_message="This tool is already in the register.",
            ),
            models.CheckConstraint(
                condition=Q(annual_cost__gte=0),
                name="tools_cost_not_negative",
                violation_error_message="The annual cost cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(usage_rating__isnull=True) | Q(usage_rating__gte=1, usage_rating__lte=5),
                name="tools_usage_rating_1_to_5",
                violation_error_message="Rate usage from 1 to 5.",
            ),
            models.CheckConstraint(
                condition=Q(success_rating__isnull=True) | Q(success_rating__gte=1, success_rating__lte=5),
                name="tools_success_rating_1_to_5",
                violation_error_message="Rate success from 1 to 5.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in ToolStatus]),
                name="tools_status_valid",
                violation_error_message="Unknown tool status.",
            ),
            models.CheckConstraint(
                condition=Q(category__in=[s.value for s in ToolCategory]),
                name="tools_category_valid",
                violation_error_message="Unknown category.",
            ),
            models.CheckConstraint(
                condition=Q(adoption__in=[s.value for s in Adoption]),
                name="tools_adoption_valid",
                violation_error_message="Say whether it came in through IT or outside it.",
            ),
            models.CheckConstraint(
                condition=~Q(status=ToolStatus.TO_RETIRE) | Q(retire_by__isnull=False),
                name="tools_retirement_has_target_date",
                violation_error_message="A tool to retire needs a target date.",
            ),
            models.CheckConstraint(
                condition=Q(replacement__isnull=True) | ~Q(replacement=F("pk")),
                name="tools_not_replaced_by_itself",
                violation_error_message="A tool cannot replace itself.",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "department"], name="tools_status_dept"),
            models.Index(fields=["renewal_date"], name="tools_renewal", condition=Q(renewal_date__isnull=False)),
            models.Index(fields=["category"], name="tools_category"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("tools:detail", args=[self.pk])

    @property
    def is_shadow(self) -> bool:
        return self.adoption == Adoption.SHADOW

    def renews_soon(self, today: date, window: timedelta = RENEWAL_WINDOW) -> bool:
        """``renewing()`` on a loaded row."""
        return (
            self.status in NOT_RETIRED
            and self.renewal_date is not None
            and today <= self.renewal_date <= today + window
        )

    @property
    def is_silo(self) -> bool:
        """Customer data and no integration with any other tool (needs ``with_integration_flags``)."""
        if not self.holds_customer_data or self.status == ToolStatus.RETIRED:
            return False
        integrated = getattr(self, "integrated", None)
        if integrated is None:
            integrated = bool(self.pk) and ToolIntegration.objects.filter(Q(source=self) | Q(target=self)).exists()
        return not integrated


class Direction(models.TextChoices):
    ONE_WAY = "one_way", "Sends data to"
    BOTH_WAYS = "both_ways", "Exchanges data both ways with"


class Method(models.TextChoices):
    NATIVE = "native", "Native connector"
    API = "api", "API"
    FILE = "file", "File export/import"
    MANUAL = "manual", "Manual (copy and paste)"


class ToolIntegration(models.Model):
    """``source`` sends data to ``target`` (or both ways)."""

    source = models.ForeignKey(Tool, on_delete=models.CASCADE, related_name="integrations_out")
    target = models.ForeignKey(Tool, on_delete=models.CASCADE, related_name="integrations_in")
    direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.ONE_WAY)
    method = models.CharField(max_length=8, choices=Method.choices, default=Method.API)
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("source__name", "target__name", "id")
        constraints = [
            models.CheckConstraint(
                condition=~Q(source=F("target")),
                name="tools_no_integration_with_itself",
                violation_error_message="A tool cannot integrate with itself.",
            ),
            models.UniqueConstraint(
                fields=["source", "target"],
                name="tools_one_integration_per_pair",
                violation_error_message="These two tools are already integrated.",
            ),
            # A→B and B→A are the same pair: one row per unordered pair (both ways is a direction, not a row)
            models.UniqueConstraint(
                Least("source", "target"),
                Greatest("source", "target"),
                name="tools_one_integration_per_unordered_pair",
                violation_error_message="These two tools are already integrated.",
            ),
            models.CheckConstraint(
                condition=Q(direction__in=[s.value for s in Direction]),
                name="tools_integration_direction_valid",
                violation_error_message="Unknown direction.",
            ),
            models.CheckConstraint(
                condition=Q(method__in=[s.value for s in Method]),
                name="tools_integration_method_valid",
                violation_error_message="Unknown method.",
            ),
        ]
        indexes = [models.Index(fields=["target"], name="tools_integration_target")]

    def __str__(self) -> str:
        return f"{self.source_id} → {self.target_id}"


class ToolEventKind(models.TextChoices):
    REGISTERED = "registered", "Registered"
    EDITED = "edited", "Edited"
    STATUS = "status", "Status changed"
    INTEGRATION = "integration", "Integration changed"
    DECIDED = "decided", "Request decided"


class ToolEvent(models.Model):
    """The history of a tool: who registered it, edited it, moved it, linked it; and of a tool request: who
    decided it (``request`` set; ``tool`` too when the decision names an existing tool)."""

    tool = models.ForeignKey(Tool, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    request = models.ForeignKey("ToolRequest", null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=12, choices=ToolEventKind.choices)
    from_status = models.CharField(max_length=12, choices=ToolStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=ToolStatus.choices, blank=True)
    note = models.TextField(blank=True, max_length=2_000)

    class Meta:
        ordering = ("at", "id")
        constraints = [
            models.CheckConstraint(
                condition=Q(tool__isnull=False) | Q(request__isnull=False),
                name="tools_event_about_tool_or_request",
                violation_error_message="A history row is about a tool or a tool request.",
            ),
        ]
        indexes = [
            models.Index(fields=["tool", "at"], name="tools_event_tool_at"),
            models.Index(fields=["to_status", "at"], name="tools_event_status_at"),
        ]

    def __str__(self) -> str:
        return f"{self.tool_id or f'request {self.request_id}'} {self.kind} {self.at:%Y-%m-%d}"


class Urgency(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class RequestDecision(models.TextChoices):
    ADOPT = "adopt", "Adopt"
    TRIAL = "trial", "Trial"
    USE_EXISTING = "use_existing", "Use an existing tool"
    REJECT = "reject", "Reject"


class ToolRequestQuerySet(models.QuerySet["ToolRequest"]):
    def open(self) -> ToolRequestQuerySet:
        return self.filter(decision="")

    def decided(self) -> ToolRequestQuerySet:
        return self.exclude(decision="")

    def overdue(self, now: datetime) -> ToolRequestQuerySet:
        return self.open().filter(answer_by__lte=now)


class ToolRequest(RendersMarkdown, models.Model):
    """Someone asks for a new tool; IT answers by ``answer_by`` with an evaluation and a decision with a reason."""

    title = models.CharField(max_length=200, help_text="The tool, or what it should do, in a few words.")
    need = MarkdownField(help_text="What you need it for. Markdown.")
    need_html = MarkdownHTMLField(source="need")
    category = models.CharField(max_length=24, choices=ToolCategory.choices, default=ToolCategory.OTHER)
    users_count = models.PositiveIntegerField(default=1, help_text="How many people would use it.")
    budget = models.DecimalField(max_digits=12, decimal_places=2, default=0, help_text="Per year, in euros.")
    urgency = models.CharField(max_length=8, choices=Urgency.choices, default=Urgency.MEDIUM)
    data_involved = models.TextField(blank=True, max_length=2_000, help_text="What data it would hold or see.")
    holds_customer_data = models.BooleanField(default=False, help_text="It would hold customers' personal data.")
    department = models.CharField(max_length=32, choices=Department.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tool_requests")
    created_at = models.DateTimeField(default=timezone.now)
    answer_by = models.DateTimeField(help_text="IT answers by then (5 working days by default).")
    # the evaluation checklist
    integrates_with = models.ManyToManyField(Tool, blank=True, related_name="requests_integrating")
    security_review = models.TextField(blank=True, max_length=5_000)
    cost_review = models.TextField(blank=True, max_length=5_000)
    overlaps = models.ManyToManyField(Tool, blank=True, related_name="requests_overlapping")
    # the decision
    decision = models.CharField(max_length=12, choices=RequestDecision.choices, blank=True)
    reason = MarkdownField(blank=True, max_length=5_000)
    reason_html = MarkdownHTMLField(source="reason")
    existing_tool = models.ForeignKey(
        Tool, null=True, blank=True, on_delete=models.SET_NULL, related_name="requests_answered_with"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    project = models.ForeignKey(
        "projects.Project", null=True, blank=True, on_delete=models.SET_NULL, related_name="tool_requests"
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ToolRequestQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.CheckConstraint(
                condition=Q(budget__gte=0),
                name="tools_request_budget_not_negative",
                violation_error_message="The budget cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(decision="") | Q(decision__in=[d.value for d in RequestDecision]),
                name="tools_request_decision_valid",
                violation_error_message="Unknown decision.",
            ),
            models.CheckConstraint(
                condition=Q(decision="") | (~Q(reason="") & Q(decided_at__isnull=False)),
                name="tools_request_decision_has_reason",
                violation_error_message="A decision always comes with a reason.",
            ),
            models.CheckConstraint(
                condition=~Q(decision=RequestDecision.USE_EXISTING) | Q(existing_tool__isnull=False),
                name="tools_request_existing_tool_named",
                violation_error_message="Name the existing tool to use.",
            ),
            models.CheckConstraint(
                condition=Q(urgency__in=[u.value for u in Urgency]),
                name="tools_request_urgency_valid",
                violation_error_message="Unknown urgency.",
            ),
            models.CheckConstraint(
                condition=Q(answer_by__gte=F("created_at")),
                name="tools_request_deadline_after_asking",
                violation_error_message="The answer deadline comes after the request.",
            ),
        ]
        indexes = [
            models.Index(fields=["answer_by"], name="tools_request_open_deadline", condition=Q(decision="")),
            models.Index(fields=["decided_at"], name="tools_request_decided"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("tools:request_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return not self.decision

    def is_overdue(self, now: datetime) -> bool:
        return self.is_open and self.answer_by <= now

    @property
    def answered_on_time(self) -> bool | None:
        if self.decided_at is None:
            return None
        return self.decided_at <= self.answer_by
