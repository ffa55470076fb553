"""Measure the reminders engine: N due items swept, delivered, and swept twice at once.

    python manage.py bench_reminders --items 10000

It makes throw-away people (``bench-reminder-*``), a temporary reminder kind, and removes both
afterwards. Email goes to Django's in-memory backend so the figure is the engine's, not SMTP's.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connections
from django.db.models import Count
from django.test.utils import override_settings
from django.utils import timezone

from collab.accounts.models import User
from collab.notifications import registry, services
from collab.notifications.models import Delivery, Notification
from collab.notifications.registry import Due, Kind

PREFIX = "bench-reminder-"


class _BenchKind(Kind):
    key = "bench"
    label = "Benchmark"
    user_configurable = False

    def __init__(self, users: list[User], per_user: int, at: datetime) -> None:
        self.users, self.per_user, self.at = users, per_user, at

    def due(self, now: datetime) -> Iterator[Due]:
        for obj in self.users[: self.per_user]:
            for user in self.users:
                yield Due(recipient_id=user.pk, obj=obj, due_at=self.at, title=f"About {obj.username}")


class Command(BaseCommand):
    help = "Benchmark the reminders engine (deliveries per second, duplicates under concurrent sweeps)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--items", type=int, default=10_000, help="due items (each → in-app + email)")

    def handle(self, *args: Any, **options: Any) -> None:
        items = options["items"]
        side = max(1, int(items**0.5))
        self._cleanup()
        users = User.objects.bulk_create(
            [User(username=f"{PREFIX}{i:05d}", email=f"b{i}@example.com") for i in range(side)]
        )
        users = list(User.objects.filter(username__startswith=PREFIX).order_by("username"))
        at = timezone.now().replace(microsecond=0)
        kind = _BenchKind(users, side, at)
        registry.register(kind)
        try:
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
                self._measure(kind, at, side * side)
        finally:
            registry.unregister(kind.key)
            self._cleanup()

    def _measure(self, kind: _BenchKind, at: datetime, n_items: int) -> None:
        vendor = connections["default"].vendor
        t0 = time.perf_counter()
        result = services.sweep(now=at)
        t_sweep = time.perf_counter() - t0
        ids = result.pending_ids or []
        t0 = time.perf_counter()
        services.deliveries_send(ids=ids, now=at)
        t_send = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = services.sweep(now=at)
        t_resweep = time.perf_counter() - t0
        self.stdout.write(f"database: {vendor}; due items: {n_items}; deliveries made: {result.created}")
        self.stdout.write(f"sweep (make rows):   {t_sweep:8.2f} s  ({result.created / t_sweep:,.0f} rows/s)")
        self.stdout.write(f"send (claim+send):   {t_send:8.2f} s  ({len(ids) / t_send:,.0f} deliveries/s)")
        self.stdout.write(
            f"repeat sweep:        {t_resweep:8.2f} s  (made {again.created}, pending {len(again.pending_ids or [])})"
        )

        # two sweeps + senders at once on a fresh due time
        kind.at = (
            at.replace(second=(at.second + 1) % 60)
            if at.second < 59
            else at.replace(second=0, minute=(at.minute + 1) % 60)
        )
        barrier = threading.Barrier(2)

        def run() -> None:
            try:
                barrier.wait()
                r = services.sweep(now=kind.at)
                services.deliveries_send(ids=r.pending_ids or [], now=kind.at)
            finally:
                connections.close_all()

        if vendor == "sqlite":
            self.stdout.write("concurrent sweeps: skipped on SQLite (run with DATABASE_URL=postgres://...)")
            return
        threads = [threading.Thread(target=run) for _ in range(2)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        took = time.perf_counter() - t0
        rows = Delivery.objects.filter(kind="bench", due_at=kind.at)
        dup_rows = rows.values("object_id", "recipient", "channel").annotate(n=Count("id")).filter(n__gt=1).count()
        dup_notes = (
            Notification.objects.filter(delivery__in=rows)
            .values("delivery")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .count()
        )
        self.stdout.write(
            f"two concurrent sweeps+senders: {took:.2f} s; deliveries {rows.count()}, "
            f"sent {rows.filter(status='sent').count()}; duplicates: {dup_rows + dup_notes}"
        )
        _ = settings.REMINDER_BATCH_SIZE

    def _cleanup(self) -> None:
        Delivery.objects.filter(kind="bench").delete()
        Notification.objects.filter(kind="bench").delete()
        User.objects.filter(username__startswith=PREFIX).delete()
