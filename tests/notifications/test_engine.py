"""The reminders engine: one delivery per key, claimed once, retried, re-queued, per preferences."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from collab.notifications import channels, services
from collab.notifications.models import Delivery, DeliveryStatus, DigestSetting, Notification, Preference
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)


def _run(now=NOW):
    result = services.sweep(now=now)
    services.deliveries_send(ids=result.pending_ids, now=now)
    return result


def test_three_sweeps_make_exactly_one_delivery_per_key(probe_kind, cmo, cio):
    probe_kind.targets = [cmo, cio]
    for _ in range(3):
        _run()
    assert Delivery.objects.count() == 4  # two people × (in-app, email)
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 4
    assert Notification.objects.filter(user=cmo).count() == 1
    assert len(mail.outbox) == 2


def test_nothing_is_made_before_it_is_due(probe_kind, cmo):
    probe_kind.targets = [cmo]
    result = _run(now=probe_kind.due_at - timedelta(minutes=1))
    assert result.due == 0 and Delivery.objects.count() == 0


def test_a_second_sweep_finds_nothing_new(probe_kind, cmo):
    probe_kind.targets = [cmo]
    assert services.sweep(now=NOW).created == 2
    assert services.sweep(now=NOW).created == 0


def test_only_one_claim_wins(probe_kind, cmo):
    probe_kind.targets = [cmo]
    ids = services.sweep(now=NOW).pending_ids
    first = [services.delivery_send(delivery_id=i, now=NOW) for i in ids]
    second = [services.delivery_send(delivery_id=i, now=NOW) for i in ids]
    assert first == [DeliveryStatus.SENT, DeliveryStatus.SENT]
    assert second == ["taken", "taken"]
    assert len(mail.outbox) == 1


def test_a_failing_channel_is_retried_with_backoff_then_failed_with_the_error_kept(
    probe_kind, cmo, monkeypatch, settings
):
    settings.REMINDER_MAX_ATTEMPTS = 3
    probe_kind.targets = [cmo]

    def smtp_down(delivery):
        raise channels.TransientError("SMTPServerDisconnected: connection closed")

    monkeypatch.setitem(channels.CHANNELS, "email", smtp_down)
    now = NOW
    _run(now)
    email = Delivery.objects.get(channel="email")
    assert email.status == DeliveryStatus.PENDING and email.attempts == 1
    assert email.next_attempt_at == now + timedelta(minutes=1)
    assert "SMTPServerDisconnected" in email.last_error
    # not retried before its backoff has passed
    assert email.pk not in services.sweep(now=now + timedelta(seconds=30)).pending_ids
    for minutes in (2, 10):
        _run(now + timedelta(minutes=minutes))
    email.refresh_from_db()
    assert email.status == DeliveryStatus.FAILED
    assert email.attempts == 3
    assert "SMTPServerDisconnected" in email.last_error
    # the in-app copy was not affected
    assert Delivery.objects.get(channel="in_app").status == DeliveryStatus.SENT


def test_real_smtp_errors_count_as_transient(probe_kind, cmo, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1
    probe_kind.targets = [cmo]
    _run()
    email = Delivery.objects.get(channel="email")
    assert email.status == DeliveryStatus.PENDING
    assert "ConnectionRefused" in email.last_error or "Errno" in email.last_error


def test_rows_stuck_in_sending_are_requeued_and_sent_once(probe_kind, cmo, settings):
    probe_kind.targets = [cmo]
    ids = services.sweep(now=NOW).pending_ids
    # a worker claimed them and was killed before sending
    Delivery.objects.filter(pk__in=ids).update(status=DeliveryStatus.SENDING, claimed_at=NOW)
    later = NOW + settings.REMINDER_SENDING_TIMEOUT - timedelta(seconds=1)
    assert services.deliveries_requeue_stuck(now=later) == 0
    much_later = NOW + settings.REMINDER_SENDING_TIMEOUT + timedelta(seconds=1)
    _run(much_later)
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 2
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1


def test_in_app_send_is_idempotent_for_a_requeued_row(probe_kind, cmo):
    probe_kind.targets = [cmo]
    services.sweep(now=NOW)
    row = Delivery.objects.get(channel="in_app")
    channels.send_in_app(row)
    channels.send_in_app(row)
    assert Notification.objects.filter(delivery=row).count() == 1


def test_preferences_are_respected(probe_kind, cmo, cio):
    probe_kind.targets = [cmo, cio]
    Preference.objects.create(user=cmo, kind="probe", in_app=True, email=False)
    Preference.objects.create(user=cio, kind="probe", in_app=False, email=False)
    _run()
    assert list(Delivery.objects.values_list("recipient__username", "channel")) == [("cmo", "in_app")]
    assert len(mail.outbox) == 0


def test_email_shows_the_time_in_the_recipients_zone_with_text_and_html(probe_kind, cmo):
    cmo.time_zone = "Europe/Berlin"
    cmo.save()
    probe_kind.targets = [cmo]
    probe_kind.event_at = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)  # 09:00 in Berlin (CET)
    _run()
    message = mail.outbox[0]
    assert message.subject == "[Collab] Probe for cmo"
    assert "When: Thu 3 Dec 2026, 09:00 CET" in message.body
    assert "http://127.0.0.1:8000/snags/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "09:00 CET" in html and 'href="http://127.0.0.1:8000/snags/"' in html


def test_summer_time_is_shown_too(probe_kind, cmo):
    cmo.time_zone = "Europe/Berlin"
    cmo.save()
    probe_kind.targets = [cmo]
    probe_kind.event_at = datetime(2026, 7, 1, 7, 0, tzinfo=UTC)
    _run()
    assert "09:00 CEST" in mail.outbox[0].body


def test_inactive_recipients_are_skipped(probe_kind, cmo):
    probe_kind.targets = [cmo]
    cmo.is_active = False
    cmo.save()
    _run()
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SKIPPED}
    assert len(mail.outbox) == 0


def test_digest_bundles_the_days_reminders_into_one_email(probe_kind, cmo):
    cmo.time_zone = "Europe/Berlin"
    cmo.save()
    DigestSetting.objects.create(user=cmo, enabled=True, hour=9)
    probe_kind.targets = [cmo]
    _run(NOW)  # 08:30 UTC = 09:30 Berlin, after the 09:00 digest of today: the email is held
    held = Delivery.objects.get(kind="probe", channel="email")
    assert held.status == DeliveryStatus.DIGEST and len(mail.outbox) == 0
    _run(NOW + timedelta(minutes=1))  # the next sweep finds it held and sends the digest
    # the reminder was made at 08:00 UTC = 09:00 Berlin, so today's 09:00 digest already covers it
    digest = Delivery.objects.filter(kind="daily_digest")
    assert digest.count() == 1
    held.refresh_from_db()
    assert held.status == DeliveryStatus.SENT and held.digest_id == digest.get().pk
    assert len(mail.outbox) == 1
    assert "Your daily Collab digest" in mail.outbox[0].subject
    assert "Probe for cmo" in mail.outbox[0].body
    # the in-app copy came at once; sweeping again sends nothing more
    assert Notification.objects.filter(user=cmo).count() == 1
    _run(NOW + timedelta(minutes=5))
    assert len(mail.outbox) == 1
    assert Delivery.objects.filter(kind="daily_digest").count() == 1


def test_digest_waits_for_the_chosen_local_hour(probe_kind, cmo):
    cmo.time_zone = "Europe/Berlin"
    cmo.save()
    DigestSetting.objects.create(user=cmo, enabled=True, hour=18)
    probe_kind.targets = [cmo]
    _run(NOW)
    assert len(mail.outbox) == 0
    assert Delivery.objects.get(kind="probe", channel="email").status == DeliveryStatus.DIGEST
    # 17:00 UTC = 18:00 Berlin
    _run(datetime(2026, 12, 1, 17, 0, tzinfo=UTC))
    assert len(mail.outbox) == 1
    _run(datetime(2026, 12, 1, 17, 30, tzinfo=UTC))
    assert len(mail.outbox) == 1


def test_notify_enqueues_only_after_commit(cmo, cio, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.notify(kind="test", obj=cmo, recipient_ids=[cmo.pk, cio.pk], title="Hello")
        assert Notification.objects.count() == 0
    assert len(callbacks) == 1
    callbacks[0]()  # the eager worker runs the batch
    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 2


def test_notify_twice_for_the_same_moment_sends_once(cmo, django_capture_on_commit_callbacks):
    when = NOW
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(kind="test", obj=cmo, recipient_ids=[cmo.pk], title="Hello", due_at=when)
        services.notify(kind="test", obj=cmo, recipient_ids=[cmo.pk], title="Hello", due_at=when)
    assert Notification.objects.count() == 1


def test_enqueue_with_the_broker_down_does_not_raise(cmo, django_capture_on_commit_callbacks, monkeypatch):
    from collab.notifications import tasks

    def down(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(tasks.send_batch, "apply_async", down)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(kind="test", obj=cmo, recipient_ids=[cmo.pk], title="Hello", due_at=NOW)
    assert Delivery.objects.filter(status=DeliveryStatus.PENDING).count() == 2
    # the next sweep finds them
    _run(NOW + timedelta(minutes=1))
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 2


def test_a_broken_kind_does_not_stop_the_others(probe_kind, cmo):
    from collab.notifications import registry
    from collab.notifications.registry import Kind

    class Broken(Kind):
        key = "broken"
        label = "Broken"

        def due(self, now):
            raise RuntimeError("bug")

    registry.register(Broken)
    try:
        probe_kind.targets = [cmo]
        assert _run().due == 2 - 1  # the probe's one item, Broken's none
    finally:
        registry.unregister("broken")


def test_sweep_task_hands_out_batches(probe_kind, settings):
    from collab.notifications import tasks

    settings.REMINDER_BATCH_SIZE = 3
    probe_kind.targets = [UserFactory() for _ in range(4)]
    import time_machine

    with time_machine.travel(NOW, tick=False):
        summary = tasks.sweep.delay().get()
    assert summary["pending"] == 8
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 8


def test_resend_puts_failed_rows_back(probe_kind, cmo, django_capture_on_commit_callbacks):
    probe_kind.targets = [cmo]
    services.sweep(now=NOW)
    Delivery.objects.update(status=DeliveryStatus.FAILED, attempts=5, last_error="boom")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.deliveries_resend(ids=list(Delivery.objects.values_list("id", flat=True))) == 2
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 2
