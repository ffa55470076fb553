from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from collab.accounts.models import Department, Role
from liaison import services
from liaison.models import AgendaItem, LiaisonAssignment, Meeting, MeetingSeries
from tests.factories import UserFactory
from tests.liaison.conftest import make_meeting

pytestmark = pytest.mark.django_db

FUTURE = datetime(2030, 3, 5, 9, 0, tzinfo=UTC)


def test_liaisons_page_shows_coverage_and_assignments(client_as, member, assignment):
    r = client_as(member).get(reverse("liaison:liaisons"))
    assert r.status_code == 200
    body = r.content.decode()
    assert "Lena Schmidt" in body
    assert "No active liaison from Marketing serves IT." in body


def test_assignment_create_errors_are_422_and_save_nothing(client_as, cio, liaison, member):
    url = reverse("liaison:assignment_create")
    data = {
        "person": liaison.pk,
        "served_department": "marketing",
        "start_date": "2026-05-01",
        "end_date": "2026-04-01",
    }
    r = client_as(cio).post(url, data)
    assert r.status_code == 422
    assert "end date cannot be before" in r.content.decode()
    r = client_as(cio).post(url, {**data, "end_date": "2026-12-31", "mentor": member.pk})
    assert r.status_code == 422
    assert "not an executive" in r.content.decode()
    assert not LiaisonAssignment.objects.exists()
    r = client_as(cio).post(url, {**data, "end_date": "2026-12-31", "mentor": cio.pk})
    assert r.status_code == 302
    assert LiaisonAssignment.objects.get().mentor == cio


def test_members_cannot_assign_liaisons(client_as, member, liaison):
    url = reverse("liaison:assignment_create")
    data = {"person": liaison.pk, "served_department": "marketing", "start_date": "2026-05-01"}
    assert client_as(member).post(url, data).status_code == 403
    assert client_as(member).get(url).status_code == 403
    assert not LiaisonAssignment.objects.exists()


def test_person_page_log_search_full_and_fragment(client_as, liaison, member):
    services.log_entry_add(liaison=liaison, by=liaison, date=date(2026, 10, 1), meeting="Brand weekly", learned="Logo")
    services.log_entry_add(liaison=liaison, by=liaison, date=date(2026, 10, 2), meeting="Campaign sync", learned="CRM")
    url = reverse("liaison:person", args=["liaison"])
    r = client_as(member).get(url, {"q": "crm"})
    assert r.status_code == 200 and "Campaign sync" in r.content.decode() and "Brand weekly" not in r.content.decode()
    r = client_as(member).get(url, {"q": "logo"}, headers={"HX-Request": "true"})
    body = r.content.decode()
    assert "<html" not in body and "Brand weekly" in body
    assert "HX-Request" in r["Vary"]


def test_log_add_by_others_is_denied(client_as, liaison, member):
    url = reverse("liaison:log_add", args=["liaison"])
    r = client_as(member).post(url, {"date": "2026-10-01", "meeting": "x", "learned": "y"})
    assert r.status_code == 403
    assert not liaison.liaison_log.exists()
    r = client_as(liaison).post(url, {"date": "2026-10-01", "meeting": "x", "learned": "y", "follow_up": "Do it"})
    assert r.status_code == 422
    assert "needs an owner" in r.content.decode()
    r = client_as(liaison).post(url, {"date": "2026-10-01", "meeting": "x", "learned": "y"})
    assert r.status_code == 302


def test_meeting_page_shows_the_carried_over_agenda(client_as, sync_series, cmo, cio):
    last = make_meeting(sync_series, datetime(2026, 10, 1, 9, tzinfo=UTC), status="held")
    services.action_item_add(meeting=last, by=cmo, title="Budget for CDP", owner=cio, due_date=date(2026, 10, 20))
    nxt = make_meeting(sync_series, FUTURE)
    r = client_as(cmo).get(nxt.get_absolute_url())
    assert r.status_code == 200
    assert "Budget for CDP" in r.content.decode()


def test_agenda_add_full_fragment_invalid_denied_and_no_js(client_as, sync_series, cio, member):
    m = make_meeting(sync_series, FUTURE)
    url = reverse("liaison:agenda_add", args=[m.pk])
    r = client_as(cio).post(url, {"title": "Pricing page"}, headers={"HX-Request": "true"})
    assert r.status_code == 200 and "Pricing page" in r.content.decode() and "<html" not in r.content.decode()
    r = client_as(cio).post(url, {"title": "Plain post"})
    assert r.status_code == 302
    r = client_as(cio).post(url, {"title": ""}, headers={"HX-Request": "true"})
    assert r.status_code == 422
    r = client_as(member).post(url, {"title": "Sneaky"})
    assert r.status_code == 403
    assert list(AgendaItem.objects.filter(meeting=m).values_list("title", flat=True)) == ["Pricing page", "Plain post"]


def test_agenda_tick_and_reorder(client_as, sync_series, cio, member):
    m = make_meeting(sync_series, FUTURE)
    a = services.agenda_item_add(meeting=m, by=cio, title="A")
    b = services.agenda_item_add(meeting=m, by=cio, title="B")
    c = client_as(cio)
    r = c.post(reverse("liaison:agenda_tick", args=[m.pk, a.pk]), {"done": "1"}, headers={"HX-Request": "true"})
    assert r.status_code == 200 and AgendaItem.objects.get(pk=a.pk).done
    r = c.post(reverse("liaison:agenda_reorder", args=[m.pk]), {"order": [b.pk, a.pk]}, headers={"HX-Request": "true"})
    assert r.status_code == 200
    assert list(m.agenda.order_by("position").values_list("title", flat=True)) == ["B", "A"]
    r = c.post(reverse("liaison:agenda_reorder", args=[m.pk]), {"order": [b.pk]}, headers={"HX-Request": "true"})
    assert r.status_code == 422
    r = c.post(reverse("liaison:agenda_move", args=[m.pk, a.pk]), {"direction": "up"})
    assert r.status_code == 302
    assert list(m.agenda.order_by("position").values_list("title", flat=True)) == ["A", "B"]
    r = client_as(member).post(reverse("liaison:agenda_tick", args=[m.pk, b.pk]), {"done": "1"})
    assert r.status_code == 403 and not AgendaItem.objects.get(pk=b.pk).done


def test_notes_conflict_shows_a_message_and_keeps_the_first_save(client_as, sync_series, cmo, cio):
    m = make_meeting(sync_series, FUTURE)
    url = reverse("liaison:notes", args=[m.pk])
    assert client_as(cmo).post(url, {"notes": "First", "decisions": "", "version": 1}).status_code == 302
    r = client_as(cio).post(url, {"notes": "Second", "decisions": "", "version": 1})
    assert r.status_code == 409
    assert "Someone else saved the notes" in r.content.decode()
    assert "Second" in r.content.decode()  # what they wrote is shown, not lost
    assert Meeting.objects.get(pk=m.pk).notes == "First"


def test_attendees_and_cancel_only_by_organiser_or_executive(client_as, standup, liaison, member, cio):
    m = make_meeting(standup, FUTURE)
    before = set(m.attendees.values_list("pk", flat=True))
    assert (
        client_as(member).post(reverse("liaison:attendees", args=[m.pk]), {"attendees": [member.pk]}).status_code == 403
    )
    assert client_as(member).post(reverse("liaison:status", args=[m.pk]), {"to": "cancelled"}).status_code == 403
    m.refresh_from_db()
    assert m.status == "planned" and set(m.attendees.values_list("pk", flat=True)) == before
    assert client_as(liaison).post(reverse("liaison:status", args=[m.pk]), {"to": "cancelled"}).status_code == 302
    assert Meeting.objects.get(pk=m.pk).status == "cancelled"


def test_scheduling_in_the_past_as_planned_is_422(client_as, sync_series, cmo):
    url = reverse("liaison:meeting_create", args=[sync_series.pk])
    data = {"start": "2020-01-01T09:00", "length_minutes": 60, "location": "", "status": "planned"}
    r = client_as(cmo).post(url, data)
    assert r.status_code == 422 and "cannot be “planned”" in r.content.decode()
    assert not Meeting.objects.exists()


def test_start_is_entered_in_the_organisers_time_zone(client_as, sync_series, cmo):
    # the organiser (CMO) is in Europe/Berlin; 10:00 Berlin in March 2030 (CET) is 09:00 UTC
    url = reverse("liaison:meeting_create", args=[sync_series.pk])
    r = client_as(cmo).post(url, {"start": "2030-03-05T10:00", "length_minutes": 60, "status": "planned"})
    assert r.status_code == 302
    assert Meeting.objects.get().start == datetime(2030, 3, 5, 9, 0, tzinfo=UTC)


def _grow(n, series, people):
    start = datetime(2031, 1, 1, 9, tzinfo=UTC) + timedelta(days=7 * Meeting.objects.count())
    for i in range(n):
        m = make_meeting(series, start + timedelta(days=7 * i), attendees=people)
        services.action_item_add(
            meeting=m, by=series.organiser, title=f"A{i}", owner=people[0], due_date=date(2031, 6, 1)
        )


def test_meetings_page_query_count_is_flat(
    client_as, sync_series, standup, cmo, cio, member, django_assert_num_queries
):
    c = client_as(cmo)
    _grow(2, sync_series, [cio, member])
    c.get(reverse("liaison:meetings"))  # warm up the session
    with CaptureQueriesContext(connection) as first:
        assert c.get(reverse("liaison:meetings")).status_code == 200
    _grow(6, standup, [member, cio])
    _grow(4, sync_series, [cio])
    with django_assert_num_queries(len(first)):
        assert c.get(reverse("liaison:meetings")).status_code == 200
    assert len(first) <= 12


def test_liaisons_page_query_count_is_flat(client_as, cmo, cio, django_assert_num_queries):
    def add(n):
        for _ in range(n):
            person = UserFactory(department=Department.IT, role=Role.LIAISON)
            services.assignment_create(
                by=cio, person=person, served_department="marketing", start_date=date(2020, 1, 1), mentor=cmo
            )

    c = client_as(cio)
    add(2)
    c.get(reverse("liaison:liaisons"))
    with CaptureQueriesContext(connection) as first:
        c.get(reverse("liaison:liaisons"))
    add(8)
    with django_assert_num_queries(len(first)):
        assert c.get(reverse("liaison:liaisons")).status_code == 200
    assert len(first) <= 12


def test_series_create_denied_for_members(client_as, member, cmo):
    url = reverse("liaison:series_create")
    data = {"title": "X", "kind": "other", "cadence": "weekly", "organiser": member.pk, "default_length_minutes": 30}
    assert client_as(member).post(url, data).status_code == 403
    assert not MeetingSeries.objects.exists()
    assert client_as(cmo).post(url, data).status_code == 302


def test_lapsed_sync_offers_the_cmo_to_schedule_it(client_as, sync_series, cmo, member):
    make_meeting(sync_series, datetime(2026, 1, 1, 9, tzinfo=UTC), status="held")
    body = client_as(cmo).get(reverse("liaison:meetings")).content.decode()
    assert "The monthly sync has lapsed" in body and "Schedule the next sync" in body
    assert "Schedule the next sync" not in client_as(member).get(reverse("liaison:meetings")).content.decode()


def test_carried_over_action_can_be_closed_from_the_next_agenda(client_as, sync_series, cmo, cio):
    last = make_meeting(sync_series, datetime(2026, 10, 1, 9, tzinfo=UTC), status="held")
    action = services.action_item_add(meeting=last, by=cmo, title="Budget", owner=cio, due_date=date(2026, 10, 20))
    nxt = make_meeting(sync_series, FUTURE)
    body = client_as(cio).get(nxt.get_absolute_url()).content.decode()
    assert "Mark the action done" in body
    r = client_as(cio).post(reverse("liaison:action_done", args=[action.pk]), {"next": nxt.get_absolute_url()})
    assert r.status_code == 302 and r["Location"] == nxt.get_absolute_url()
    action.refresh_from_db()
    assert action.done_at is not None


def test_closing_someone_elses_action_is_denied(client_as, sync_series, cmo, cio, member):
    last = make_meeting(sync_series, datetime(2026, 10, 1, 9, tzinfo=UTC), status="held")
    action = services.action_item_add(meeting=last, by=cmo, title="Budget", owner=cio, due_date=date(2026, 10, 20))
    assert client_as(member).post(reverse("liaison:action_done", args=[action.pk])).status_code == 403
    action.refresh_from_db()
    assert action.done_at is None


def test_checkin_by_the_mentor_denied_for_others_and_422_on_bad_input(client_as, assignment, cmo, member):
    url = reverse("liaison:checkin_add", args=[assignment.pk])
    data = {"date": "2026-10-01", "readiness": "growing", "notes": "Good progress"}
    assert client_as(member).post(url, data).status_code == 403
    assert not assignment.checkins.exists()
    assert client_as(cmo).post(url, {**data, "notes": ""}).status_code == 422
    assert client_as(cmo).post(url, data).status_code == 302
    assert assignment.checkins.get().mentor == cmo


def test_assignment_edit_saves_and_reports_a_stale_version(client_as, assignment, cio, cmo):
    url = reverse("liaison:assignment_edit", args=[assignment.pk])
    data = {
        "served_department": "marketing",
        "mentor": cmo.pk,
        "focus_areas": "Data",
        "start_date": "2026-01-01",
        "end_date": "2027-06-30",
        "version": 1,
    }
    assert client_as(cio).get(url).status_code == 200
    assert client_as(cio).post(url, data).status_code == 302
    r = client_as(cmo).post(url, {**data, "focus_areas": "Stale"})
    assert r.status_code == 409 and "Someone else changed this assignment" in r.content.decode()
    r = client_as(cio).post(url, {**data, "version": 2, "end_date": "2025-01-01"})
    assert r.status_code == 422 and "end date cannot be before" in r.content.decode()
    assignment.refresh_from_db()
    assert (assignment.focus_areas, assignment.version) == ("Data", 2)


def test_mark_held_only_after_the_start(client_as, sync_series, cmo):
    m = make_meeting(sync_series, FUTURE)
    r = client_as(cmo).post(reverse("liaison:status", args=[m.pk]), {"to": "held"})
    assert r.status_code == 422 and "cannot be held before it starts" in r.content.decode()
    assert Meeting.objects.get(pk=m.pk).status == "planned"


def test_schedule_form_suggests_the_next_slot_in_the_organisers_zone(client_as, sync_series, cmo):
    berlin_nine = datetime(2026, 10, 1, 7, 0, tzinfo=UTC)  # 09:00 CEST
    make_meeting(sync_series, berlin_nine, status="held")
    with time_machine.travel(datetime(2026, 11, 2, 9, tzinfo=UTC), tick=False):
        body = client_as(cmo).get(reverse("liaison:meeting_create", args=[sync_series.pk])).content.decode()
    assert 'value="2026-11-26T09:00"' in body  # four-weekly, still 09:00 local after the clocks changed
