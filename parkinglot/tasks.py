"""Celery tasks of the parking lot: ids in, a service call, nothing more."""

from __future__ import annotations

from celery import shared_task

from parkinglot import services


@shared_task(
    name="parkinglot.tasks.escalate", acks_late=True, reject_on_worker_lost=True, soft_time_limit=120, time_limit=180
)
def escalate() -> dict[str, int]:
    """Record the escalations time has brought (the reminders themselves are the engine's sweep)."""
    result = services.snags_escalate()
    return {"level_1": result.level_1, "level_2": result.level_2}
