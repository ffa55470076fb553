"""Two sweeps at once, and a real worker, on the real database (Postgres in CI)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.db import connection, connections

from collab.celery import app
from collab.notifications import services
from collab.notifications.models import Delivery, DeliveryStatus, Notification
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
postgres_only = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs a real multi-connection database (DATABASE_URL=postgres://...); SQLite tests use one in-memory db",
)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_and_senders_make_no_duplicates(probe_kind):
    probe_kind.targets = [UserFactory() for _ in range(40)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker():
        try:
            barrier.wait()
            result = services.sweep(now=NOW)
            services.deliveries_send(ids=result.pending_ids, now=NOW)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert Delivery.objects.count() == 80
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 80
    from django.core import mail

    assert len(mail.outbox) == 40
    assert Notification.objects.count() == 40
    duplicates = Notification.objects.values("user").distinct().count()
    assert duplicates == 40


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_what_the_sweep_found(probe_kind):
    probe_kind.targets = [UserFactory() for _ in range(5)]
    result = services.sweep(now=NOW)
    assert len(result.pending_ids) == 10
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "COLLAB_TESTING": "1",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "collab",
            "worker",
            "-Q",
            queue,
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    app.conf.task_always_eager = False
    try:
        from collab.notifications.tasks import send_batch

        send_batch.apply_async(args=(result.pending_ids,), queue=queue)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 10:
                break
            time.sleep(0.5)
        assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 10
        assert Notification.objects.count() == 5
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
