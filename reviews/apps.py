from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    label = "reviews"
    verbose_name = "Quarterly business reviews"

    def ready(self) -> None:
        from collab.lib import hooks, search
        from collab.notifications import registry
        from reviews import exports, kinds, selectors

        hooks.provide("calendar.events", exports.calendar_events)
        search.register(
            search.Provider(kind="qbr_item", label="QBR agenda items", order=50, search=selectors.search_items)
        )
        search.register(
            search.Provider(kind="qbr_decision", label="QBR decisions", order=55, search=selectors.search_decisions)
        )
        search.register(
            search.Provider(kind="qbr_action", label="Action items", order=60, search=selectors.search_actions)
        )

        for kind in (
            kinds.InputDeadline,
            kinds.InputMissed,
            kinds.ActionItemDue,
            kinds.ActionItemOverdue,
            kinds.PulseInvitationKind,
            kinds.PulseClosingKind,
        ):
            registry.register(kind)
