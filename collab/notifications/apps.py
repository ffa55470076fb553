from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "collab.notifications"
    label = "notifications"
    verbose_name = "Reminders and notifications"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from collab.notifications import kinds, registry, webhooks
        from collab.notifications.models import Webhook

        registry.register(kinds.DailyDigest)
        registry.register(kinds.TestMessage)
        post_save.connect(webhooks.forget_active, sender=Webhook, dispatch_uid="webhooks.forget_active.save")
        post_delete.connect(webhooks.forget_active, sender=Webhook, dispatch_uid="webhooks.forget_active.delete")
