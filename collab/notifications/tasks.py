"""Celery tasks of the reminders engine. They take ids, load, and call a service."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.conf import settings

from collab.notifications import services


@shared_task(name="collab.notifications.tasks.sweep", acks_late=True, time_limit=300, soft_time_limit=280)
def sweep() -> dict[str, int]:
    """Beat runs this: make what is due, then hand the pending rows to workers in batches."""
    result = services.sweep()
    ids = result.pending_ids or []
    size = settings.REMINDER_BATCH_SIZE
    for start in range(0, len(ids), size):
        send_batch.apply_async(args=(ids[start : start + size],), retry=False)
    return {"due": result.due, "created": result.created, "pending": len(ids), "requeued": result.requeued}


@shared_task(name="collab.notifications.tasks.send_batch", acks_late=True, time_limit=240, soft_time_limit=220)
def send_batch(ids: list[int]) -> dict[str, int]:
    """Send each delivery this worker manages to claim; the others were someone else's."""
    return services.deliveries_send(ids=ids)


@shared_task(name="collab.notifications.tasks.requeue_stuck", acks_late=True, time_limit=60, soft_time_limit=50)
def requeue_stuck() -> int:
    return services.deliveries_requeue_stuck()


@shared_task(
    bind=True,
    name="collab.notifications.tasks.deliver_webhook",
    acks_late=True,
    time_limit=60,
    soft_time_limit=50,
    max_retries=None,  # the service counts attempts (WEBHOOK_MAX_ATTEMPTS) in the delivery row
)
def deliver_webhook(self: Any, delivery_id: int) -> str:
    """POST one logged webhook delivery; a 5xx or a connection error comes back later with a longer wait."""
    from collab.notifications import webhooks

    outcome = webhooks.webhook_attempt(delivery_id=delivery_id)
    if outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status


@shared_task(name="collab.notifications.tasks.webhooks_sweep", acks_late=True, time_limit=120, soft_time_limit=100)
def webhooks_sweep() -> dict[str, int]:
    from collab.notifications import webhooks

    return webhooks.webhooks_sweep()
