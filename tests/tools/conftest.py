from __future__ import annotations

from datetime import UTC, datetime

import pytest

from collab.projects.tools import services
from collab.projects.tools.models import Tool

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday


@pytest.fixture
def make_tool(cio):
    def make(name: str, by=None, **extra) -> Tool:
        extra.setdefault("now", T0)
        return services.tool_register(by=by or cio, name=name, **extra)

    return make
