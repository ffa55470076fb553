"""Escalation through the reminders engine: level 1 to the owner and liaison when the deadline passes, level 2
to both executives one period later — each exactly once however often the sweep runs."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from collab.lib import hooks
from collab.notifications import services as engine
from collab.notifications.models import Delivery, Notification
from parkinglot import services
from parkinglot.models import SnagEvent, SnagStatus
from parkinglot.tasks import escalate
from tests.parkinglot.conftest import T0

pytestmark = pytest.mark.django_db


def _tick(now):
    services.snags_escalate(now=now)
    result = engine.sweep(now=now)
    engine.deliveries_send(ids=result.pending_ids, now=now)


@pytest.fixture
def covered(liaison):
    def covering(department, served_by=None):
        return liaison.pk

    hooks.provide("liaison.covering", covering)
    yield liaison
    hooks.withdraw("liaison.covering", covering)


def test_overdue_critical_snag_reaches_both_executives_bells_once(make_snag, cmo, cio, member, covered):
    snag = make_snag(impact="critical")  # respond by T0 + 1 day; owner: the liaison
    assert snag.owner == covered
    _tick(T0 + timedelta(hours=23))
    assert not Notification.objects.exists()
    for minutes in (0, 1, 30, 600):
        _tick(T0 + timedelta(days=1, minutes=minutes))
    level1 = Notification.objects.filter(kind="snag_escalation_1")
    assert list(level1.values_list("user__username", flat=True)) == ["liaison"]  # owner and liaison are one person
    assert not Notification.objects.filter(kind="snag_escalation_2").exists()
    snag.refresh_from_db()
    assert snag.escalation_level == 1 and not snag.is_escalated
    for hours in (24, 25, 48, 96):
        _tick(T0 + timedelta(days=1, hours=hours))
    level2 = Notification.objects.filter(kind="snag_escalation_2")
    assert sorted(level2.values_list("user__username", flat=True)) == ["cio", "cmo"]
    assert Delivery.objects.filter(kind="snag_escalation_2").count() == 4  # in-app + email, two people, once
    snag.refresh_from_db()
    assert snag.escalation_level == 2 and snag.is_escalated
    notes = list(SnagEvent.objects.filter(snag=snag, kind="escalated").values_list("note", flat=True))
    assert len(notes) == 2 and notes[0].startswith("Level 1") and notes[1].startswith("Level 2")


def test_owner_and_liaison_both_hear_at_level_one(make_snag, cmo, cio, liaison, covered):
    snag = make_snag(impact="high")
    services.snag_assign(snag=snag, by=cio, owner=cmo)
    _tick(T0 + timedelta(days=3, minutes=5))
    people = sorted(Notification.objects.filter(kind="snag_escalation_1").values_list("user__username", flat=True))
    assert people == ["cmo", "liaison"]


def test_an_answered_snag_does_not_escalate(make_snag, cmo, cio, liaison, member):
    snag = make_snag(impact="critical")
    services.snag_transition(snag=snag, by=liaison, to=SnagStatus.ANSWERED, note="Fixed", now=T0 + timedelta(hours=5))
    _tick(T0 + timedelta(days=5))
    assert not Notification.objects.filter(kind__startswith="snag_escalation").exists()
    assert Notification.objects.filter(kind="snag_answered", user=member).count() == 1


def test_the_escalate_task_records_levels_once(make_snag, cmo, cio):
    snag = make_snag(impact="critical")
    with time_machine.travel(T0 + timedelta(days=3), tick=False):
        assert escalate() == {"level_1": 1, "level_2": 1}
        assert escalate() == {"level_1": 0, "level_2": 0}
    snag.refresh_from_db()
    assert snag.escalation_level == 2
