"""Every write of the reminders engine.

sweep → ``deliveries_make`` (one row per key, under a unique constraint) → ``send_batch`` task →
``delivery_send``: a conditional UPDATE claims the row (pending → sending), the channel sends, the
row is marked sent. Failures go back to pending with a backoff until ``REMINDER_MAX_ATTEMPTS``.
``deliveries_requeue_stuck`` hands out rows a killed worker left in ``sending``.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import F, Max
from django.utils import timezone

from collab.lib.http import describe_error
from collab.lib.tasks import enqueue_on_commit
from collab.lib.urls import redact
from collab.notifications import registry
from collab.notifications.channels import CHANNELS, PermanentError, send_email_message
from collab.notifications.models import (
    Channel,
    ChatSetting,
    Delivery,
    DeliveryStatus,
    DigestSetting,
    Heartbeat,
    Notification,
    Preference,
    TeamChannel,
)
from collab.notifications.registry import Due, Kind

log = logging.getLogger("collab.notifications")

BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1))
SWEEP_HEARTBEAT = "reminders-sweep"


@dataclass
class SweepResult:
    due: int = 0
    created: int = 0
    pending_ids: list[int] = field(default_factory=list)
    requeued: int = 0


# --- preferences ---------------------------------------------------------------------------
def channels_for(kind: Kind, prefs: dict[str, Preference] | None) -> dict[str, bool]:
    """In the app, by email, and ``chat`` (the person's own Slack/Teams webhooks, where they set any)."""
    pref = (prefs or {}).get(kind.key)
    if pref is None:
        return {Channel.IN_APP: kind.default_in_app, Channel.EMAIL: kind.default_email, "chat": kind.default_chat}
    return {Channel.IN_APP: pref.in_app, Channel.EMAIL: pref.email, "chat": pref.chat}


def _chat_urls(user_ids: set[int]) -> dict[int, dict[str, str]]:
    if not user_ids:
        return {}
    return {s.user_id: s.destinations() for s in ChatSetting.objects.filter(user_id__in=user_ids)}


def _team_channels(user_ids: set[int]) -> dict[int, list[TeamChannel]]:
    """Per person, the active chat channels of their department (two queries, none without team channels)."""
    channels: dict[str, list[TeamChannel]] = defaultdict(list)
    for channel in TeamChannel.objects.filter(active=True):
        channels[channel.department].append(channel)
    if not channels or not user_ids:
        return {}
    from django.contrib.auth import get_user_model

    departments = get_user_model().objects.filter(pk__in=user_ids).values_list("pk", "department")
    return {pk: channels[dept] for pk, dept in departments if dept in channels}


def _preferences(kind_keys: set[str], user_ids: set[int]) -> dict[int, dict[str, Preference]]:
    found: dict[int, dict[str, Preference]] = defaultdict(dict)
    if not user_ids:
        return found
    for pref in Preference.objects.filter(user_id__in=user_ids, kind__in=kind_keys):
        found[pref.user_id][pref.kind] = pref
    return found


def _digest_users(user_ids: set[int]) -> set[int]:
    if not user_ids:
        return set()
    return set(DigestSetting.objects.filter(user_id__in=user_ids, enabled=True).values_list("user_id", flat=True))


# --- making deliveries ---------------------------------------------------------------------
def _row(
    kind: Kind,
    due: Due,
    ct: ContentType,
    channel: str,
    status: str = DeliveryStatus.PENDING,
    team: TeamChannel | None = None,
) -> Delivery:
    return Delivery(
        kind=kind.key,
        content_type=ct,
        object_id=str(due.obj.pk),
        recipient_id=due.recipient_id,
        due_at=due.due_at,
        channel=channel,
        status=status,
        team_channel=team,
        title=due.title[:200],
        body=due.body,
        link=due.link[:500],
        event_at=due.event_at,
        next_attempt_at=due.due_at,
    )


def deliveries_make(*, items: Iterable[tuple[Kind, Due]]) -> int:
    """One row per (kind, object, recipient, due time, channel); existing keys are left alone.

    Returns how many rows were inserted (0 on a repeat sweep)."""
    items = list(items)
    if not items:
        return 0
    user_ids = {due.recipient_id for _, due in items}
    prefs = _preferences({k.key for k, _ in items}, user_ids)
    digesters = _digest_users(user_ids)
    chat_urls = _chat_urls(user_ids)
    team_channels = _team_channels(user_ids)
    ct_cache: dict[type[models.Model], ContentType] = {}
    rows: list[Delivery] = []
    for kind, due in items:
        model = type(due.obj)
        ct = ct_cache.get(model) or ct_cache.setdefault(model, ContentType.objects.get_for_model(model))

        wanted = channels_for(kind, prefs.get(due.recipient_id))
        for channel in (Channel.IN_APP, Channel.EMAIL):
            if not wanted[channel]:
                continue
            status = DeliveryStatus.PENDING
            if channel == Channel.EMAIL and kind.digestible and due.recipient_id in digesters:
                status = DeliveryStatus.DIGEST
            rows.append(_row(kind, due, ct, channel, status))
        if wanted["chat"]:
            rows.extend(_row(kind, due, ct, channel) for channel in chat_urls.get(due.recipient_id, {}))
        if kind.team_chat and wanted["chat"]:
            # Only kinds a team should hear about (Kind.team_chat: escalations, meetings), and only while the person
            # it is about keeps chat on for that kind. The team's unique key leaves out the recipient: a second
            # person of the team makes no second post.
            rows.extend(
                _row(kind, kind.for_team(due, t.department), ct, t.service, team=t)
                for t in team_channels.get(due.recipient_id, [])
            )
    if not rows:
        return 0
    # A figure for the logs, not a guard (the unique constraint is the guard): rows above the
    # highest id seen before the insert; a concurrent sweep's rows may be counted too.
    before = Delivery.objects.aggregate(top=Max("id"))["top"] or 0
    Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return Delivery.objects.filter(id__gt=before).count()


def notify(
    *,
    kind: str,
    obj: models.Model,
    recipient_ids: Iterable[int],
    title: str,
    body: str = "",
    link: str = "",
    due_at: datetime | None = None,
    event_at: datetime | None = None,
) -> int:
    """Tell people about something that just happened (an event kind). Sent after commit."""
    from collab.notifications.tasks import send_batch

    when = due_at or timezone.now()
    k = registry.get(kind)
    made = deliveries_make(
        items=[
            (k, Due(recipient_id=uid, obj=obj, due_at=when, title=title, body=body, link=link, event_at=event_at))
            for uid in set(recipient_ids)
        ]
    )
    ids = list(
        Delivery.objects.filter(
            kind=kind,
            content_type=ContentType.objects.get_for_model(type(obj)),
            object_id=str(obj.pk),
            due_at=when,
            status=DeliveryStatus.PENDING,
        ).values_list("id", flat=True)
    )
    if ids:
        enqueue_on_commit(send_batch, ids)
    return made


# --- the sweep -----------------------------------------------------------------------------
def due_items(now: datetime) -> list[tuple[Kind, Due]]:
    items: list[tuple[Kind, Due]] = []
    for kind in registry.swept_kinds():
        try:
            items.extend((kind, due) for due in kind.due(now))
        except Exception:  # one broken kind must not stop the others
            log.exception("reminder kind failed", extra={"kind": kind.key})
    return items


def pending_ids(now: datetime, limit: int = 50_000) -> list[int]:
    return list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )


def sweep(*, now: datetime | None = None) -> SweepResult:
    """Ask every kind what is due, make the missing delivery rows, and list what is ready to send."""
    now = now or timezone.now()
    requeued = deliveries_requeue_stuck(now=now)
    items = due_items(now)
    with transaction.atomic():
        created = deliveries_make(items=items)
    ids = pending_ids(now)
    Heartbeat.objects.update_or_create(
        name=SWEEP_HEARTBEAT,
        defaults={"at": now, "detail": {"due": len(items), "created": created, "pending": len(ids)}},
    )
    log.info("sweep", extra={"due": len(items), "made": created, "pending": len(ids), "requeued": requeued})
    return SweepResult(due=len(items), created=created, pending_ids=ids, requeued=requeued)


def deliveries_requeue_stuck(*, now: datetime | None = None) -> int:
    """Rows left in ``sending`` (a worker died mid-send) go back to pending."""
    now = now or timezone.now()
    cutoff = now - settings.REMINDER_SENDING_TIMEOUT
    return Delivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=cutoff).update(
        status=DeliveryStatus.PENDING,
        next_attempt_at=now,
        claimed_at=None,
        last_error="Re-queued: stuck in sending (worker lost).",
    )


# --- sending -------------------------------------------------------------------------------
def _claim(ids: list[int], now: datetime) -> list[Delivery]:
    """The conditional UPDATE: only pending rows turn into sending, each for exactly one caller.

    The random token tells this caller which of the rows it won (a concurrent caller's UPDATE
    finds them no longer pending)."""
    token = uuid.uuid4().hex
    Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.SENDING, claimed_at=now, claim_token=token, attempts=F("attempts") + 1
    )
    return list(
        Delivery.objects.filter(claim_token=token, status=DeliveryStatus.SENDING)
        .select_related("recipient", "recipient__chat_setting", "team_channel")
        .order_by("id")
    )


def _send_digest(delivery: Delivery, now: datetime) -> bool:
    """Bundle the held reminder emails into one. Returns False when nothing was held."""
    held = list(
        Delivery.objects.filter(
            recipient_id=delivery.recipient_id, status=DeliveryStatus.DIGEST, due_at__lte=delivery.due_at
        ).order_by("due_at", "id")
    )
    if not held:
        return False
    send_email_message(delivery, held)
    Delivery.objects.filter(pk__in=[d.pk for d in held], status=DeliveryStatus.DIGEST).update(
        status=DeliveryStatus.SENT, sent_at=now, digest=delivery
    )
    return True


def _deliver(delivery: Delivery, now: datetime) -> str:
    """Send one claimed row and record the outcome; returns the row's new status."""
    delivery_id = delivery.pk
    sending = Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.SENDING)
    try:
        if not delivery.recipient.is_active:
            raise PermanentError("The recipient is no longer active.")
        if delivery.kind == DIGEST_KIND:
            if not _send_digest(delivery, now):
                raise PermanentError("Nothing was held for this digest.")
        else:
            CHANNELS[delivery.channel](delivery)
    except PermanentError as exc:
        sending.update(status=DeliveryStatus.SKIPPED, last_error=redact(str(exc))[:2000])
        return DeliveryStatus.SKIPPED
    except Exception as exc:
        attempts = delivery.attempts
        error = describe_error(exc)[:2000]  # shown in the admin and logged: chat webhook URLs are credentials
        if attempts >= settings.REMINDER_MAX_ATTEMPTS:
            sending.update(status=DeliveryStatus.FAILED, last_error=error)
            log.error("delivery failed", extra={"delivery": delivery_id, "kind": delivery.kind, "error": error})
            return DeliveryStatus.FAILED
        wait = BACKOFF[min(attempts - 1, len(BACKOFF) - 1)]
        sending.update(status=DeliveryStatus.PENDING, last_error=error, next_attempt_at=now + wait, claimed_at=None)
        log.warning("delivery will retry", extra={"delivery": delivery_id, "error": error, "attempt": attempts})
        return DeliveryStatus.PENDING
    # marked at once, row by row, so a worker killed mid-batch leaves at most one message in doubt
    sending.update(status=DeliveryStatus.SENT, sent_at=now, last_error="")
    return DeliveryStatus.SENT


def deliveries_send(*, ids: Iterable[int], now: datetime | None = None, chunk: int = 100) -> dict[str, int]:
    """Claim and send the given deliveries; rows someone else claimed count as 'taken'."""
    now = now or timezone.now()
    ids = list(ids)
    counts: dict[str, int] = defaultdict(int)
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        claimed = _claim(part, now)
        counts["taken"] += len(part) - len(claimed)
        for delivery in claimed:
            counts[_deliver(delivery, now)] += 1
    return {k: v for k, v in counts.items() if v}


def delivery_send(*, delivery_id: int, now: datetime | None = None) -> str:
    """Send one delivery if this caller wins the claim. Returns its final status (or 'taken')."""
    result = deliveries_send(ids=[delivery_id], now=now)
    return next(iter(result))


def deliveries_resend(*, ids: Iterable[int]) -> int:
    """Admin action: failed (or skipped) rows go back to pending, counted from zero, sent after commit."""
    from collab.notifications.tasks import send_batch

    ids = list(ids)
    now = timezone.now()
    changed = Delivery.objects.filter(pk__in=ids, status__in=[DeliveryStatus.FAILED, DeliveryStatus.SKIPPED]).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now, claimed_at=None, last_error=""
    )
    if changed:
        enqueue_on_commit(send_batch, ids)
    return changed


# --- in-app notifications ------------------------------------------------------------------
def notification_mark_read(*, user: Any, notification_id: int) -> Notification:
    """Mark one of ``user``'s notifications read (again is a no-op) and return it. Someone else's, or none, raises
    ``Notification.DoesNotExist``: the callers answer 404, since another person's bell is none of your business."""
    notification = Notification.objects.for_user(user).get(pk=notification_id)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user: Any) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


# --- preferences ---------------------------------------------------------------------------
def preferences_save(
    *,
    user: Any,
    choices: dict[str, dict[str, bool]],
    digest_enabled: bool,
    digest_hour: int,
    time_zone: str,
    slack_webhook_url: str | None = None,
    teams_webhook_url: str | None = None,
    slack_member_id: str | None = None,
) -> None:
    """Store a person's channels per kind, their digest, chat destinations and time zone, all or nothing."""
    known = {k.key for k in registry.all_kinds() if k.user_configurable}
    with transaction.atomic():
        for key, chosen in choices.items():
            if key not in known:
                continue
            Preference.objects.update_or_create(
                user=user,
                kind=key,
                defaults={
                    "in_app": bool(chosen.get("in_app")),
                    "email": bool(chosen.get("email")),
                    "chat": bool(chosen.get("chat", True)),
                },
            )
        chat = ChatSetting.objects.filter(user=user).first()
        if chat is not None or slack_webhook_url or teams_webhook_url or slack_member_id:
            chat = chat or ChatSetting(user=user)
            if slack_webhook_url is not None:
                chat.slack_webhook_url = slack_webhook_url.strip()
            if teams_webhook_url is not None:
                chat.teams_webhook_url = teams_webhook_url.strip()
            if slack_member_id is not None:
                chat.slack_member_id = slack_member_id.strip().upper()
            chat.full_clean()
            chat.save()
        DigestSetting.objects.update_or_create(user=user, defaults={"enabled": digest_enabled, "hour": digest_hour})
        if user.time_zone != time_zone:
            user.time_zone = time_zone
            user.save(update_fields=["time_zone", "updated_at"])


DIGEST_KIND = "daily_digest"
