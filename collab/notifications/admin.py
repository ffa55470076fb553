from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest

from collab.accounts.admin import EXTRA_USER_ACTIONS
from collab.accounts.permissions import can_send_test_notification
from collab.notifications import forms, services, webhooks
from collab.notifications.models import (
    ChatSetting,
    Delivery,
    DeliveryStatus,
    DigestSetting,
    Heartbeat,
    Notification,
    Preference,
    TeamChannel,
    Webhook,
    WebhookDelivery,
)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "recipient", "channel", "status", "due_at", "attempts", "sent_at")
    list_filter = ("status", "kind", "channel")
    search_fields = ("title", "recipient__username", "object_id")
    date_hierarchy = "due_at"
    list_select_related = ("recipient",)
    readonly_fields = [f.name for f in Delivery._meta.fields]
    actions = ("resend",)

    @admin.action(description="Re-send the selected failed or skipped deliveries")
    def resend(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        ids = list(
            queryset.filter(status__in=[DeliveryStatus.FAILED, DeliveryStatus.SKIPPED]).values_list("id", flat=True)
        )
        count = services.deliveries_resend(ids=ids)
        self.message_user(request, f"{count} deliveries queued again.", messages.SUCCESS)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "user", "kind", "created_at", "read_at")
    list_filter = ("kind", ("read_at", admin.EmptyFieldListFilter))
    search_fields = ("title", "user__username")
    list_select_related = ("user",)
    raw_id_fields = ("user", "delivery")


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "in_app", "email")
    list_filter = ("kind", "in_app", "email")
    raw_id_fields = ("user",)


@admin.register(DigestSetting)
class DigestSettingAdmin(admin.ModelAdmin):
    list_display = ("user", "enabled", "hour")
    list_filter = ("enabled",)
    raw_id_fields = ("user",)


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ("name", "at")
    readonly_fields = ("name", "at", "detail")


def send_test_notification(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> None:
    if not can_send_test_notification(request.user):
        modeladmin.message_user(request, "Only administrators may send test messages.", messages.ERROR)
        return
    for person in queryset:
        services.notify(
            kind="test",
            obj=person,
            recipient_ids=[person.pk],
            title="Test message from Collab",
            body=f"{request.user} sent this to check that the bell and email reach you.",
            link="/notifications/",
        )
    modeladmin.message_user(request, f"Test message queued for {queryset.count()} people.", messages.SUCCESS)


send_test_notification.short_description = "Send a test notification (bell and email)"  # type: ignore[attr-defined]
EXTRA_USER_ACTIONS.append(send_test_notification)


# --- integrations: chat channels and outgoing webhooks ---------------------------------------
@admin.register(TeamChannel)
class TeamChannelAdmin(admin.ModelAdmin):
    list_display = ("department", "service", "name", "active")
    list_filter = ("service", "active")
    form = forms.TeamChannelForm


@admin.register(ChatSetting)
class ChatSettingAdmin(admin.ModelAdmin):
    list_display = ("user", "has_slack", "has_teams", "updated_at")
    raw_id_fields = ("user",)
    # a person's webhook URLs are credentials of their chat account: not shown, not edited by admins
    exclude = ("slack_webhook_url", "teams_webhook_url")

    @admin.display(boolean=True, description="Slack")
    def has_slack(self, obj: ChatSetting) -> bool:
        return bool(obj.slack_webhook_url)

    @admin.display(boolean=True, description="Teams")
    def has_teams(self, obj: ChatSetting) -> bool:
        return bool(obj.teams_webhook_url)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class _RecentDeliveries(BaseInlineFormSet):
    def get_queryset(self) -> QuerySet[WebhookDelivery]:
        return super().get_queryset()[:50]  # the log inline shows the latest 50; the full log is its own page


class WebhookDeliveryInline(admin.TabularInline):
    model = WebhookDelivery
    formset = _RecentDeliveries
    extra = 0
    max_num = 0
    can_delete = False
    ordering = ("-created_at",)
    fields = ("created_at", "event", "status", "status_code", "attempts", "next_attempt_at", "delivered_at", "error")
    readonly_fields = fields
    show_change_link = True


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    form = forms.WebhookForm
    list_display = ("name", "url", "active", "consecutive_failures", "updated_at")
    list_filter = ("active",)
    search_fields = ("name", "url")
    readonly_fields = ("consecutive_failures", "disabled_reason", "created_at", "updated_at")
    inlines = (WebhookDeliveryInline,)
    actions = ("send_test",)

    def save_model(self, request: HttpRequest, obj: Webhook, form: Any, change: bool) -> None:
        webhooks.webhook_save(webhook=obj)

    @admin.action(description="Send a test event to the selected webhooks")
    def send_test(self, request: HttpRequest, queryset: QuerySet[Webhook]) -> None:
        for hook in queryset:
            webhooks.webhook_send_test(webhook=hook)
        self.message_user(request, f"Test event queued for {queryset.count()} webhooks.", messages.SUCCESS)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "webhook", "event", "status", "status_code", "attempts")
    list_filter = ("status", "event")
    list_select_related = ("webhook",)
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
