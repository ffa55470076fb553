"""The shared dashboard: each panel's numbers on a known data set, honest empty states, flat query counts,
the department lens, fragments for htmx, and login required."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from parkinglot import selectors as snag_selectors
from parkinglot import services as snag_services
from parkinglot.models import Snag, SnagStatus
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday in Q4
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def known(cmo, cio, liaison, member):
    """Five snags with hand-picked ages and answers."""
    it_person = UserFactory(department="it")

    def make(days_ago, by=member, impact="medium"):
        return snag_services.snag_create(
            raised_by=by, title=f"{days_ago} days old", impact=impact, now=NOW - timedelta(days=days_ago)
        )

    fresh = make(2)  # open, new, not overdue (7 days for medium)
    month = make(20, impact="critical")  # open, overdue by 19 days → level 2
    old = make(100, by=it_person)  # open, overdue → level 2
    answered = make(10)
    snag_services.snag_transition(
        snag=answered, by=liaison, to=SnagStatus.ANSWERED, note="ok", now=NOW - timedelta(days=9, hours=20)
    )  # 4 h
    done = make(40)
    snag_services.snag_transition(
        snag=done, by=liaison, to=SnagStatus.ANSWERED, note="ok", now=NOW - timedelta(days=39)
    )  # 24 h, last Q? no: 16 Oct = Q4
    snag_services.snag_transition(snag=done, by=member, to=SnagStatus.RESOLVED, now=NOW - timedelta(days=38))
    snag_services.snags_escalate(now=NOW)
    return {"fresh": fresh, "month": month, "old": old, "answered": answered, "done": done}


def test_snag_figures_on_a_known_data_set(known):
    data = snag_selectors.dashboard_summary(now=NOW, today=NOW.date())
    assert data["open"] == 4  # fresh, month, old, answered
    assert data["overdue"] == 2  # month, old (answered is no longer waiting)
    assert data["escalated"] == 2
    assert [a["count"] for a in data["ages"]] == [1, 2, 0, 1]  # 2 d | 10 d, 20 d | – | 100 d
    assert [s.code for s in data["oldest_escalated"]] == [known["old"].code, known["month"].code]
    assert data["median_this_quarter"] == 14.0  # 4 h and 24 h
    assert data["median_last_quarter"] is None
    weeks = data["weeks"]
    assert len(weeks) == 12 and weeks[-1]["week"] == date(2026, 11, 23)
    assert sum(w["opened"] for w in weeks) == 4  # the 100-day-old one is older than 12 weeks
    assert sum(w["resolved"] for w in weeks) == 1


def test_the_lens_narrows_to_one_department(known):
    it = snag_selectors.dashboard_summary(department="it", now=NOW, today=NOW.date())
    assert it["open"] == 1 and it["escalated"] == 1
    marketing = snag_selectors.dashboard_summary(department="marketing", now=NOW, today=NOW.date())
    assert marketing["open"] == 3


def test_dashboard_page_and_panels(client_as, known, cmo, cio):
    with time_machine.travel(NOW, tick=False):
        page_cmo = client_as(cmo).get("/").content.decode()
        page_cio = client_as(cio).get("/").content.decode()
        for page in (page_cmo, page_cio):
            assert 'id="panel-snags"' in page and known["old"].code in page and "<canvas data-chart" in page
        fragment = client_as(cmo).get("/panels/snags/?lens=it", **HX)
        body = fragment.content.decode()
        assert fragment.status_code == 200 and "<html" not in body and known["old"].code in body
        assert known["month"].code not in body
        assert client_as(cmo).get("/panels/nope/").status_code == 404


def test_login_required(client):
    assert client.get("/").status_code == 302
    assert client.get("/panels/snags/").status_code == 302


def test_empty_states_are_honest(client_as, cmo):
    page = client_as(cmo).get("/").content.decode()
    assert "No escalated snags." in page


def _bulk(n, owner, raiser):
    start = Snag.objects.count()
    now = NOW
    Snag.objects.bulk_create(
        [
            Snag(
                code=f"SNAG-{50000 + start + i}",
                title="bulk",
                raised_by=raiser,
                raiser_department="marketing",
                owner=owner,
                status=[SnagStatus.NEW, SnagStatus.RESOLVED, SnagStatus.PARKED][i % 3],
                parked_for="qbr" if i % 3 == 2 else "",
                escalation_level=2 if i % 7 == 0 else 0,
                respond_by=now - timedelta(days=i % 30),
                created_at=now - timedelta(days=i % 90),
                resolved_at=now - timedelta(days=i % 60) if i % 3 == 1 else None,
                first_answered_at=now - timedelta(days=i % 50) if i % 2 else None,
            )
            for i in range(n)
        ]
    )


def test_query_counts_flat_from_10_to_1000_snags(client_as, cmo, member):
    client = client_as(cmo)
    _bulk(10, cmo, member)
    with time_machine.travel(NOW, tick=False):
        client.get("/")  # the session
        from django.core.cache import cache

        cache.clear()
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as small:
            client.get("/")
        cache.clear()
        _bulk(990, cmo, member)
        with CaptureQueriesContext(connection) as large:
            client.get("/")
        assert len(large.captured_queries) == len(small.captured_queries)
        assert len(small.captured_queries) <= 15 + 3, [q["sql"][:80] for q in small.captured_queries]
        cache.clear()
        with CaptureQueriesContext(connection) as panel:
            client.get("/panels/snags/", **HX)
        own = [q for q in panel.captured_queries if "parkinglot_snag" in q["sql"]]
        assert len(own) == 5
