from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from collab.accounts.admin import EXTRA_USER_ACTIONS
from collab.accounts.permissions import can_send_test_notification
from collab.notifications import services
from collab.notifications.models import Delivery, DeliveryStatus, DigestSetting, Heartbeat, Notification, Preference


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
