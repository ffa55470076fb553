from __future__ import annotations

from datetime import UTC, datetime

import pytest

from reviews import services


@pytest.fixture
def review(cmo, cio, liaison, member):
    """QBR 2026 Q4 on 10 Dec 2026, facilitated by the liaison, with both executives and the member."""
    import time_machine

    with time_machine.travel(datetime(2026, 11, 20, 9, 0, tzinfo=UTC), tick=False):
        return services.review_create(
            by=cmo,
            year=2026,
            quarter=4,
            scheduled_at=datetime(2026, 12, 10, 13, 0, tzinfo=UTC),
            length_minutes=60,
            location="Board room",
            facilitator=liaison,
            attendees=[cmo, cio, member],
        )
