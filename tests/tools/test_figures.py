"""Renewal reminders (60 and 30 days, owner and IT contact, once each), the figures for the dashboard and the QBR,
the dashboard panel within five queries, and the demo seeder."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from collab.notifications import services as engine
from collab.notifications.models import Notification
from collab.projects.tools import selectors, services
from collab.projects.tools.models import Tool, ToolRequest
from tests.tools.conftest import T0

pytestmark = pytest.mark.django_db


def _tick(now):
    result = engine.sweep(now=now)
    engine.deliveries_send(ids=result.pending_ids, now=now)


def test_renewal_reminders_at_60_and_30_days_once_each(make_tool, member, liaison, cio):
    renews = date(2027, 3, 1)
    make_tool("Zendesk", business_owner=member, it_contact=liaison, renewal_date=renews)
    make_tool("Retired one", business_owner=member, renewal_date=renews, status="evaluating")
    Tool.objects.filter(name="Retired one").update(status="retired")
    at60 = datetime(2026, 12, 31, 8, 0, tzinfo=UTC)  # 60 days before, in the morning
    _tick(at60 - timedelta(hours=1))
    assert not Notification.objects.filter(kind__startswith="tool_renewal").exists()
    for hours in (0, 1, 24, 24 * 29):
        _tick(at60 + timedelta(hours=hours))
    sixty = Notification.objects.filter(kind="tool_renewal_60")
    assert sorted(sixty.values_list("user__username", flat=True)) == ["liaison", "member"]
    assert not Notification.objects.filter(kind="tool_renewal_30").exists()
    for days in (30, 31, 45):
        _tick(at60 + timedelta(days=days))
    thirty = Notification.objects.filter(kind="tool_renewal_30")
    assert sorted(thirty.values_list("user__username", flat=True)) == ["liaison", "member"]
    assert sixty.count() == 2 and "Zendesk renews on 01 Mar 2027" in thirty.first().title


def test_tool_figures_on_a_known_data_set(make_tool, member, cio, liaison):
    start, end = date(2026, 10, 1), date(2026, 12, 31)
    make_tool("Shadow in Q4", by=member, adoption="shadow", now=T0)
    make_tool("Shadow in Q3", by=member, adoption="shadow", now=datetime(2026, 9, 1, tzinfo=UTC))
    old = make_tool("Old", renewal_date=date(2026, 11, 20), annual_cost=Decimal(100))
    make_tool("Far", renewal_date=date(2027, 6, 1))
    services.tool_transition(tool=old, by=cio, to="to_retire", retire_by=date(2026, 12, 1), now=T0)
    services.tool_transition(tool=Tool.objects.get(pk=old.pk), by=cio, to="retired", now=T0 + timedelta(days=2))
    make_tool("Renews", renewal_date=date(2026, 12, 1), annual_cost=Decimal(250))

    def ask(title, asked, decided_after=None):
        req = services.request_create(by=member, title=title, need="x", now=asked)
        if decided_after is not None:
            services.request_decide(request=req, by=cio, decision="trial", reason="ok", version=1,
                                    now=asked + decided_after)  # fmt: skip
        return req

    ask("on time", datetime(2026, 10, 5, 9, tzinfo=UTC), timedelta(days=2))
    ask("late", datetime(2026, 10, 12, 9, tzinfo=UTC), timedelta(days=10))
    ask("never answered", datetime(2026, 10, 19, 9, tzinfo=UTC))
    ask("still in time", datetime(2026, 11, 9, 9, tzinfo=UTC))  # deadline 16 Nov, after "now" below
    with time_machine.travel(datetime(2026, 11, 12, 12, tzinfo=UTC), tick=False):
        figures = selectors.tool_figures(start, end, today=date(2026, 11, 12))
    assert figures["shadow_found"] == 1 and figures["shadow_total"] == 2
    assert figures["requests_due"] == 3 and figures["answered_on_time"] == 1 and figures["on_time_pct"] == 33
    assert figures["median_days_to_decision"] == 6.0  # 2 and 10 days
    assert figures["retired"] == 1
    assert figures["renewals"] == 1 and figures["renewal_cost"] == Decimal(250)  # the retired one does not count


def test_dashboard_panel_and_qbr_facts(client_as, make_tool, cmo, cio, member, liaison):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from collab.dashboard import panels
    from reviews import facts
    from reviews import services as review_services

    empty = panels.get("tools").build("all", date(2026, 11, 12))
    assert empty["figures"]["shadow_total"] == 0 and empty["renewals"] == []
    client = client_as(cmo)
    client.get("/")

    def panel_queries() -> tuple[int, str]:
        cache.clear()  # the panel is cached for a minute: count what building it costs
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/panels/tools/", HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        return len(ctx.captured_queries) - 2, response.content.decode()  # less the session and the user

    counts = []
    for size in (2, 12):
        for n in range(Tool.objects.count(), size):
            make_tool(f"T{n}", adoption="shadow", renewal_date=timezone.localdate() + timedelta(days=n + 1))
            services.request_create(by=member, title=f"Need {n}", need="x")
        own, body = panel_queries()
        counts.append(own)
    assert counts == [3, 3], counts  # the tool figures, the requests, the renewals: flat as rows grow
    assert "Shadow tools found this quarter" in body and "T0" in body
    print(f"FIGURE dashboard tools panel: {own} queries")
    with time_machine.travel(datetime(2026, 11, 20, 9, 0, tzinfo=UTC), tick=False):
        review = review_services.review_create(
            by=cmo, year=2026, quarter=4, scheduled_at=datetime(2026, 12, 10, 13, 0, tzinfo=UTC), length_minutes=60,
            location="Board room", facilitator=liaison, attendees=[cmo, cio],
        )  # fmt: skip
    section = next(s for s in facts.compute(review)["sections"] if s["key"] == "tools")
    labels = {f["label"]: f["value"] for f in section["data"]["figures"]}
    assert labels["Renewals in the next 90 days"] == 12 and "Tool requests answered on time" in labels


def test_qbr_facts_are_honest_when_the_register_is_empty(cmo, cio, liaison):
    from reviews import facts
    from reviews import services as review_services

    with time_machine.travel(datetime(2026, 11, 20, 9, 0, tzinfo=UTC), tick=False):
        review = review_services.review_create(
            by=cmo, year=2026, quarter=4, scheduled_at=datetime(2026, 12, 10, 13, 0, tzinfo=UTC), length_minutes=60,
            location="Board room", facilitator=liaison, attendees=[cmo, cio],
        )  # fmt: skip
    section = next(s for s in facts.compute(review)["sections"] if s["key"] == "tools")
    assert "empty" in section["data"]


def test_demo_seeds_a_believable_register_quickly_and_once(django_assert_max_num_queries):
    from collab.accounts.demo import seed_people
    from collab.projects.tools.demo import seed_tools

    seed_people(lambda s: None)
    lines: list[str] = []
    with django_assert_max_num_queries(30):
        seed_tools(lines.append)
    assert Tool.objects.count() == 40 and Tool.objects.shadow().count() >= 10
    assert Tool.objects.filter(status="to_retire").count() == 3
    assert ToolRequest.objects.open().count() == 3
    overlaps = {o["category"]: [t.name for t in o["tools"]] for o in selectors.overlaps(list(Tool.objects.all()))}
    assert overlaps["customer_service"] == ["Intercom", "Zendesk Suite"]  # the obvious one: two helpdesks in use
    seed_tools(lines.append)
    assert Tool.objects.count() == 40 and "already there" in lines[-1]
