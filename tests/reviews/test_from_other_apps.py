"""What the QBR reads from the other apps: the quarter's snags and meetings in its facts, parked snags, and the
QBR in each attendee's private calendar feed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from liaison import services as liaison_services
from liaison.models import Cadence, SeriesKind
from parkinglot import services as snag_services
from reviews import facts
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _section(review, key):
    return next(s["data"] for s in facts.compute(review)["sections"] if s["key"] == key)


def test_facts_count_the_quarters_snags_and_list_those_parked_for_the_qbr(review, member, liaison, cmo):
    in_q = datetime(2026, 10, 15, 9, 0, tzinfo=UTC)
    a = snag_services.snag_create(raised_by=member, title="Tag missing", impact="critical", now=in_q)
    b = snag_services.snag_create(raised_by=member, title="Budget stuck", impact="low", now=in_q)
    snag_services.snag_create(raised_by=member, title="Last quarter", now=datetime(2026, 8, 1, tzinfo=UTC))
    snag_services.snag_transition(snag=a, by=liaison, to="answered", note="Fixed", now=in_q + timedelta(hours=6))
    snag_services.snag_transition(snag=a, by=member, to="resolved", now=in_q + timedelta(hours=8))
    snag_services.snag_transition(snag=b, by=liaison, to="parked", note="Both sponsors", parked_for="qbr", now=in_q)
    data = _section(review, "snags")
    figures = {f["label"]: f["value"] for f in data["figures"]}
    assert figures["Logged"] == 2 and figures["Resolved"] == 1
    assert figures["Median time to first answer"] == "6.0 h"
    assert data["table"]["rows"] == [["Marketing", 2, 0, "0.0"]]  # by department, logged this quarter
    assert data["list"] == [f"Parked for this QBR: {b.code} Budget stuck (Claire Moreau)"]
    assert data["chart"]["data"]["datasets"][0]["data"] == [2]


def test_the_review_page_draws_the_snag_chart_with_its_table(client_as, review, member):
    snag_services.snag_create(raised_by=member, title="Tag missing", now=datetime(2026, 10, 15, 9, 0, tzinfo=UTC))
    page = client_as(member).get("/reviews/2026/q4/").content.decode()
    assert "<canvas data-chart=" in page and "Snags logged and escalated this quarter by department" in page
    assert "chart-4.6.1.umd.min.js" in page


def test_facts_show_projects_and_days_lost_per_goal(review, cmo, cio, member):
    from decimal import Decimal

    from collab.projects.models import ChangeRequest, FeedEntry, Goal, Milestone, Project

    goal = Goal.objects.create(title="Know every customer", marketing_owner=cmo, it_owner=cio)
    project = Project.objects.create(name="CDP", marketing_sponsor=cmo, it_sponsor=cio, goal=goal, status="approved")
    Milestone.objects.create(
        title="On time", project=project, owner=cio, due_date=date(2026, 10, 10), done_on=date(2026, 10, 9)
    )
    Milestone.objects.create(
        title="Late", project=project, owner=cio, due_date=date(2026, 11, 1), done_on=date(2026, 11, 5)
    )
    Milestone.objects.create(title="Missed", project=project, owner=cio, due_date=date(2026, 11, 2))
    Milestone.objects.create(title="Next year", project=project, owner=cio, due_date=date(2027, 2, 2))
    in_q = datetime(2026, 10, 20, 9, 0, tzinfo=UTC)
    FeedEntry.objects.create(kind="rank", project=project, text="CDP 2 → 1", by=cmo, at=in_q)
    ChangeRequest.objects.create(project=project, title="Add events", reason="Needed", created_at=in_q, status="approved",
                                 marketing_decision="approved", it_decision="approved", decided_at=in_q)  # fmt: skip
    snag_services.snag_create(raised_by=member, title="Pixel", project=project, days_lost=Decimal("2"), now=in_q)
    snag_services.snag_create(
        raised_by=member, title="Old", project=project, days_lost=Decimal("9"), now=datetime(2026, 8, 1, tzinfo=UTC)
    )
    figures = {f["label"]: f["value"] for f in _section(review, "projects")["figures"]}
    assert (figures["Milestones due"], figures["Hit on time"], figures["Missed or late"]) == (3, 1, 2)
    assert figures["Ranking changes"] == 1 and figures["Change requests approved"] == 1
    assert _section(review, "goals")["table"]["rows"] == [["Know every customer", 1, "2.0"]]


def test_facts_degrade_gracefully_without_data(review):
    assert _section(review, "snags") == {"empty": "No snags were logged this quarter."}
    assert "empty" in _section(review, "meetings")


def test_facts_count_the_meetings_held(review, cmo, cio):
    series = liaison_services.series_create(
        by=cmo, title="CMO–CIO sync", kind=SeriesKind.CMO_CIO_SYNC, cadence=Cadence.MONTHLY, organiser=cmo,
        default_attendees=[cio], default_length_minutes=60,
    )  # fmt: skip
    for month in (10, 11):
        start = datetime(2026, month, 5, 9, 0, tzinfo=UTC)
        liaison_services.meeting_create(
            by=cmo, series=series, start=start, status="held", now=start + timedelta(hours=2)
        )
    data = _section(review, "meetings")
    assert {"label": "CMO–CIO syncs", "value": 2} in data["figures"]
    assert {"label": "Liaison log entries", "value": 0} in data["figures"]


def test_the_qbr_is_in_each_attendees_calendar_feed(review, cio, outsider):
    feed = liaison_services.calendar_feed_for(user=cio)
    body = Client().get(reverse("liaison:calendar_feed", args=[feed.token])).content
    events = {str(e["uid"]): e for e in Calendar.from_ical(body).walk("VEVENT")}
    qbr = events["qbr-2026-q4@collab"]
    assert qbr.decoded("dtstart") == datetime(2026, 12, 10, 13, 0, tzinfo=UTC)
    other = liaison_services.calendar_feed_for(user=outsider)
    assert b"qbr-2026-q4" not in Client().get(reverse("liaison:calendar_feed", args=[other.token])).content


def test_suggestions_come_from_parked_snags_open_actions_and_projects_and_are_offered_once(
    client_as, review, cmo, cio, member, liaison
):
    from collab.projects.models import Project
    from reviews import selectors, services

    earlier = services.review_create(
        by=cmo, year=2026, quarter=3, scheduled_at=datetime(2026, 9, 10, 13, 0, tzinfo=UTC), length_minutes=60,
        location="", facilitator=liaison, attendees=[cmo],
    )  # fmt: skip
    services.action_item_add(review=earlier, by=cmo, title="Send the data", owner=member, due_date=date(2026, 10, 1))
    snag = snag_services.snag_create(raised_by=member, title="Consent banner")
    snag_services.snag_transition(snag=snag, by=liaison, to="parked", note="QBR", parked_for="qbr")
    Project.objects.create(name="Web", marketing_sponsor=cmo, it_sponsor=cio, status="in_delivery", health="off_track")
    keys = [s["key"] for s in selectors.suggestions(review, member)]
    assert keys[0] == f"snag:{snag.code}" and keys[1].startswith("action:") and keys[2].startswith("project:")
    response = client_as(member).post("/reviews/2026/q4/items/suggested/", {"key": keys[0]})
    assert response.status_code == 302
    item = review.items.get(source=keys[0])
    assert item.title == f"{snag.code}: Consent banner" and item.time_box_minutes == 10
    assert keys[0] not in [s["key"] for s in selectors.suggestions(review, member)]
    again = client_as(member).post("/reviews/2026/q4/items/suggested/", {"key": keys[0]})
    assert again.status_code == 302 and review.items.filter(source=keys[0]).count() == 1
    assert (
        client_as(UserFactory(department="finance"))
        .post("/reviews/2026/q4/items/suggested/", {"key": keys[1]})
        .status_code
        == 403
    )


def test_suggestions_load_into_the_page_and_work_without_javascript(client_as, review, member, liaison):
    snag = snag_services.snag_create(raised_by=member, title="Consent banner")
    snag_services.snag_transition(snag=snag, by=liaison, to="parked", note="QBR", parked_for="qbr")
    page = client_as(member).get("/reviews/2026/q4/").content.decode()
    assert 'hx-get="/reviews/2026/q4/suggestions/"' in page
    fragment = client_as(member).get("/reviews/2026/q4/suggestions/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "Consent banner" in fragment and "Add to the agenda" in fragment
    full = client_as(member).get("/reviews/2026/q4/suggestions/").content.decode()
    assert "<html" in full and "Consent banner" in full
