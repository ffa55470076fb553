from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from icalendar import Calendar

from reviews import services
from reviews.models import AgendaItem, Review, ReviewStatus

pytestmark = pytest.mark.django_db
URL = "/reviews/2026/q4/"


def _add(review, by, title="Item", minutes=10):
    return services.item_add(
        review=review,
        by=by,
        title=title,
        kind="update",
        team="joint",
        presenter=None,
        time_box_minutes=minutes,
        notes="",
    )


def _snapshot():
    return list(AgendaItem.objects.order_by("id").values_list("id", "title", "position", "version", "time_box_minutes"))


def test_list_and_detail_pages(client_as, review, member):
    _add(review, member, "Campaign results")
    page = client_as(member).get("/reviews/")
    assert (
        page.status_code == 200
        and "QBR 2026 Q4" in page.content.decode()
        and "0 of 2 submitted" in page.content.decode()
    )
    detail = client_as(member).get(URL).content.decode()
    assert "Campaign results" in detail and "10 of 60 minutes planned." in detail


def test_add_item_without_js_and_with_htmx(client_as, review, member):
    client = client_as(member)
    data = {
        "title": "Lead scoring rollout",
        "kind": "update",
        "team": "marketing",
        "time_box_minutes": "15",
        "notes": "",
    }
    response = client.post(URL + "items/add/", data)
    assert response.status_code == 302
    response = client.post(URL + "items/add/", {**data, "title": "Second"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "Second" in html and "<html" not in html
    assert list(review.items.values_list("title", flat=True)) == ["Lead scoring rollout", "Second"]


def test_bad_item_gets_422_and_nothing_saved(client_as, review, member):
    response = client_as(member).post(
        URL + "items/add/",
        {"title": "", "kind": "update", "team": "joint", "time_box_minutes": "0"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "This field is required." in html and "at least one minute" in html.replace(
        "Ensure this value is greater than or equal to 1", "at least one minute"
    )
    assert not AgendaItem.objects.exists()


def test_over_time_warning(client_as, review, member):
    _add(review, member, "Long one", 50)
    _add(review, member, "Another", 20)
    html = client_as(member).get(URL).content.decode()
    assert "The time boxes exceed the meeting by 10 minutes" in html


def test_outsider_cannot_add_and_nothing_changes(client_as, review, member, outsider):
    _add(review, member)
    before = _snapshot()
    response = client_as(outsider).post(
        URL + "items/add/", {"title": "x", "kind": "update", "team": "joint", "time_box_minutes": "5"}
    )
    assert response.status_code == 403
    item = AgendaItem.objects.get()
    assert client_as(outsider).post(URL + f"items/{item.pk}/delete/").status_code == 403
    assert client_as(outsider).post(URL + "items/reorder/", {"order": [item.pk]}).status_code == 403
    assert _snapshot() == before


def test_member_cannot_lock_and_nothing_changes(client_as, review, member):
    assert client_as(member).post(URL + "status/", {"to": "collecting_input"}).status_code == 403
    review.refresh_from_db()
    assert review.status == ReviewStatus.PLANNING


def test_facilitator_locks_via_the_page(client_as, review, liaison):
    client = client_as(liaison)
    client.post(URL + "status/", {"to": "collecting_input"})
    response = client.post(URL + "status/", {"to": "agenda_locked"}, follow=True)
    assert "Agenda locked" in response.content.decode()
    assert hasattr(Review.objects.get(pk=review.pk), "snapshot")
    bad = client.post(URL + "status/", {"to": "planning"})
    assert bad.status_code == 422


def test_conflicting_edit_shows_the_other_version(client_as, review, member, cmo):
    item = _add(review, member, "Original")
    form = {"title": "Mine", "kind": "update", "team": "joint", "time_box_minutes": "10", "notes": "", "version": "1"}
    assert client_as(cmo).post(URL + f"items/{item.pk}/edit/", {**form, "title": "CMO's"}).status_code == 302
    response = client_as(member).post(URL + f"items/{item.pk}/edit/", form)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this item" in html and "CMO&#x27;s" in html
    item.refresh_from_db()
    assert item.title == "CMO's"


def test_reorder_by_drag_and_drop_and_by_buttons(client_as, review, member):
    a, b = _add(review, member, "A"), _add(review, member, "B")
    client = client_as(member)
    response = client.post(URL + "items/reorder/", {"order": [b.pk, a.pk]}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert list(review.items.values_list("title", flat=True)) == ["B", "A"]
    client.post(URL + f"items/{a.pk}/move/", {"direction": "up"})
    assert list(review.items.values_list("title", flat=True)) == ["A", "B"]
    stale = client.post(URL + "items/reorder/", {"order": [b.pk]}, HTTP_HX_REQUEST="true")
    assert stale.status_code == 422 and "The agenda changed meanwhile" in stale.content.decode()


def test_exports(client_as, review, member):
    _add(review, member, "Lead scoring rollout")
    client = client_as(member)
    md = client.get(URL + "export.md")
    assert md["Content-Type"].startswith("text/markdown")
    assert (
        "# Quarterly business review 2026 Q4" in md.content.decode() and "Lead scoring rollout" in md.content.decode()
    )
    ics = client.get(URL + "invite.ics")
    event = next(c for c in Calendar.from_ical(ics.content).walk("VEVENT"))
    assert event.decoded("dtstart") == datetime(2026, 12, 10, 13, 0, tzinfo=UTC)
    assert "Lead scoring rollout" in str(event.get("description"))
    page = client.get(URL + "print/")
    assert page.status_code == 200 and "Lead scoring rollout" in page.content.decode()


def test_pdf_export_is_a_pdf_with_the_agenda(client_as, review, member):
    pytest.importorskip("weasyprint", reason="WeasyPrint is an optional extra")
    _add(review, member, "Lead scoring rollout")
    response = client_as(member).get(URL + "export.pdf")
    if response.status_code == 503:
        pytest.skip("Pango is not installed on this machine")
    assert response.content.startswith(b"%PDF")
    import io

    from pypdf import PdfReader  # noqa: PLC0415

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Lead scoring rollout" in text


def test_create_review_form(client_as, cmo, liaison, member):
    response = client_as(cmo).post(
        "/reviews/new/",
        {
            "year": "2027",
            "quarter": "1",
            "scheduled_at": "2027-03-10T13:00",
            "length_minutes": "90",
            "location": "Room",
            "facilitator": liaison.pk,
            "attendees": [member.pk],
        },
    )
    assert response.status_code == 302
    assert Review.objects.get().label == "2027 Q1"
    again = client_as(cmo).post(
        "/reviews/new/",
        {
            "year": "2027",
            "quarter": "1",
            "scheduled_at": "2027-03-11T13:00",
            "length_minutes": "90",
            "facilitator": liaison.pk,
        },
    )
    assert again.status_code == 422 and "already a review for this quarter" in again.content.decode()
    assert client_as(member).get("/reviews/new/").status_code == 403


def test_review_page_query_count_is_flat(client_as, review, member, cmo, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_as(member)
    client.get(URL)
    _add(review, member, "One")
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for i in range(15):
        _add(review, member, f"More {i}")
        services.action_item_add(review=review, by=cmo, title=f"Act {i}", owner=member, due_date=date(2027, 1, 1))
    with CaptureQueriesContext(connection) as many:
        client.get(URL)
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(few.captured_queries) <= 25


def _lock(review, liaison):
    services.review_transition(review=review, by=liaison, to="collecting_input")
    return services.review_transition(review=review, by=liaison, to="agenda_locked")


def test_an_attendee_records_a_decision_on_a_locked_agenda_as_the_page_offers(client_as, review, liaison, member):
    """Decisions are taken at the meeting, which comes after the lock: the page offered the form and the
    server answered 403 (it asked whether the member may still propose agenda items)."""
    _lock(review, liaison)
    client = client_as(member)
    page = client.get(URL).content.decode()
    assert "Record the decision" in page and "Add the action item" in page
    assert "Add an agenda item" not in page  # the agenda itself is frozen
    response = client.post(URL + "decisions/add/", {"text": "Ship the CRM in Q1"})
    assert response.status_code == 302
    assert review.decisions.get().text == "Ship the CRM in Q1"
    assert review.decisions.get().recorded_by == member


def test_who_may_not_record_a_decision_is_not_offered_it_and_is_refused(client_as, review, liaison, outsider):
    _lock(review, liaison)
    client = client_as(outsider)
    page = client.get(URL).content.decode()
    assert "Record the decision" not in page and "Add the action item" not in page
    assert client.post(URL + "decisions/add/", {"text": "Mine"}).status_code == 403
    assert client.post(URL + "decisions/add/", {"text": ""}).status_code == 403  # refused before the form speaks
    assert not review.decisions.exists()


def test_mark_done_is_offered_exactly_to_who_may_close_the_action(client_as, review, cio, member, outsider):
    action = services.action_item_add(review=review, by=cio, title="Send the figures", owner=member,
                                      due_date=date(2027, 1, 10))  # fmt: skip
    assert "Mark done" not in client_as(outsider).get(URL).content.decode()
    assert client_as(outsider).post(URL + f"actions/{action.pk}/done/").status_code == 403
    action.refresh_from_db()
    assert action.done_at is None
    assert "Mark done" in client_as(member).get(URL).content.decode()
    assert client_as(member).post(URL + f"actions/{action.pk}/done/").status_code == 302
    action.refresh_from_db()
    assert action.done_at is not None
