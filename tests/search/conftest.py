"""Makers of searchable rows, cheap enough to make fifty of each kind."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection

from collab.accounts.models import Department
from collab.projects import models as pm
from collab.projects.tools import models as tm
from liaison import models as lm
from parkinglot.models import Snag, code_for
from reviews import models as rm
from tests.security.test_xss import world  # noqa: F401 - the payload-filled world, a fixture used by name

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Postgres full-text search (set DATABASE_URL to a Postgres database); SQLite has the substring fallback",
)
on_sqlite = pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite substring fallback")


def snag(raised_by: Any, title: str, details: str = "", **extra: Any) -> Snag:
    """A snag written directly (the services are tested elsewhere); ``search_document`` as the services build it."""
    s = Snag.objects.create(
        code=f"TMP-{uuid.uuid4().hex[:12]}", title=title, details=details, raised_by=raised_by,
        raiser_department=extra.pop("department", raised_by.department), respond_by=NOW + timedelta(days=3),
        created_at=extra.pop("created_at", NOW), search_document=f"{title}\n{details}", **extra,
    )  # fmt: skip
    Snag.objects.filter(pk=s.pk).update(code=code_for(s.pk))
    s.refresh_from_db()
    return s


def fill(n: int, cmo: Any, cio: Any, member: Any, word: str = "roadmap") -> None:
    """``n`` rows of every searchable kind, each holding ``word`` in its title."""
    start = Snag.objects.count()
    Snag.objects.bulk_create(
        Snag(code=f"SNAG-{900_000 + start + i}", title=f"{word} snag {i}", details=f"about the {word}",
             raised_by=member, raiser_department=Department.MARKETING, respond_by=NOW, created_at=NOW,
             search_document=f"{word} snag {i}\nabout the {word}")
        for i in range(n)
    )  # fmt: skip
    goals = pm.Goal.objects.bulk_create(
        pm.Goal(title=f"{word} goal {i}", description=word, marketing_owner=cmo, it_owner=cio) for i in range(n)
    )
    pm.Project.objects.bulk_create(
        pm.Project(name=f"{word} project {i}", summary=word, goal=goals[i], marketing_sponsor=cmo, it_sponsor=cio)
        for i in range(n)
    )
    series = lm.MeetingSeries.objects.create(title=f"{word} sync", organiser=cmo)
    meetings = lm.Meeting.objects.bulk_create(
        lm.Meeting(series=series, start=NOW + timedelta(days=i), organiser=cmo, notes=word) for i in range(n)
    )
    lm.AgendaItem.objects.bulk_create(lm.AgendaItem(meeting=m, title=f"{word} item") for m in meetings)
    lm.ActionItem.objects.bulk_create(
        lm.ActionItem(meeting=m, title=f"{word} follow-up", owner=cio, due_date=date(2027, 1, 1)) for m in meetings
    )
    year = 2030 + rm.Review.objects.count()
    review = rm.Review.objects.create(year=year, quarter=1, scheduled_at=NOW, facilitator=cmo)
    rm.AgendaItem.objects.bulk_create(rm.AgendaItem(review=review, title=f"{word} qbr {i}") for i in range(n))
    rm.Decision.objects.bulk_create(rm.Decision(review=review, text=f"{word} decided {i}") for i in range(n))
    rm.ActionItem.objects.bulk_create(
        rm.ActionItem(review=review, title=f"{word} action {i}", owner=cio, due_date=date(2027, 1, 1)) for i in range(n)
    )
    start = tm.Tool.objects.count()
    tm.Tool.objects.bulk_create(tm.Tool(name=f"{word} tool {start + i}", notes=word, created_at=NOW) for i in range(n))
    tm.ToolRequest.objects.bulk_create(
        tm.ToolRequest(title=f"{word} request {i}", need=word, department=Department.MARKETING, requested_by=member,
                       created_at=NOW, answer_by=NOW)
        for i in range(n)
    )  # fmt: skip
