from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from collab.notifications import services as engine
from collab.notifications.models import Delivery, Notification
from reviews import services
from reviews.models import TeamInput

pytestmark = pytest.mark.django_db


def _sweep(now):
    result = engine.sweep(now=now)
    engine.deliveries_send(ids=result.pending_ids, now=now)


def test_input_reminders_3_and_1_days_before_to_the_teams_attendees_once(review, cmo, cio, member):
    deadline = TeamInput.objects.get(review=review, team="marketing").deadline  # 3 Dec 13:00
    for hours in (-1, 0, 1, 2):  # around 3 days before, several sweeps
        _sweep(deadline - timedelta(days=3) + timedelta(hours=hours))
    marketing = Notification.objects.filter(kind="qbr_input_due", title__startswith="Marketing")
    assert sorted(marketing.values_list("user__username", flat=True)) == ["cmo", "member"]
    it = Notification.objects.filter(kind="qbr_input_due", title__startswith="IT")
    assert list(it.values_list("user__username", flat=True)) == ["cio"]
    for hours in (0, 5):
        _sweep(deadline - timedelta(days=1) + timedelta(hours=hours))
    assert Notification.objects.filter(kind="qbr_input_due", user=member).count() == 2


def test_submitted_input_is_not_reminded(review, member):
    marketing = TeamInput.objects.get(review=review, team="marketing")
    services.input_submit(team_input=marketing, by=member, text="Done early", version=1)
    _sweep(marketing.deadline - timedelta(days=2))
    assert not Notification.objects.filter(kind="qbr_input_due", user=member).exists()


def test_missed_deadline_tells_the_facilitator_once(review, liaison):
    deadline = TeamInput.objects.get(review=review, team="it").deadline
    _sweep(deadline - timedelta(minutes=1))
    assert not Notification.objects.filter(kind="qbr_input_missed").exists()
    for minutes in (0, 30, 600):
        _sweep(deadline + timedelta(minutes=minutes))
    assert Notification.objects.filter(kind="qbr_input_missed", user=liaison).count() == 2  # IT and marketing


def test_action_items_are_reminded_until_done(review, cmo, member):
    action = services.action_item_add(
        review=review, by=cmo, title="Send the data", owner=member, due_date=date(2027, 1, 10)
    )
    _sweep(datetime(2027, 1, 9, 7, 0, tzinfo=UTC))
    assert not Notification.objects.filter(kind="qbr_action_due").exists()
    _sweep(datetime(2027, 1, 9, 8, 0, tzinfo=UTC))
    _sweep(datetime(2027, 1, 9, 12, 0, tzinfo=UTC))
    assert Notification.objects.filter(kind="qbr_action_due", user=member).count() == 1
    for day in (11, 12, 13, 14, 15):
        _sweep(datetime(2027, 1, day, 9, 0, tzinfo=UTC))
    # overdue from 11 Jan 08:00, then every three days: 11 and 14 Jan
    assert Notification.objects.filter(kind="qbr_action_overdue", user=member).count() == 2
    services.action_item_done(action=action, by=member)
    _sweep(datetime(2027, 1, 20, 9, 0, tzinfo=UTC))
    assert Notification.objects.filter(kind="qbr_action_overdue", user=member).count() == 2
    assert Delivery.objects.filter(kind="qbr_action_overdue", channel="email").count() == 2
