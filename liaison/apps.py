"""Liaisons and meetings."""

from django.apps import AppConfig


class LiaisonConfig(AppConfig):
    name = "liaison"
    label = "liaison"
    verbose_name = "Liaisons and meetings"

    def ready(self) -> None:
        from collab.lib import hooks, search
        from collab.notifications import registry
        from liaison import kinds, selectors

        for kind in (
            kinds.MeetingSoon,
            kinds.ActionDue,
            kinds.ActionOverdue,
            kinds.SyncLapsed,
            kinds.AssignmentEnding,
        ):
            registry.register(kind)
        hooks.provide("liaison.covering", selectors.covering_liaison_id)
        search.register(search.Provider(kind="meeting", label="Meetings", order=40, search=selectors.search_meetings))
        search.register(
            search.Provider(
                kind="meeting_item", label="Meeting agenda items", order=45, search=selectors.search_agenda_items
            )
        )
        search.register(
            search.Provider(
                kind="meeting_action", label="Meeting action items", order=47, search=selectors.search_action_items
            )
        )
