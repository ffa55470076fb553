"""Published minutes are final (issue #23, part 3): the summary is written from the lock until publication, the
decisions and action items are recorded under one rule until then, and afterwards a correction is a dated
addendum below the minutes."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

from reviews import services
from reviews.models import ActionItem, Decision, MinutesAddendum, Review, ReviewStatus

pytestmark = pytest.mark.django_db
URL = "/reviews/2026/q4/"
AT_THE_MEETING = datetime(2026, 12, 10, 15, 0, tzinfo=UTC)
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _meeting_day():
    with time_machine.travel(AT_THE_MEETING, tick=False):
        yield


def _to(review, by, *steps):
    for step in steps:
        services.review_transition(review=review, by=by, to=step)
    review.refresh_from_db()
    return review


@pytest.fixture
def held(review, liaison):
    return _to(review, liaison, "collecting_input", "agenda_locked", "held")


@pytest.fixture
def published(held, liaison):
    services.minutes_update(review=held, by=liaison, summary="Both teams agreed the **Q1** priorities.",
                            version=held.version)  # fmt: skip
    services.decision_add(review=held, by=liaison, text="Keep the replatform first.")
    return _to(held, liaison, "minutes_published")


def _outcomes():
    return (
        list(Decision.objects.values_list("id", "text")),
        list(ActionItem.objects.values_list("id", "title", "done_at")),
        list(MinutesAddendum.objects.values_list("id", "text")),
        list(Review.objects.values_list("summary", "status", "version")),
    )


def test_the_facilitator_writes_the_minutes_without_js_and_with_htmx(client_as, held, liaison):
    client = client_as(liaison)
    page = client.get(URL).content.decode()
    assert "Save the minutes" in page and 'id="minutes-body"' in page
    saved = client.post(URL + "minutes/", {"summary": "First draft", "version": held.version})
    assert saved.status_code == 302 and saved["Location"].endswith("#minutes")
    held.refresh_from_db()
    fragment = client.post(URL + "minutes/", {"summary": "Agreed: *ship* the CRM.", "version": held.version}, **HX)
    html = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in html and 'id="minutes-body"' in html
    assert "<em>ship</em>" in html and "The minutes are saved." in html  # announced in the aria-live status
    held.refresh_from_db()
    assert held.summary == "Agreed: *ship* the CRM." and "<em>ship</em>" in held.summary_html


def test_bad_or_stale_minutes_are_refused_with_a_message_and_nothing_saved(client_as, held, liaison, cmo):
    read = held.version  # the liaison opened the page on this version; then the CMO saved
    services.minutes_update(review=held, by=cmo, summary="The CMO's summary", version=read)
    client = client_as(liaison)
    empty = client.post(URL + "minutes/", {"summary": "", "version": held.version}, **HX)
    assert empty.status_code == 422 and "Write the minutes&#x27; summary." in empty.content.decode()
    huge = client.post(URL + "minutes/", {"summary": "x" * 100_000, "version": held.version})
    assert huge.status_code == 422 and "at most 10000 characters" in huge.content.decode()
    stale = client.post(URL + "minutes/", {"summary": "Mine, on the old version", "version": read})
    assert stale.status_code == 409
    html = stale.content.decode()
    assert "Someone else changed the minutes" in html and "<p>The CMO's summary</p>" in html  # theirs, shown
    assert "Mine, on the old version" in html  # still in the form
    assert Review.objects.get().summary == "The CMO's summary"


def test_minutes_cannot_be_published_empty(client_as, held, liaison):
    response = client_as(liaison).post(URL + "status/", {"to": "minutes_published"})
    assert response.status_code == 422 and "summary before publishing" in response.content.decode()
    assert Review.objects.get().status == ReviewStatus.HELD


def test_published_minutes_are_final_on_the_page_and_on_the_server(client_as, published, liaison, cmo, member):
    before = _outcomes()
    for person in (liaison, cmo, member):
        client = client_as(person)
        page = client.get(URL).content.decode()
        assert "The minutes are published and final." in page
        for control in ("Save the minutes", "Record the decision", "Add the action item"):
            assert control not in page, (person.username, control)
        for headers in ({}, HX):
            assert client.post(URL + "minutes/", {"summary": "Rewritten", "version": published.version},
                               **headers).status_code == 403  # fmt: skip
            assert client.post(URL + "decisions/add/", {"text": "Another"}, **headers).status_code == 403
            action = {"title": "A", "owner": member.pk, "due_date": "2027-01-01"}
            assert client.post(URL + "actions/add/", action, **headers).status_code == 403
    assert _outcomes() == before
    with pytest.raises(services.PermissionDenied, match="published and final"):
        services.decision_add(review=published, by=liaison, text="Through the service")


def test_a_correction_is_a_dated_addendum_below_the_minutes(client_as, published, liaison, cmo, member):
    assert "Add a dated correction" not in client_as(member).get(URL).content.decode()
    for headers in ({}, HX):
        assert client_as(member).post(URL + "minutes/corrections/", {"text": "Mine"}, **headers).status_code == 403
    assert not MinutesAddendum.objects.exists()
    client = client_as(liaison)
    assert "Add a dated correction" in client.get(URL).content.decode()
    no_js = client.post(URL + "minutes/corrections/", {"text": "The liaison joins *fortnightly*."})
    assert no_js.status_code == 302 and no_js["Location"].endswith("#minutes")
    with time_machine.travel(datetime(2026, 12, 14, 9, 30, tzinfo=UTC), tick=False):
        fragment = client_as(cmo).post(URL + "minutes/corrections/", {"text": "Budget is 40k, not 45k."}, **HX)
    html = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in html
    assert "Addendum of" in html and "14 Dec 2026" in html and "Budget is 40k, not 45k." in html
    assert [a.by for a in MinutesAddendum.objects.all()] == [liaison, cmo]
    published.refresh_from_db()
    assert published.summary == "Both teams agreed the **Q1** priorities."  # the minutes themselves never change
    md = client.get(URL + "export.md").content.decode()
    assert "## Minutes (published, final)" in md and "### Addendum of 14 Dec 2026" in md
    assert "Budget is 40k, not 45k." in client.get(URL + "print/").content.decode()


def test_a_bad_correction_gets_a_message_and_nothing_is_saved(client_as, published, liaison):
    client = client_as(liaison)
    empty = client.post(URL + "minutes/corrections/", {"text": "  "}, **HX)
    assert empty.status_code == 422 and "Write the correction." in empty.content.decode()
    huge = client.post(URL + "minutes/corrections/", {"text": "\u0663" * 100_000})
    assert huge.status_code == 422 and "at most 10000 characters" in huge.content.decode()
    assert not MinutesAddendum.objects.exists()


def test_an_action_item_of_published_minutes_is_still_closed_by_its_owner(client_as, published, liaison, member):
    action = ActionItem.objects.create(review=published, title="Send the figures", owner=member,
                                       due_date=date(2027, 1, 10))  # fmt: skip
    assert client_as(member).post(URL + f"actions/{action.pk}/done/").status_code == 302
    action.refresh_from_db()
    assert action.done_at is not None


@pytest.mark.parametrize("status", ["planning", "collecting_input", "agenda_locked", "held", "minutes_published"])
def test_one_rule_for_decisions_and_action_items_before_and_after_the_lock(client_as, review, liaison, member,
                                                                             outsider, status):  # fmt: skip
    """Attendees, the facilitator and the executives record them in every status until the minutes are
    published; the page offers the forms exactly when the server takes them."""
    Review.objects.filter(pk=review.pk).update(status=status, summary="Done")
    allowed = status != "minutes_published"
    for person, may in ((member, allowed), (liaison, allowed), (outsider, False)):
        client = client_as(person)
        page = client.get(URL).content.decode()
        assert ("Record the decision" in page) == may and ("Add the action item" in page) == may
        decided = client.post(URL + "decisions/add/", {"text": f"By {person.username}"})
        acted = client.post(URL + "actions/add/", {"title": f"By {person.username}", "owner": member.pk,
                                                   "due_date": "2027-01-10"})  # fmt: skip
        assert (decided.status_code, acted.status_code) == ((302, 302) if may else (403, 403))
    expected = ["By member", "By liaison"] if allowed else []
    assert list(Decision.objects.values_list("text", flat=True)) == expected
    assert list(ActionItem.objects.values_list("title", flat=True)) == expected


def test_the_published_page_query_count_stays_flat_with_many_addenda(client_as, published, liaison, member):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_as(member)
    services.addendum_add(review=published, by=liaison, text="One")
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for i in range(15):
        services.addendum_add(review=published, by=liaison, text=f"Correction {i}")
    with CaptureQueriesContext(connection) as many:
        client.get(URL)
    assert len(many.captured_queries) == len(few.captured_queries)
