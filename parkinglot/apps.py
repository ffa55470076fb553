"""Parking lot."""

from django.apps import AppConfig


class ParkinglotConfig(AppConfig):
    name = "parkinglot"
    label = "parkinglot"
    verbose_name = "Parking lot"

    def ready(self) -> None:
        from collab.lib import hooks, search
        from collab.notifications import registry
        from parkinglot import kinds, selectors

        for kind in (kinds.SnagEscalationLevel1, kinds.SnagEscalationLevel2, kinds.SnagAnswered):
            registry.register(kind)
        hooks.provide("goals.detours", selectors.goal_detours)
        hooks.provide("meetings.agenda_suggestions", selectors.agenda_suggestions)
        hooks.provide("snags.hidden_in", selectors.hidden_in)
        search.register(search.Provider(kind="snag", label="Snags", order=10, search=selectors.search_snags))
