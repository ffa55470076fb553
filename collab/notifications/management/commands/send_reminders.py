"""Run one reminder sweep now and send what is due, without a worker (for demos and tests)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from collab.notifications import services


class Command(BaseCommand):
    help = "Sweep for due reminders and send them in this process."

    def handle(self, *args: Any, **options: Any) -> None:
        result = services.sweep()
        sent = services.deliveries_send(ids=result.pending_ids)
        self.stdout.write(f"due {result.due}, new deliveries {result.created}, sent {sent}")
