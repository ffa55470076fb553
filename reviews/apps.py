from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    label = "reviews"
    verbose_name = "Quarterly business reviews"

    def ready(self) -> None:
        from collab.lib import hooks
        from collab.notifications import registry
        from reviews import exports, kinds

        hooks.provide("calendar.events", exports.calendar_events)

        for kind in (
            kinds.InputDeadline,
            kinds.InputMissed,
            kinds.ActionItemDue,
            kinds.ActionItemOverdue,
            kinds.PulseInvitationKind,
            kinds.PulseClosingKind,
        ):
            registry.register(kind)
