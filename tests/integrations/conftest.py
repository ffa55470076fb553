from __future__ import annotations

import pytest

from collab.notifications.models import Webhook
from tests.projects.conftest import goal, make_project, project, sales_head  # noqa: F401 - shared fixtures
from tests.reviews.conftest import review  # noqa: F401 - shared fixture


@pytest.fixture
def make_webhook(db):
    def make(url: str, events=("snag.created",), **extra) -> Webhook:
        hook = Webhook(name=extra.pop("name", "Receiver"), url=url, events=list(events), **extra)
        hook.full_clean()
        hook.save()
        return hook

    return make


from tests.notifications.conftest import probe_kind  # noqa: E402, F401 - shared fixture
