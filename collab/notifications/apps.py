from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "collab.notifications"
    label = "notifications"
    verbose_name = "Reminders and notifications"

    def ready(self) -> None:
        from collab.notifications import kinds, registry

        registry.register(kinds.DailyDigest)
        registry.register(kinds.TestMessage)
