from __future__ import annotations

from datetime import UTC, datetime

import pytest

from parkinglot import services
from parkinglot.models import Snag

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday


@pytest.fixture
def make_snag(member):
    def make(by=None, title="The CMS queue blocks our landing page", impact="high", now=T0, **extra) -> Snag:
        return services.snag_create(raised_by=by or member, title=title, impact=impact, now=now, **extra)

    return make


@pytest.fixture
def snag(make_snag, cmo, cio, liaison):
    """A high-impact snag raised by the member (marketing), owned by the CMO (the head; no liaison app yet)."""
    return make_snag()
