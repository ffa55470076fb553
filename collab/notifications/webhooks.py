"""Outgoing webhooks: admins register URLs for events; each event becomes a ``WebhookDelivery`` row and a
Celery task that POSTs the signed JSON, retrying with exponential backoff on 5xx / connection errors and
giving up at once on 4xx. A webhook that fails ``WEBHOOK_DISABLE_AFTER`` attempts in a row is switched off.

Signature: ``X-Collab-Signature: sha256=<hex HMAC-SHA256(secret, f"{timestamp}.{body}")>`` with the Unix
time in ``X-Collab-Timestamp``; receivers recompute it and reject old timestamps (see the README).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import requests
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from collab.lib import http
from collab.lib.tasks import enqueue_on_commit
from collab.lib.urls import DestinationError, redact
from collab.notifications.models import Webhook, WebhookDelivery, WebhookDeliveryStatus, WebhookEvent

log = logging.getLogger("collab.webhooks")

USER_AGENT = "Collab-Webhooks/1"


def sign(*, secret: str, timestamp: int | str, body: str | bytes) -> str:
    """The value of X-Collab-Signature for a body sent at ``timestamp``."""
    if isinstance(body, bytes):
        body = body.decode()
    mac = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify(*, secret: str, timestamp: str, body: str | bytes, signature: str, tolerance: int = 300) -> bool:
    """What a receiver does (and what the README shows): same HMAC, compared in constant time, recent enough."""
    try:
        if abs(time.time() - int(timestamp)) > tolerance:
            return False
    except ValueError:
        return False
    return hmac.compare_digest(sign(secret=secret, timestamp=timestamp, body=body), signature)


def backoff_seconds(attempt: int) -> int:
    """Wait after failed attempt number ``attempt`` (1-based): base, 2×base, 4×base … capped."""
    base = settings.WEBHOOK_BACKOFF_SECONDS
    return int(min(base * 2 ** max(attempt - 1, 0), settings.WEBHOOK_BACKOFF_MAX_SECONDS))


def body_for(delivery: WebhookDelivery) -> str:
    envelope = {
        "id": str(delivery.uid),
        "event": delivery.event,
        "created_at": delivery.created_at.isoformat() if delivery.created_at else None,
        "data": delivery.payload,
    }
    return json.dumps(envelope, cls=DjangoJSONEncoder, separators=(",", ":"), sort_keys=True)


# --- services --------------------------------------------------------------------------------
Payload = dict[str, Any] | Callable[[], dict[str, Any]]


def _subscribed(event: str) -> list[Webhook]:
    """The active webhooks subscribed to ``event``: one small query on a partial index, asked afresh by every
    event. No cache: the worker and beat processes must see a webhook saved in the web process at once (a
    local-memory cache would hide it for its lifetime), and installations have a handful of hooks at most. The
    events are filtered here because SQLite has no JSON ``contains``."""
    if event not in WebhookEvent.values:
        raise ValueError(f"Unknown webhook event {event!r}.")
    return [h for h in Webhook.objects.filter(active=True).order_by("pk") if event in (h.events or [])]


def _log_and_send(event: str, hooks: list[Webhook], payloads: list[dict[str, Any]]) -> list[int]:
    """One logged delivery per (payload, webhook), in one insert, each sent by a task after commit."""
    now = timezone.now()
    clean = [json.loads(json.dumps(data, cls=DjangoJSONEncoder)) for data in payloads]
    with transaction.atomic():
        rows = WebhookDelivery.objects.bulk_create(
            [
                WebhookDelivery(webhook=h, uid=uuid.uuid4(), event=event, payload=data, next_attempt_at=now)
                for data in clean
                for h in hooks
            ],
            batch_size=1000,
        )
    from collab.notifications.tasks import deliver_webhook

    for row in rows:
        enqueue_on_commit(deliver_webhook, row.pk)
    return [row.pk for row in rows]


def webhook_emit(*, event: str, payload: Payload, hooks: list[Webhook] | None = None) -> list[int]:
    """Log one delivery per active webhook subscribed to ``event`` and send each after commit.

    Emitting apps call this from ``transaction.on_commit`` so a rolled-back change sends nothing. ``payload``
    may be a function, called only when some webhook wants the event (no queries when none is registered).
    It never raises into the caller: a broken webhook setup must not break a snag."""
    try:
        hooks = _subscribed(event) if hooks is None else hooks
        if not hooks:
            return []
        return _log_and_send(event, hooks, [payload() if callable(payload) else payload])
    except Exception:
        log.exception("webhook emit failed", extra={"event": event})
        return []


def emit_on_commit(*, event: str, payload: Payload) -> None:
    """For emitting apps: ``webhook_emit`` once the surrounding transaction commits."""
    transaction.on_commit(lambda: webhook_emit(event=event, payload=payload))


def emit_each_on_commit(*, event: str, payloads: Callable[[], list[dict[str, Any]]]) -> None:
    """Many events of one kind (a sweep's escalations): after commit, the subscribers are looked up once and, only
    when there are some, ``payloads()`` builds every payload at once (one read for all) and one insert logs them."""

    def emit() -> None:
        try:
            hooks = _subscribed(event)
            if hooks:
                _log_and_send(event, hooks, payloads())
        except Exception:
            log.exception("webhook emit failed", extra={"event": event})

    transaction.on_commit(emit)


@dataclass
class Attempt:
    status: str
    retry_in: int | None = None  # seconds until the next try, when one is due


def _record_failure(hook: Webhook) -> None:
    Webhook.objects.filter(pk=hook.pk).update(consecutive_failures=F("consecutive_failures") + 1)
    limit = settings.WEBHOOK_DISABLE_AFTER
    disabled = Webhook.objects.filter(pk=hook.pk, active=True, consecutive_failures__gte=limit).update(
        active=False,
        disabled_reason=f"Switched off after {limit} failed attempts in a row at {timezone.now():%Y-%m-%d %H:%M} UTC.",
    )
    if disabled:
        log.warning("webhook disabled", extra={"webhook": hook.pk, "after": limit})


def webhook_attempt(*, delivery_id: int) -> Attempt:
    """One POST of one logged delivery. Returns what happened and, for a transient failure, when to retry."""
    delivery = WebhookDelivery.objects.select_related("webhook").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != WebhookDeliveryStatus.PENDING:
        return Attempt(status=delivery.status if delivery else "missing")
    hook = delivery.webhook
    pending = WebhookDelivery.objects.filter(pk=delivery.pk, status=WebhookDeliveryStatus.PENDING)
    if not hook.active:
        pending.update(status=WebhookDeliveryStatus.SKIPPED, error="The webhook is switched off.")
        return Attempt(status=WebhookDeliveryStatus.SKIPPED)
    now = timezone.now()
    if delivery.next_attempt_at and delivery.next_attempt_at > now + timedelta(seconds=5):
        return Attempt(status=WebhookDeliveryStatus.PENDING)  # a duplicate task, early: the due one will come
    attempt = delivery.attempts + 1
    # the claim: one caller per attempt number (a redelivered task or the sweeper's copy finds it taken)
    claimed = WebhookDelivery.objects.filter(
        pk=delivery.pk, status=WebhookDeliveryStatus.PENDING, attempts=delivery.attempts
    ).update(attempts=attempt, next_attempt_at=now + timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS * 2 + 60))
    if not claimed:
        return Attempt(status="taken")
    body = body_for(delivery)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Collab-Event": delivery.event,
        "X-Collab-Delivery": str(delivery.uid),
        "X-Collab-Timestamp": timestamp,
        "X-Collab-Signature": sign(secret=hook.secret, timestamp=timestamp, body=body),
    }
    code: int | None = None
    try:
        # http.post resolves the host again before sending: DNS or the settings may have changed since the save
        code, text = http.post(hook.url, body=body.encode(), headers=headers, timeout=settings.WEBHOOK_TIMEOUT_SECONDS)
        if 200 <= code < 300:
            pending.update(
                status=WebhookDeliveryStatus.SENT, status_code=code, error="", delivered_at=now,
                next_attempt_at=None,
            )  # fmt: skip
            Webhook.objects.filter(pk=hook.pk).exclude(consecutive_failures=0).update(consecutive_failures=0)
            return Attempt(status=WebhookDeliveryStatus.SENT)
        error = redact(f"HTTP {code}: {text[:300]}")
        transient = http.is_transient(code)
    except DestinationError as exc:
        reason = "The URL points at Collab itself." if exc.code == "self" else f"The URL is refused: {exc}"
        pending.update(status=WebhookDeliveryStatus.FAILED, error=reason, next_attempt_at=None)
        log.warning("webhook destination refused", extra={"webhook": hook.pk, "code": exc.code})
        return Attempt(status=WebhookDeliveryStatus.FAILED)
    except requests.RequestException as exc:  # connection trouble, a timeout, a host that did not resolve
        error = http.describe_error(exc)[:1000]
        transient = True
    _record_failure(hook)
    if transient and attempt < settings.WEBHOOK_MAX_ATTEMPTS:
        wait = backoff_seconds(attempt)
        pending.update(status_code=code, error=error, next_attempt_at=now + timedelta(seconds=wait))
        log.info("webhook will retry", extra={"delivery": delivery.pk, "attempt": attempt, "wait": wait})
        return Attempt(status=WebhookDeliveryStatus.PENDING, retry_in=wait)
    reason = error if not transient else f"Gave up after {attempt} attempts. {error}"
    pending.update(status=WebhookDeliveryStatus.FAILED, status_code=code, error=reason, next_attempt_at=None)
    log.warning("webhook delivery failed", extra={"delivery": delivery.pk, "error": error})
    return Attempt(status=WebhookDeliveryStatus.FAILED)


def webhook_send_test(*, webhook: Webhook) -> int | None:
    """Admin action: a ``ping`` event-shaped delivery of the first subscribed event, to check the receiver."""
    event = (webhook.events or [WebhookEvent.SNAG_CREATED])[0]
    row = WebhookDelivery.objects.create(
        webhook=webhook,
        uid=uuid.uuid4(),
        event=event,
        payload={"test": True, "message": "A test from Collab."},
        next_attempt_at=timezone.now(),
    )
    from collab.notifications.tasks import deliver_webhook

    enqueue_on_commit(deliver_webhook, row.pk)
    return row.pk


def webhook_save(*, webhook: Webhook) -> Webhook:
    """Validate and save (the admin's way); a re-enabled hook starts its failure count again."""
    webhook.full_clean()
    if webhook.active:
        webhook.consecutive_failures = 0
        webhook.disabled_reason = ""
    webhook.save()
    return webhook


def webhooks_sweep(*, now: Any = None, limit: int = 500) -> dict[str, int]:
    """Beat: hand out deliveries whose task was lost (broker down at emit time, a killed worker) and prune the
    log. A pending row whose next try is more than a minute overdue is enqueued again; the claim in
    ``webhook_attempt`` keeps a late original task and this copy from both sending."""
    from collab.lib.tasks import enqueue
    from collab.notifications.tasks import deliver_webhook

    now = now or timezone.now()
    overdue = list(
        WebhookDelivery.objects.filter(
            status=WebhookDeliveryStatus.PENDING, next_attempt_at__lte=now - timedelta(minutes=1)
        )
        .order_by("next_attempt_at")
        .values_list("id", flat=True)[:limit]
    )
    for pk in overdue:
        enqueue(deliver_webhook, pk)
    cutoff = now - timedelta(days=settings.WEBHOOK_LOG_DAYS)
    pruned, _ = WebhookDelivery.objects.filter(
        created_at__lt=cutoff, status__in=[WebhookDeliveryStatus.SENT, WebhookDeliveryStatus.SKIPPED]
    ).delete()
    return {"requeued": len(overdue), "pruned": pruned}
