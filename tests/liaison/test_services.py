from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from collab.lib import hooks
from liaison import selectors, services
from liaison.models import ActionItem, AgendaItem, AssignmentChange, LiaisonAssignment, Meeting, MeetingStatus
from tests.factories import UserFactory
from tests.liaison.conftest import make_meeting

pytestmark = pytest.mark.django_db


# --- assignments ---------------------------------------------------------------------------
def test_assignment_keeps_history_and_takes_home_department_from_the_person(assignment, cio):
    assert assignment.home_department == "it"
    assert list(AssignmentChange.objects.filter(assignment=assignment).values_list("action", flat=True)) == ["created"]
    services.assignment_update(assignment=assignment, by=cio, version=1, focus_areas="Data")
    assert assignment.version == 2
    assert AssignmentChange.objects.filter(assignment=assignment, action="edited").count() == 1


def test_end_before_start_is_refused(cmo, cio, liaison):
    with pytest.raises(ValidationError, match="end date cannot be before"):
        services.assignment_create(
            by=cio,
            person=liaison,
            served_department="marketing",
            start_date=date(2026, 5, 1),
            end_date=date(2026, 4, 1),
        )
    assert not LiaisonAssignment.objects.exists()


def test_mentor_must_be_an_executive(cio, liaison, member):
    with pytest.raises(ValidationError, match="not an executive"):
        services.assignment_create(
            by=cio, person=liaison, served_department="marketing", start_date=date(2026, 5, 1), mentor=member
        )
    assert not LiaisonAssignment.objects.exists()


def test_one_active_assignment_per_served_department(assignment, cio, liaison):
    with pytest.raises(ValidationError, match="already has an active assignment"):
        services.assignment_create(by=cio, person=liaison, served_department="marketing", start_date=date(2027, 1, 1))
    services.assignment_end(assignment=assignment, by=cio, end_date=date(2026, 12, 31))
    again = services.assignment_create(
        by=cio, person=liaison, served_department="marketing", start_date=date(2027, 1, 1)
    )
    assert again.status == "active"


def test_only_leaders_assign_liaisons(liaison, member):
    with pytest.raises(PermissionDenied):
        services.assignment_create(
            by=member, person=liaison, served_department="marketing", start_date=date(2026, 1, 1)
        )
    assert not LiaisonAssignment.objects.exists()


def test_stale_assignment_edit_is_a_conflict(assignment, cio, cmo):
    services.assignment_update(assignment=assignment, by=cio, version=1, focus_areas="One")
    stale = LiaisonAssignment.objects.get(pk=assignment.pk)
    with pytest.raises(services.ConflictError):
        services.assignment_update(assignment=stale, by=cmo, version=1, focus_areas="Two")
    assert LiaisonAssignment.objects.get(pk=assignment.pk).focus_areas == "One"


def test_log_follow_ups_become_action_items(liaison, member):
    entry = services.log_entry_add(
        liaison=liaison,
        by=liaison,
        date=date(2026, 10, 1),
        meeting="Marketing weekly",
        learned="They plan a spring campaign needing a landing page.",
        follow_ups=[{"title": "Estimate the landing page", "owner": liaison, "due_date": date(2026, 10, 8)}],
    )
    assert ActionItem.objects.get().log_entry == entry
    assert list(selectors.log_for(liaison, "spring")) == [entry]
    assert list(selectors.log_for(liaison, "nothing like it")) == []
    with pytest.raises(PermissionDenied):
        services.log_entry_add(liaison=liaison, by=member, date=date(2026, 10, 1), meeting="x", learned="y")


# --- coverage ------------------------------------------------------------------------------
def _cov(today):
    return {row["key"]: row for row in selectors.coverage(today)}


def test_coverage_warns_when_nobody_serves_a_side(assignment):
    rows = _cov(date(2026, 11, 2))
    assert rows["it_to_marketing"]["warning"] is None
    assert rows["it_to_marketing"]["liaisons"] == [assignment]
    assert rows["marketing_to_it"]["warning"] == "No active liaison from Marketing serves IT."


def test_coverage_warns_30_days_before_the_end_not_31(assignment):
    end = assignment.end_date
    assert _cov(end - timedelta(days=31))["it_to_marketing"]["warning"] is None
    warning = _cov(end - timedelta(days=30))["it_to_marketing"]["warning"]
    assert warning is not None and "in 30 days" in warning
    assert "ends today" in _cov(end)["it_to_marketing"]["warning"]
    assert _cov(end + timedelta(days=1))["it_to_marketing"]["warning"].startswith("No active liaison")


def test_covering_hook_answers_the_liaison_id(assignment, liaison):
    assert hooks.first("liaison.covering", "marketing", "it") == liaison.pk
    assert hooks.first("liaison.covering", "marketing", None) == liaison.pk
    assert hooks.first("liaison.covering", "it", None) is None


# --- meetings and agendas -----------------------------------------------------------------
def test_past_meeting_cannot_be_planned(sync_series, cmo):
    with pytest.raises(ValidationError, match="cannot be “planned”"):
        services.meeting_create(
            by=cmo,
            series=sync_series,
            start=datetime(2026, 10, 1, 9, tzinfo=UTC),
            now=datetime(2026, 11, 1, tzinfo=UTC),
        )
    assert not Meeting.objects.exists()


def test_agenda_carries_over_open_action_items_only(sync_series, cmo, cio):
    last = make_meeting(sync_series, datetime(2026, 10, 1, 9, tzinfo=UTC), status="held")
    open_item = services.action_item_add(
        meeting=last, by=cmo, title="Budget for CDP", owner=cio, due_date=date(2026, 10, 20)
    )
    done_item = services.action_item_add(
        meeting=last, by=cmo, title="Share roadmap", owner=cmo, due_date=date(2026, 10, 9)
    )
    services.action_item_done(action=done_item, by=cmo)
    nxt = make_meeting(sync_series, datetime(2026, 11, 3, 9, tzinfo=UTC))
    items = selectors.agenda(nxt)
    assert [i.action_item for i in items] == [open_item]
    assert items[0].source == "Open action item"
    # assembling again adds nothing twice
    assert services.agenda_assemble(meeting=nxt, now=datetime(2026, 11, 2, tzinfo=UTC)) == 0
    assert AgendaItem.objects.filter(meeting=nxt).count() == 1


def test_agenda_takes_suggestions_from_the_hook(sync_series):
    def parked(meeting):
        return [{"title": "Snag S-12: CRM export", "link": "/snags/S-12/", "source": "Parking lot"}]

    hooks.provide("meetings.agenda_suggestions", parked)
    try:
        m = make_meeting(sync_series, datetime(2026, 11, 3, 9, tzinfo=UTC))
    finally:
        hooks.withdraw("meetings.agenda_suggestions", parked)
    item = AgendaItem.objects.get(meeting=m)
    assert (item.title, item.link, item.source) == ("Snag S-12: CRM export", "/snags/S-12/", "Parking lot")


def test_agenda_edit_reorder_tick_by_attendees_only(sync_series, cio, member):
    m = make_meeting(sync_series, datetime(2027, 1, 5, 9, tzinfo=UTC))
    a = services.agenda_item_add(meeting=m, by=cio, title="A")
    b = services.agenda_item_add(meeting=m, by=cio, title="B")
    services.agenda_reorder(meeting=m, by=cio, order=[b.pk, a.pk])
    assert [i.title for i in selectors.agenda(m)] == ["B", "A"]
    services.agenda_item_tick(item=a, by=cio, done=True)
    assert AgendaItem.objects.get(pk=a.pk).done
    with pytest.raises(PermissionDenied):
        services.agenda_item_add(meeting=m, by=member, title="C")
    with pytest.raises(PermissionDenied):
        services.agenda_reorder(meeting=m, by=member, order=[a.pk, b.pk])
    assert [i.title for i in selectors.agenda(m)] == ["B", "A"]
    with pytest.raises(ValidationError):
        services.agenda_reorder(meeting=m, by=cio, order=[a.pk])


def test_stale_notes_are_a_conflict_not_a_lost_edit(sync_series, cmo, cio):
    m = make_meeting(sync_series, datetime(2027, 1, 5, 9, tzinfo=UTC))
    services.meeting_notes_save(meeting=m, by=cmo, version=1, notes="Claire's notes", decisions="")
    with pytest.raises(services.ConflictError) as exc:
        services.meeting_notes_save(meeting=m, by=cio, version=1, notes="Ian's notes", decisions="")
    assert exc.value.current.notes == "Claire's notes"
    assert Meeting.objects.get(pk=m.pk).notes == "Claire's notes"


def test_only_organisers_and_executives_cancel_or_change_attendees(standup, liaison, member, cio):
    m = make_meeting(standup, datetime(2027, 1, 5, 9, tzinfo=UTC))
    with pytest.raises(PermissionDenied):
        services.meeting_set_status(meeting=m, by=member, to=MeetingStatus.CANCELLED)
    with pytest.raises(PermissionDenied):
        services.meeting_set_attendees(meeting=m, by=member, attendees=[member])
    assert Meeting.objects.get(pk=m.pk).status == "planned"
    assert set(m.attendees.values_list("username", flat=True)) == {"member", "cio"}
    services.meeting_set_status(meeting=m, by=cio, to=MeetingStatus.CANCELLED)
    assert Meeting.objects.get(pk=m.pk).status == "cancelled"


def test_sync_status_counts_days_since_the_last_held_sync(sync_series):
    make_meeting(sync_series, datetime(2026, 10, 1, 9, tzinfo=UTC), status="held")
    status = selectors.cmo_cio_sync_status(datetime(2026, 10, 31, 9, tzinfo=UTC))
    assert (status["days_since"], status["overdue"]) == (30, False)
    status = selectors.cmo_cio_sync_status(datetime(2026, 11, 1, 9, tzinfo=UTC))
    assert (status["days_since"], status["overdue"]) == (31, True)
    assert status["next"] is None


def test_selectors_for_dashboard_and_reviews(sync_series, cmo, cio):
    held = make_meeting(sync_series, datetime(2026, 10, 1, 9, tzinfo=UTC), status="held")
    services.action_item_add(meeting=held, by=cmo, title="X", owner=cio, due_date=date(2026, 10, 20))
    other = UserFactory()
    assert [a.title for a in selectors.open_action_items_for([cio])] == ["X"]
    assert list(selectors.open_action_items_for([other])) == []
    assert selectors.meetings_held_between(date(2026, 10, 1), date(2026, 12, 31)) == [held]
    assert selectors.meetings_held_between(date(2026, 10, 2), date(2026, 12, 31)) == []
