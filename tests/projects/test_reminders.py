from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from collab.notifications import services as engine
from collab.notifications.models import Notification
from collab.projects import services
from collab.projects.models import ProjectStatus

pytestmark = pytest.mark.django_db

T0 = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)  # a Monday


def _sweep(now):
    with time_machine.travel(now, tick=False):
        result = engine.sweep(now=now)
        engine.deliveries_send(ids=result.pending_ids, now=now)


def _who(kind):
    return sorted(Notification.objects.filter(kind=kind).values_list("user__username", flat=True))


def _approve(project, cmo, cio, sales_head):
    services.project_transition(project=project, by=cmo, to=ProjectStatus.REQUIREMENTS)
    for head, dept in ((cmo, "marketing"), (cio, "it"), (sales_head, "sales")):
        services.signoff_record(project=project, by=head, department=dept, version_number=1, decision="approved")
    services.project_transition(project=project, by=cmo, to=ProjectStatus.APPROVED)


def test_milestone_due_in_3_days_and_overdue_reach_owner_and_both_sponsors_once(project, member):
    with time_machine.travel(T0, tick=False):
        m = services.milestone_add(
            by=project.marketing_sponsor, project=project, title="Data model", owner=member, due_date=date(2027, 1, 14)
        )
    _sweep(datetime(2027, 1, 11, 7, 0, tzinfo=UTC))  # before 08:00 three days ahead
    assert _who("project_milestone_due") == []
    for hour in (8, 12, 18):
        _sweep(datetime(2027, 1, 11, hour, 0, tzinfo=UTC))
    _sweep(datetime(2027, 1, 13, 9, 0, tzinfo=UTC))
    assert _who("project_milestone_due") == ["cio", "cmo", "member"]
    _sweep(datetime(2027, 1, 14, 23, 0, tzinfo=UTC))
    assert _who("project_milestone_overdue") == []
    for day in (15, 16, 20):
        _sweep(datetime(2027, 1, day, 9, 0, tzinfo=UTC))
    assert _who("project_milestone_overdue") == ["cio", "cmo", "member"]
    # done milestones are not reminded
    services.milestone_done(milestone=m, by=member, done_on=date(2027, 1, 21))
    _sweep(datetime(2027, 1, 22, 9, 0, tzinfo=UTC))
    assert len(_who("project_milestone_overdue")) == 3


def test_change_request_waiting_on_one_sponsor_reminds_only_that_sponsor_once(project, cmo, cio, sales_head):
    with time_machine.travel(T0, tick=False):
        _approve(project, cmo, cio, sales_head)
        cr = services.change_request_raise(project=project, by=cmo, title="Add SMS", reason="Asked for")
        services.change_request_decide(change_request=cr, by=cmo, approve=True)
    _sweep(T0 + timedelta(days=2, hours=23))
    assert _who("project_change_request_waiting") == []
    for hours in (0, 1, 30):
        _sweep(T0 + timedelta(days=3, hours=hours))
    assert _who("project_change_request_waiting") == ["cio"]
    services.change_request_decide(change_request=cr, by=cio, approve=True)
    _sweep(T0 + timedelta(days=10))
    assert _who("project_change_request_waiting") == ["cio"]


def test_signoff_waiting_more_than_5_days_reminds_the_missing_heads_once_per_version(project, cmo, cio, sales_head):
    with time_machine.travel(T0, tick=False):
        services.signoff_record(project=project, by=cmo, department="marketing", version_number=1, decision="approved")
    version = project.requirement_versions.get()
    version.created_at = T0
    version.save(update_fields=["created_at"])
    _sweep(T0 + timedelta(days=4, hours=23))
    assert _who("project_signoff_waiting") == []
    for hours in (0, 5, 48):
        _sweep(T0 + timedelta(days=5, hours=hours))
    assert _who("project_signoff_waiting") == ["cio", "sales.head"]
    # a new version asks again (after another five days)
    with time_machine.travel(T0 + timedelta(days=8), tick=False):
        services.requirements_save(project=project, by=cmo, text="v2", based_on=1)
    _sweep(T0 + timedelta(days=12))
    assert len(_who("project_signoff_waiting")) == 2
    _sweep(T0 + timedelta(days=13, hours=1))
    assert _who("project_signoff_waiting") == ["cio", "cio", "cmo", "sales.head", "sales.head"]


def test_requirements_reset_notifies_the_heads_once(project, cmo, cio, sales_head, django_capture_on_commit_callbacks):
    services.signoff_record(project=project, by=cmo, department="marketing", version_number=1, decision="approved")
    with django_capture_on_commit_callbacks(execute=True):
        services.requirements_save(project=project, by=cio, text="new", based_on=1)
    assert _who("project_requirements_changed") == ["cio", "cmo", "sales.head"]
    with django_capture_on_commit_callbacks(execute=True):
        services.requirements_save(project=project, by=cio, text="newer", based_on=2)  # v2 had no answers yet
    assert len(_who("project_requirements_changed")) == 3


def test_ranking_move_notifies_each_sponsor_once_per_moved_project(
    make_project, cmo, cio, django_capture_on_commit_callbacks
):
    from collab.projects import selectors

    make_project()
    b = make_project()
    with django_capture_on_commit_callbacks(execute=True):
        services.ranking_move(by=cmo, project=b, to_rank=1, version=selectors.ranking_version(), reason="Season")
    _sweep(datetime.now(tz=UTC))  # a later sweep sends nothing twice
    assert _who("project_rank_changed") == ["cio", "cio", "cmo", "cmo"]
    assert Notification.objects.filter(kind="project_rank_changed", title__contains="from rank 2 to 1").count() == 2


def test_entering_requirements_asks_the_heads_who_have_not_signed(
    project, cmo, cio, sales_head, django_capture_on_commit_callbacks
):
    services.signoff_record(project=project, by=cmo, department="marketing", version_number=1, decision="approved")
    with django_capture_on_commit_callbacks(execute=True):
        services.project_transition(project=project, by=cmo, to=ProjectStatus.REQUIREMENTS)
    assert _who("project_signoff_requested") == ["cio", "sales.head"]
