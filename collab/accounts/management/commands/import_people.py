"""``manage.py import_people people.csv [--dry-run]``: create or update people from a CSV, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from collab.accounts.people import COLUMNS, people_import


class Command(BaseCommand):
    help = (
        f"Create or update people from a CSV with the columns {', '.join(COLUMNS)}. Nothing is saved if a row is bad."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Path to the CSV file (UTF-8), or - for standard input.")
        parser.add_argument("--dry-run", action="store_true", help="Only report what would change.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        try:
            data = self.stdin.buffer.read() if path == "-" else Path(path).read_bytes()  # type: ignore[attr-defined]
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}") from exc
        result = people_import(data=data, dry_run=options["dry_run"])
        for row in result.rows:
            if row.action == "unchanged":
                continue
            detail = ", ".join(f"{k}: {old or '—'} → {new or '—'}" for k, (old, new) in row.changes.items())
            self.stdout.write(f"line {row.line}: {row.action} {row.username}" + (f" ({detail})" if detail else ""))
        for line, message in result.errors:
            self.stderr.write(f"line {line}: {message}" if line else message)
        if result.errors:
            raise CommandError(result.summary)
        prefix = "Dry run: " if result.dry_run else ""
        self.stdout.write(self.style.SUCCESS(prefix + result.summary))
