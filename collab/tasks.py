"""Project-level tasks."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="collab.tasks.ping", acks_late=True, ignore_result=False, time_limit=10, soft_time_limit=8)
def ping() -> str:
    """Proves a worker takes tasks from the configured broker: returns 'pong'."""
    return "pong"
