"""Small programs the reliability tests run inside app processes (``manage.py shell -c``)."""

from __future__ import annotations

import json
from datetime import timedelta

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from collab.accounts.models import User
from collab.notifications import services
from collab.notifications.models import Delivery, DeliveryStatus, Notification


def make_deliveries(people: int) -> None:
    """``people`` throw-away users, each with a pending in-app and email delivery due now."""
    users = User.objects.bulk_create(
        [User(username=f"rel-{i:05d}", email=f"rel{i}@example.com") for i in range(people)]
    )
    users = list(User.objects.filter(username__startswith="rel-"))
    ct = ContentType.objects.get_for_model(User)
    now = timezone.now()
    Delivery.objects.bulk_create(
        [
            Delivery(
                kind="test",
                content_type=ct,
                object_id=str(u.pk),
                recipient=u,
                due_at=now,
                channel=ch,
                title=f"Reliability {u.username}",
                next_attempt_at=now,
            )
            for u in users
            for ch in ("in_app", "email")
        ]
    )


def enqueue_pending(batch: int = 25) -> int:
    from collab.notifications.tasks import send_batch

    ids = services.pending_ids(timezone.now() + timedelta(days=1))
    for start in range(0, len(ids), batch):
        send_batch.apply_async(args=(ids[start : start + batch],), retry=False)
    return len(ids)


def catch_up() -> None:
    """What the periodic jobs do after an outage: re-queue rows stuck in sending past the timeout (at the real
    time: a row a live worker claimed a moment ago is not stuck, and re-queueing it would send it twice), then
    hand out the pending ones."""
    services.deliveries_requeue_stuck(now=timezone.now())
    enqueue_pending()


def counts() -> None:
    rows = Delivery.objects.filter(kind="test")
    dup_notes = Notification.objects.values("delivery").annotate(n=Count("id")).filter(n__gt=1).count()
    print(
        json.dumps(
            {  # noqa: T201 - read by the test
                "sent": rows.filter(status=DeliveryStatus.SENT).count(),
                "total": rows.count(),
                "notifications": Notification.objects.filter(kind="test").count(),
                "duplicate_notifications": dup_notes,
                "statuses": dict(rows.values_list("status").annotate(n=Count("id"))),
            }
        )
    )


def row_counts() -> None:
    """Rows per model of our apps, for the backup/restore comparison."""
    ours = {"accounts", "notifications", "projects", "parkinglot", "liaison", "reviews"}
    print(json.dumps({m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.app_label in ours}))  # noqa: T201


def migrate_round_trip(apps_in_order: list[str]) -> None:
    """On a migrated database (the test's copy of the template, itself migrated from empty): every app back to
    zero (ours in reverse floor order, then the ones that hang off the user model), and forwards again — in one process, so the test pays for Django's start once, not a dozen times.
    Prints what showmigrations said at zero and at the end."""
    from io import StringIO

    from django.core.management import call_command

    def shown(*labels: str) -> str:
        out = StringIO()
        call_command("showmigrations", *labels, stdout=out)
        return out.getvalue()

    for app in reversed(apps_in_order):
        if app != "accounts" and "[X]" in shown(app):
            call_command("migrate", app, "zero", interactive=False, verbosity=0)
    for app in ("admin", "axes", "accounts"):
        call_command("migrate", app, "zero", interactive=False, verbosity=0)
    at_zero = shown(*[a for a in apps_in_order if a != "dashboard"])
    lexicon_at_zero = "search_lexeme" in connection.introspection.table_names()  # the search migrations' own table
    call_command("migrate", interactive=False, verbosity=0)
    lexicon_at_end = "search_lexeme" in connection.introspection.table_names()
    print(json.dumps({"at_zero": at_zero, "at_end": shown(), "lexicon": [lexicon_at_zero, lexicon_at_end]}))  # noqa: T201
