"""For `make bench`: each key page's query count and size (as the CMO), a session for the load generator, and
(with --sweeps) the escalation and reminder sweeps timed over the data set. Prints one JSON document."""

from __future__ import annotations

import json
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from collab.accounts.models import User
from collab.dashboard import panels
from collab.projects.models import Project
from parkinglot.models import Snag
from reviews import selectors as review_selectors


def key_pages() -> list[dict[str, Any]]:
    """(name, path, htmx) of the pages the bench measures; the first is the baseline."""
    project = Project.objects.ranked().first() or Project.objects.order_by("pk").first()
    review = review_selectors.next_review()
    pages = [
        ("baseline: bell partial", "/notifications/bell/", True),
        ("dashboard", "/", False),
        ("snags: default", "/snags/", False),
        ("snags: filtered + search", "/snags/?status=all&impact=high&department=marketing&q=export+crm", False),
        ("snags: board", "/snags/board/", False),
        ("projects: ranking", "/projects/ranking/", False),
        ("project page", project.get_absolute_url() if project else "/projects/", False),
        ("next QBR", review.get_absolute_url() if review else "/reviews/", False),
        ("meetings", "/meetings/", False),
        ("tools register", "/tools/", False),
        ("search", "/search/?q=crm+export", False),
        ("search: typo", "/search/?q=crm+exprt+lists", False),  # a typo: the lexicon's trigram index
        ("search: some words", "/search/?q=crm+export+zzqq", False),  # no kind holds every word: all three passes
        ("search: suggestions", "/search/suggest/?q=crm+exp", True),
    ]
    pages += [(f"panel: {p.key}", f"/panels/{p.key}/", True) for p in panels.PANELS]
    return [{"name": n, "path": p, "htmx": h} for n, p, h in pages]


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--sweeps", action="store_true")
        parser.add_argument("--user", default="cmo")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.get(username=options["user"])
        client = Client()
        client.force_login(user)
        client.get("/")  # warm caches the way a second visit finds them
        out: dict[str, Any] = {"pages": []}
        for page in key_pages():
            headers = {"HX-Request": "true"} if page["htmx"] else {}
            client.get(page["path"], headers=headers)  # steady state: what a second visitor within a minute sees
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(page["path"], headers=headers)
            if response.status_code != 200:
                raise SystemExit(f"{page['path']} answered {response.status_code}")
            out["pages"].append({**page, "queries": len(ctx.captured_queries), "bytes": len(response.content)})
        # the test client's own signed-in session, stored in the database: it names whichever backend signed the
        # user in (a session written by hand named one that left AUTHENTICATION_BACKENDS, and every wrk request
        # quietly measured a redirect to the login page)
        out["session"] = client.cookies[settings.SESSION_COOKIE_NAME].value
        out["counts"] = {
            "snags": Snag.objects.count(),
            "users": User.objects.count(),
            "projects": Project.objects.count(),
        }
        if options["sweeps"]:
            out["sweeps"] = self.sweeps()
        self.stdout.write("BENCH_PROBE " + json.dumps(out, default=str))

    def sweeps(self) -> dict[str, Any]:
        """Time the sweeps, then roll back so every bench run starts from the same data."""
        from collab.notifications import services as engine
        from parkinglot import services as snag_services

        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # no 2,000 mails on stdout
        now = timezone.now()
        result: dict[str, Any] = {}
        with transaction.atomic():
            due = Snag.objects.overdue(now).count()
            started = time.perf_counter()
            escalated = snag_services.snags_escalate(now=now)
            result["escalation sweep seconds"] = round(time.perf_counter() - started, 3)
            result["snags overdue (due for escalation)"] = due
            result["escalation steps recorded"] = escalated.level_1 + escalated.level_2
            started = time.perf_counter()
            swept = engine.sweep(now=now)
            result["reminder sweep seconds"] = round(time.perf_counter() - started, 3)
            result["reminders due"] = swept.due
            result["deliveries made"] = swept.created
            batch = swept.pending_ids[:2000]
            started = time.perf_counter()
            engine.deliveries_send(ids=batch, now=now)
            elapsed = time.perf_counter() - started
            result["deliveries sent per second"] = round(len(batch) / elapsed, 1) if elapsed else None
            transaction.set_rollback(True)
        return result
