"""Fill a believable demo company. Idempotent: running it twice gives the same rows."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import autodiscover_modules

from collab.lib.demo import seeders


class Command(BaseCommand):
    help = "Load demo data (people, snags, projects, meetings, reviews). Safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        autodiscover_modules("demo")
        for entry in seeders():
            with transaction.atomic():
                entry.func(lambda msg: self.stdout.write(f"  {msg}"))
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
