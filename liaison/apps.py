"""Liaisons and meetings."""

from django.apps import AppConfig


class LiaisonConfig(AppConfig):
    name = "liaison"
    label = "liaison"
    verbose_name = "Liaisons and meetings"

    def ready(self) -> None:
        from collab.lib import hooks
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
