"""Enqueue Celery work after the transaction commits, without ever hanging a request on the broker.

If the broker is down the enqueue is logged and dropped: every task we enqueue is also found by the
next beat sweep, which asks the database what is still due (RELIABILITY.md rule 5).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

log = logging.getLogger("collab.tasks")


def enqueue(task: Any, *args: Any, **kwargs: Any) -> bool:
    """Publish now, once, with a short timeout; never raise. Returns whether it was published."""
    try:
        task.apply_async(args=args, kwargs=kwargs, retry=False)
    except Exception as exc:  # any broker failure: log it, the sweep catches up
        log.warning("enqueue failed", extra={"task": getattr(task, "name", str(task)), "error": repr(exc)})
        return False
    return True


def enqueue_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Publish after the surrounding transaction commits (immediately when there is none)."""
    transaction.on_commit(lambda: enqueue(task, *args, **kwargs))
