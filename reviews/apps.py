from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    label = "reviews"
    verbose_name = "Quarterly business reviews"

    def ready(self) -> None:
        from collab.notifications import registry
        from reviews import kinds

        for kind in (
            kinds.InputDeadline,
            kinds.InputMissed,
            kinds.ActionItemDue,
            kinds.ActionItemOverdue,
            kinds.PulseInvitationKind,
            kinds.PulseClosingKind,
        ):
            registry.register(kind)
