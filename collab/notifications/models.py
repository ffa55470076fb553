"""The reminders engine's state. Reminders live in the database, not in broker messages.

A ``Delivery`` is one message to one person on one channel about one object for one due time. Its
unique key (kind, object, recipient, due time, channel) makes a second sweep, a second beat or a
retried task find the row that exists instead of making another; a conditional UPDATE
(``pending`` → ``sending``) lets exactly one worker send it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MinLengthValidator, RegexValidator
from django.db import models
from django.db.models import Q


class Channel(models.TextChoices):
    IN_APP = "in_app", "In the app"
    EMAIL = "email", "Email"
    SLACK = "slack", "Slack"
    SLACK_BOT = "slack_bot", "Slack (bot)"
    TEAMS = "teams", "Microsoft Teams"


#: the chat channels: incoming webhooks (a person's own, or their team's) and Slack through the bot token
CHAT_CHANNELS = (Channel.SLACK, Channel.SLACK_BOT, Channel.TEAMS)
#: the ones that POST to an incoming-webhook URL
WEBHOOK_CHAT_CHANNELS = (Channel.SLACK, Channel.TEAMS)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"
    DIGEST = "digest", "Held for the daily digest"


class Delivery(models.Model):
    kind = models.CharField(max_length=64)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    subject = GenericForeignKey("content_type", "object_id")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deliveries")
    due_at = models.DateTimeField()
    channel = models.CharField(max_length=16, choices=Channel.choices)
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    # what to say, fixed when the row is made so a send needs no more queries
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=500, blank=True)
    event_at = models.DateTimeField(null=True, blank=True, help_text="The time the reminder is about, if any.")
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True, help_text="Which sender claimed the row.")
    sent_at = models.DateTimeField(null=True, blank=True)
    team_channel = models.ForeignKey(
        "TeamChannel",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
        help_text="Set when the message goes to a team's chat channel (the recipient is the person it is about).",
    )
    digest = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bundled",
        help_text="The digest email that carried this reminder.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ("-due_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "content_type", "object_id", "recipient", "due_at", "channel"],
                condition=Q(team_channel__isnull=True),
                name="notifications_delivery_one_per_key",
                violation_error_message="This reminder was already made for this person and time.",
            ),
            # a team's chat channel hears about a thing once, however many of its people it concerns
            models.UniqueConstraint(
                fields=["kind", "content_type", "object_id", "due_at", "team_channel"],
                condition=Q(team_channel__isnull=False),
                name="notifications_delivery_one_per_team_key",
                violation_error_message="This reminder was already made for this team channel and time.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in DeliveryStatus]),
                name="notifications_delivery_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(channel__in=[c.value for c in Channel]),
                name="notifications_delivery_channel_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                name="notif_delivery_pending",
                condition=Q(status="pending"),
            ),
            models.Index(fields=["claimed_at"], name="notif_delivery_sending", condition=Q(status="sending")),
            models.Index(fields=["claim_token"], name="notif_delivery_claim", condition=Q(status="sending")),
            models.Index(fields=["recipient", "due_at"], name="notif_delivery_digest", condition=Q(status="digest")),
            models.Index(fields=["status", "kind"], name="notif_delivery_status_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id} ({self.channel}, {self.status})"


class NotificationQuerySet(models.QuerySet["Notification"]):
    def for_user(self, user: Any) -> NotificationQuerySet:
        return self.filter(user=user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """What the bell shows: an in-app message to one person."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=64)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=500, blank=True)
    event_at = models.DateTimeField(null=True, blank=True)
    delivery = models.OneToOneField(
        Delivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="notification"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notif_user_recent"),
            models.Index(fields=["user"], name="notif_user_unread", condition=Q(read_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Preference(models.Model):
    """One person's channels for one kind. No row means the kind's defaults."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_prefs")
    kind = models.CharField(max_length=64)
    in_app = models.BooleanField(default=True)
    email = models.BooleanField(default=True)
    chat = models.BooleanField(default=True, help_text="To the person's own Slack / Teams webhooks, if they set any.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notifications_one_preference_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind}"


class DigestSetting(models.Model):
    """Whether a person bundles the day's reminder emails into one, and at which local hour."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_setting")
    enabled = models.BooleanField(default=False)
    hour = models.PositiveSmallIntegerField(default=8, help_text="Local hour (0–23) the digest is sent.")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(hour__gte=0, hour__lte=23),
                name="notifications_digest_hour_range",
                violation_error_message="The hour must be between 0 and 23.",
            ),
        ]

    def __str__(self) -> str:
        return f"digest {self.user_id} at {self.hour:02d}:00"


class Heartbeat(models.Model):
    """When a periodic job last ran (the beat sweep), for /healthz and the admin."""

    name = models.CharField(max_length=64, unique=True)
    at = models.DateTimeField()
    detail = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"{self.name} at {self.at:%Y-%m-%d %H:%M:%S}"


def validate_slack_webhook_url(value: str) -> None:
    from collab.lib.urls import validate_chat_webhook_url

    validate_chat_webhook_url(value, Channel.SLACK)


def validate_teams_webhook_url(value: str) -> None:
    from collab.lib.urls import validate_chat_webhook_url

    validate_chat_webhook_url(value, Channel.TEAMS)


def validate_chat_url(value: str) -> None:
    """Named by migration 0003; chat URLs are now checked per service (above)."""
    from collab.lib.urls import validate_outgoing_url

    validate_outgoing_url(value)


CHAT_URL_VALIDATORS: dict[str, Callable[[str], None]] = {
    Channel.SLACK: validate_slack_webhook_url,
    Channel.TEAMS: validate_teams_webhook_url,
}

validate_slack_member_id = RegexValidator(
    r"^[UW][A-Z0-9]{4,20}$",
    "A Slack member id looks like U012AB3CDE (your profile → ⋮ → Copy member ID).",
    code="slack_member_id",
)
validate_slack_channel_id = RegexValidator(
    r"^[CGD][A-Z0-9]{4,20}$",
    "A Slack channel id looks like C012AB3CDE (the channel's details, at the bottom).",
    code="slack_channel_id",
)


class ChatSetting(models.Model):
    """A person's own chat destinations: incoming-webhook URLs they made in Slack or Teams, and their Slack member
    id for direct messages from the bot (when the installation has a bot token)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_setting")
    slack_webhook_url = models.URLField(
        max_length=500, blank=True, validators=[validate_slack_webhook_url], help_text="A Slack incoming webhook URL."
    )
    teams_webhook_url = models.URLField(
        max_length=500,
        blank=True,
        validators=[validate_teams_webhook_url],
        help_text="A Microsoft Teams incoming webhook URL.",
    )
    slack_member_id = models.CharField(
        max_length=24,
        blank=True,
        validators=[validate_slack_member_id],
        help_text="Your Slack member id: direct messages from the Collab bot.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"chat {self.user_id}"

    def destinations(self) -> dict[str, str]:
        """Channel → where to post: a webhook URL, or the member id the bot writes to (only with a bot token)."""
        found = {Channel.SLACK: self.slack_webhook_url, Channel.TEAMS: self.teams_webhook_url}
        if settings.SLACK_BOT_TOKEN:
            found[Channel.SLACK_BOT] = self.slack_member_id
        return {c: where for c, where in found.items() if where}


class TeamChannel(models.Model):
    """A department's chat channel (set by an admin): the reminders about its people that a team should hear
    (escalations, meetings: ``Kind.team_chat``) are also posted there, once each. Slack and Teams post to an
    incoming-webhook ``url``; "Slack (bot)" posts to ``channel_id`` with the installation's bot token."""

    department = models.CharField(max_length=32)
    service = models.CharField(max_length=16, choices=[(c.value, c.label) for c in CHAT_CHANNELS])
    url = models.URLField(max_length=500, blank=True, help_text="The incoming webhook URL (Slack, Teams).")
    channel_id = models.CharField(
        max_length=24,
        blank=True,
        validators=[validate_slack_channel_id],
        help_text="Slack (bot) only: the channel id; invite the bot to the channel.",
    )
    name = models.CharField(max_length=100, blank=True, help_text="e.g. #marketing-it")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("department", "service")
        constraints = [
            models.UniqueConstraint(
                fields=["department", "service"],
                name="notifications_one_team_channel_per_service",
                violation_error_message="This department already has a channel on this service.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department} on {self.get_service_display()}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.service == Channel.SLACK_BOT:
            if not self.channel_id:
                raise ValidationError({"channel_id": "Give the Slack channel id the bot should post to."})
            self.url = ""
        elif self.service in CHAT_URL_VALIDATORS:
            if not self.url:
                raise ValidationError({"url": "Give the channel's incoming webhook URL."})
            try:
                CHAT_URL_VALIDATORS[self.service](self.url)
            except ValidationError as exc:
                raise ValidationError({"url": exc.error_list}) from exc
            self.channel_id = ""

    @property
    def destination(self) -> str:
        return self.channel_id if self.service == Channel.SLACK_BOT else self.url


# --- outgoing webhooks ---------------------------------------------------------------------
class WebhookEvent(models.TextChoices):
    SNAG_CREATED = "snag.created", "Snag created"
    SNAG_ANSWERED = "snag.answered", "Snag answered"
    SNAG_ESCALATED = "snag.escalated", "Snag escalated"
    RANKING_CHANGED = "ranking.changed", "Project ranking changed"
    CHANGE_REQUEST_DECIDED = "change_request.decided", "Change request decided"
    REVIEW_LOCKED = "review.locked", "Quarterly review locked"


SECRET_MIN_LENGTH = 24


def _new_secret() -> str:
    import secrets

    return secrets.token_urlsafe(32)


def validate_webhook_url(value: str) -> None:
    from collab.lib.urls import validate_outgoing_url

    validate_outgoing_url(value)


def validate_events(value: Any) -> None:
    from django.core.exceptions import ValidationError

    if not isinstance(value, list) or not value:
        raise ValidationError("Choose at least one event.")
    unknown = [v for v in value if v not in WebhookEvent.values]
    if unknown:
        raise ValidationError(f"Unknown events: {', '.join(map(str, unknown))}.")


class Webhook(models.Model):
    """An admin-registered URL that receives signed JSON events."""

    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500, validators=[validate_webhook_url])
    secret = models.CharField(
        max_length=128,
        default=_new_secret,
        validators=[MinLengthValidator(SECRET_MIN_LENGTH, f"Use a secret of at least {SECRET_MIN_LENGTH} characters.")],
        help_text=f"Shared with the receiver; signs every payload. At least {SECRET_MIN_LENGTH} characters.",
    )
    events = models.JSONField(default=list, validators=[validate_events])
    active = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("name",)
        # every snag, ranking and review write asks which hooks are active: a small index answers
        indexes = [models.Index(fields=["id"], name="notif_webhook_active", condition=Q(active=True))]

    def __str__(self) -> str:
        return self.name


class WebhookDeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


class WebhookDelivery(models.Model):
    """The log: one event to one webhook, with every attempt's outcome."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    uid = models.UUIDField(unique=True, help_text="Sent as X-Collab-Delivery; stable across retries.")
    event = models.CharField(max_length=64, choices=WebhookEvent.choices)
    payload = models.JSONField()
    status = models.CharField(
        max_length=16, choices=WebhookDeliveryStatus.choices, default=WebhookDeliveryStatus.PENDING
    )
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "webhook deliveries"
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["webhook", "-created_at"], name="notif_webhook_log")]

    def __str__(self) -> str:
        return f"{self.event} → {self.webhook_id} ({self.status})"
