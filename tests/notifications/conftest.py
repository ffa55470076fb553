from __future__ import annotations

from datetime import UTC, datetime

import pytest

from collab.notifications import registry
from collab.notifications.registry import Due, Kind


class ProbeKind(Kind):
    """A reminder kind for tests: everyone in ``targets`` is due at ``due_at`` once ``now`` reaches it."""

    key = "probe"
    label = "Probe reminder"
    description = "Only in tests."
    targets: list = []
    due_at = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    event_at: datetime | None = None
    digestible = True
    team_chat = True  # a team matter, for the team-channel tests

    def due(self, now):
        if now < self.due_at:
            return
        for user in self.targets:
            yield Due(
                recipient_id=user.pk,
                obj=user,
                due_at=self.due_at,
                title=f"Probe for {user.username}",
                body="Something needs you.",
                link="/snags/",
                event_at=self.event_at,
            )


@pytest.fixture
def probe_kind():
    kind = ProbeKind()
    kind.targets = []
    registry.register(kind)
    yield kind
    registry.unregister(kind.key)
