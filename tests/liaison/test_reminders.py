from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from collab.notifications import services as engine
from collab.notifications.models import Delivery, Notification
from liaison import services
from tests.liaison.conftest import make_meeting

pytestmark = pytest.mark.django_db


def _sweep(now):
    with time_machine.travel(now, tick=False):
        result = engine.sweep(now=now)
        engine.deliveries_send(ids=result.pending_ids, now=now)


def _users(kind):
    return sorted(Notification.objects.filter(kind=kind).values_list("user__username", flat=True))


def test_sync_alarm_on_day_31_not_30_then_every_3_days_until_scheduled(sync_series, cmo, cio, member):
    held = make_meeting(sync_series, datetime(2026, 9, 1, 9, tzinfo=UTC), status="held")
    _sweep(held.start + timedelta(days=30))
    _sweep(held.start + timedelta(days=31) - timedelta(minutes=1))
    assert _users("cmo_cio_sync_lapsed") == []
    _sweep(held.start + timedelta(days=31))
    _sweep(held.start + timedelta(days=31, hours=5))
    assert _users("cmo_cio_sync_lapsed") == ["cio", "cmo"]
    _sweep(held.start + timedelta(days=33))
    assert len(_users("cmo_cio_sync_lapsed")) == 2
    _sweep(held.start + timedelta(days=34))
    assert len(_users("cmo_cio_sync_lapsed")) == 4
    # once one is scheduled, the reminders stop
    now = held.start + timedelta(days=35)
    make_meeting(sync_series, now + timedelta(days=3), now=now)
    _sweep(held.start + timedelta(days=37))
    assert len(_users("cmo_cio_sync_lapsed")) == 4


def test_meeting_reminded_a_day_and_an_hour_before_exactly_once(standup, liaison, member, cio):
    m = make_meeting(standup, datetime(2026, 11, 10, 9, tzinfo=UTC))
    for minutes in (-1, 0, 30, 90):
        _sweep(m.start - timedelta(days=1) + timedelta(minutes=minutes))
    assert _users("meeting_soon") == ["cio", "liaison", "member"]
    for minutes in (0, 10, 59):
        _sweep(m.start - timedelta(hours=1) + timedelta(minutes=minutes))
    assert len(_users("meeting_soon")) == 6
    _sweep(m.start + timedelta(minutes=5))
    assert len(_users("meeting_soon")) == 6
    assert Delivery.objects.filter(kind="meeting_soon", channel="email").count() == 6


def test_cancelled_meeting_is_not_reminded(standup, liaison):
    m = make_meeting(standup, datetime(2026, 11, 10, 9, tzinfo=UTC))
    with time_machine.travel(datetime(2026, 11, 8, tzinfo=UTC), tick=False):
        services.meeting_set_status(meeting=m, by=liaison, to="cancelled")
    _sweep(m.start - timedelta(hours=2))
    assert _users("meeting_soon") == []


def test_action_item_due_tomorrow_and_overdue_to_the_owner_once(sync_series, cmo, cio):
    m = make_meeting(sync_series, datetime(2026, 10, 1, 9, tzinfo=UTC), status="held")
    action = services.action_item_add(meeting=m, by=cmo, title="Budget", owner=cio, due_date=date(2026, 10, 20))
    _sweep(datetime(2026, 10, 19, 7, 59, tzinfo=UTC))
    assert _users("meeting_action_due") == []
    _sweep(datetime(2026, 10, 19, 8, 0, tzinfo=UTC))
    _sweep(datetime(2026, 10, 19, 18, 0, tzinfo=UTC))
    _sweep(datetime(2026, 10, 20, 9, 0, tzinfo=UTC))
    assert _users("meeting_action_due") == ["cio"]
    for day in (21, 22, 23, 24):
        _sweep(datetime(2026, 10, day, 9, 0, tzinfo=UTC))
    assert _users("meeting_action_overdue") == ["cio", "cio"]  # 21 and 24 Oct
    services.action_item_done(action=action, by=cio)
    _sweep(datetime(2026, 10, 30, 9, 0, tzinfo=UTC))
    assert len(_users("meeting_action_overdue")) == 2


def test_assignment_ending_in_30_and_7_days_to_liaison_mentor_and_executives(cmo, cio, liaison, member):
    services.assignment_create(
        by=cio,
        person=liaison,
        served_department="marketing",
        start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31),
        mentor=cmo,
    )
    _sweep(datetime(2026, 11, 30, 9, tzinfo=UTC))
    assert _users("liaison_assignment_ending") == []
    _sweep(datetime(2026, 12, 1, 8, tzinfo=UTC))  # 30 days before
    _sweep(datetime(2026, 12, 2, 8, tzinfo=UTC))
    assert _users("liaison_assignment_ending") == ["cio", "cmo", "liaison"]
    _sweep(datetime(2026, 12, 24, 8, tzinfo=UTC))  # 7 days before
    _sweep(datetime(2026, 12, 30, 8, tzinfo=UTC))
    assert len(_users("liaison_assignment_ending")) == 6
