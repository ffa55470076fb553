"""Reminders of the register, on the clock: a renewal gets the 60-day reminder only while it is more than 30 days
away (a tool first seen inside 30 days gets the 30-day one alone, once) and the text says the real days left; a
tool request escalates in two levels like a snag — a heads-up to IT's head and liaisons one working day before the
deadline, then both executives and the requester at the deadline — each exactly once however often the sweep runs;
the answer deadline is configurable and counted in working days of the company's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from collab.notifications import services as engine
from collab.notifications.models import Delivery, Notification
from collab.projects.tools import services
from collab.projects.tools.models import ToolRequest
from tests.factories import UserFactory
from tests.tools.conftest import T0

pytestmark = pytest.mark.django_db


def _tick(now: datetime, times: int = 2) -> None:
    """The beat sweep at ``now``, run ``times`` over (a retry, a second beat): nothing may be sent twice."""
    with time_machine.travel(now, tick=False):
        for _ in range(times):
            result = engine.sweep(now=now)
            engine.deliveries_send(ids=result.pending_ids, now=now)


def _people(kind: str) -> list[str]:
    return sorted(Notification.objects.filter(kind=kind).values_list("user__username", flat=True))


# --- renewals --------------------------------------------------------------------------------
def test_a_tool_first_seen_inside_30_days_gets_only_the_30_day_reminder_once(make_tool, member, liaison):
    seen = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    make_tool("Zendesk", business_owner=member, it_contact=liaison, renewal_date=date(2026, 11, 27), now=seen)
    _tick(seen)
    _tick(seen + timedelta(days=1))
    assert _people("tool_renewal_60") == []
    assert _people("tool_renewal_30") == ["liaison", "member"]
    assert Delivery.objects.filter(kind="tool_renewal_30").count() == 4  # in-app + email, two people, once
    note = Notification.objects.filter(kind="tool_renewal_30").first()
    assert note is not None and "renews in 25 days" in note.body and "60" not in note.body


def test_the_ideal_renewal_timeline_sends_60_then_30_with_the_days_left(make_tool, member):
    make_tool("Gong", business_owner=member, renewal_date=date(2027, 3, 1))
    at60 = datetime(2026, 12, 31, 8, 0, tzinfo=UTC)
    _tick(at60 - timedelta(minutes=1))
    assert not Notification.objects.filter(kind__startswith="tool_renewal").exists()
    _tick(at60)
    _tick(at60 + timedelta(days=29))  # 31 days before: still the 60-day window, nothing new
    sixty = Notification.objects.get(kind="tool_renewal_60")
    assert "renews in 60 days" in sixty.body
    assert not Notification.objects.filter(kind="tool_renewal_30").exists()
    _tick(at60 + timedelta(days=30))
    _tick(at60 + timedelta(days=45))
    thirty = Notification.objects.get(kind="tool_renewal_30")
    assert "renews in 30 days" in thirty.body
    assert Notification.objects.filter(kind="tool_renewal_60").count() == 1


def test_renewal_reminders_go_out_in_the_company_morning(settings, make_tool, member):
    settings.TIME_ZONE = "Europe/Berlin"  # 08:00 in Berlin is 07:00 UTC in winter
    make_tool("Miro", business_owner=member, renewal_date=date(2027, 3, 1))
    _tick(datetime(2026, 12, 31, 6, 59, tzinfo=UTC))
    assert not Notification.objects.filter(kind="tool_renewal_60").exists()
    _tick(datetime(2026, 12, 31, 7, 0, tzinfo=UTC))
    assert _people("tool_renewal_60") == ["member"]


# --- the answer deadline ---------------------------------------------------------------------
def _ask(by, now=T0, **extra) -> ToolRequest:
    extra.setdefault("title", "Webinar platform")
    return services.request_create(by=by, need="Host the partner webinars.", now=now, **extra)


def test_the_answer_deadline_is_configurable(settings, member):
    settings.TOOL_REQUEST_ANSWER_WORKING_DAYS = 2
    assert _ask(member).answer_by == T0 + timedelta(days=2)  # Monday → Wednesday
    friday = datetime(2026, 11, 6, 16, 0, tzinfo=UTC)
    assert _ask(member, now=friday, title="B").answer_by == datetime(2026, 11, 10, 16, 0, tzinfo=UTC)


def test_working_days_count_in_the_company_time_zone(settings, member):
    settings.TIME_ZONE = "Pacific/Auckland"  # UTC+13 in November
    friday_evening_utc = datetime(2026, 11, 6, 20, 0, tzinfo=UTC)  # already Saturday 09:00 in Auckland
    req = _ask(member, now=friday_evening_utc)
    # Saturday in Auckland: Monday to Friday of the next week, Friday 09:00 there
    assert req.answer_by == datetime(2026, 11, 12, 20, 0, tzinfo=UTC)
    settings.TIME_ZONE = "UTC"
    assert _ask(member, now=friday_evening_utc, title="B").answer_by == datetime(2026, 11, 13, 20, 0, tzinfo=UTC)


# --- escalation in two levels ----------------------------------------------------------------
def test_a_request_escalates_in_two_levels_each_sent_exactly_once(cmo, cio, liaison, member):
    UserFactory(username="it.member", department="it", role="member")  # may decide, but not IT's lead
    UserFactory(username="cfo", department="finance", role="executive")
    req = _ask(member)  # Monday 09:00; the deadline is next Monday 09:00
    heads_up = datetime(2026, 11, 6, 9, 0, tzinfo=UTC)  # one working day before: Friday 09:00
    _tick(heads_up - timedelta(minutes=1))
    assert not Notification.objects.filter(kind__startswith="tool_request").exists()
    _tick(heads_up)
    _tick(heads_up + timedelta(hours=30))  # the weekend: the sweep keeps running
    assert _people("tool_request_due_soon") == ["cio", "liaison"]  # IT's head and IT's liaison
    assert _people("tool_request_unanswered") == [] and _people("tool_request_late") == []
    _tick(req.answer_by - timedelta(minutes=1))
    assert _people("tool_request_unanswered") == []
    for minutes in (0, 5, 600):
        _tick(req.answer_by + timedelta(minutes=minutes))
    assert _people("tool_request_unanswered") == ["cio", "cmo"]
    assert _people("tool_request_late") == ["member"]
    assert _people("tool_request_due_soon") == ["cio", "liaison"]
    late = Notification.objects.get(kind="tool_request_late")
    assert "past its deadline" in late.title and late.link == req.get_absolute_url()
    counts = {k: Delivery.objects.filter(kind=k).count() for k in
              ("tool_request_due_soon", "tool_request_unanswered", "tool_request_late")}  # fmt: skip
    assert counts == {"tool_request_due_soon": 4, "tool_request_unanswered": 4, "tool_request_late": 2}


def test_a_request_decided_before_the_heads_up_escalates_to_no_one(cio, liaison, member):
    req = _ask(member)
    services.request_decide(request=req, by=cio, decision="trial", reason="Try it", version=1,
                            now=T0 + timedelta(days=1))  # fmt: skip
    _tick(datetime(2026, 11, 6, 9, 0, tzinfo=UTC))
    _tick(req.answer_by + timedelta(hours=1))
    assert not Notification.objects.filter(kind__in=("tool_request_due_soon", "tool_request_unanswered",
                                                     "tool_request_late")).exists()  # fmt: skip
