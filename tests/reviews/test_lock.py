"""Locked means locked (issue #23, part 3): after the lock the agenda's items, their order and the facts change
for nobody — the facilitator and the executives included — on the page, through the server and in the admin,
until an explicit unlock whose reason is kept in the history."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import IntegrityError, transaction

from reviews import facts, services
from reviews.models import (
    ActionItem,
    AgendaItem,
    AgendaItemChange,
    FactsSnapshot,
    Review,
    ReviewStatus,
    ReviewTransition,
)

pytestmark = pytest.mark.django_db
URL = "/reviews/2026/q4/"
BEFORE_THE_DEADLINE = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _late_november():
    with time_machine.travel(BEFORE_THE_DEADLINE, tick=False):
        yield


def _add(review, by, title):
    return services.item_add(
        review=review, by=by, title=title, kind="update", team="joint", presenter=None, time_box_minutes=10, notes=""
    )


def _lock(review, by):
    services.review_transition(review=review, by=by, to=ReviewStatus.COLLECTING_INPUT)
    return services.review_transition(review=review, by=by, to=ReviewStatus.AGENDA_LOCKED)


def _agenda():
    return list(AgendaItem.objects.order_by("id").values_list("id", "title", "position", "version", "time_box_minutes"))


@pytest.fixture
def locked(review, member, liaison):
    a, b = _add(review, member, "Campaign results"), _add(review, member, "Platform roadmap")
    _lock(review, liaison)
    review.refresh_from_db()
    return review, a, b


def test_nobody_changes_a_locked_agenda_and_nothing_in_it_changes(client_as, locked, liaison, cmo, cio, member):
    """The CMO reordering the agenda of a locked QBR, the facilitator adding to it: every write is a 403."""
    review, a, b = locked
    before, history = _agenda(), AgendaItemChange.objects.count()
    item = {"title": "Late", "kind": "update", "team": "joint", "time_box_minutes": "5", "notes": ""}
    for person in (liaison, cmo, cio, member):
        client = client_as(person)
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            assert client.post(URL + "items/add/", item, **headers).status_code == 403
            assert client.post(URL + "items/reorder/", {"order": [b.pk, a.pk]}, **headers).status_code == 403
            assert client.post(URL + f"items/{b.pk}/move/", {"direction": "up"}, **headers).status_code == 403
            assert client.post(URL + f"items/{a.pk}/delete/", **headers).status_code == 403
            edited = client.post(URL + f"items/{a.pk}/edit/", {**item, "version": "1"}, **headers)
            assert edited.status_code == 403
        assert client.get(URL + f"items/{a.pk}/edit/").status_code == 403
    assert _agenda() == before and AgendaItemChange.objects.count() == history


def test_the_locked_page_offers_no_agenda_control_to_anyone(client_as, locked, liaison, cmo, member):
    review, a, _ = locked
    for person in (liaison, cmo, member):
        page = client_as(person).get(URL).content.decode()
        assert "The agenda is locked." in page
        for control in ("data-sortable", "Move up", "Move down", f"items/{a.pk}/edit/", "Add an agenda item",
                        f"items/{a.pk}/delete/", "Submit Marketing input", "Suggested for the agenda"):  # fmt: skip
            assert control not in page, (person.username, control)
    assert "Unlock the agenda" in client_as(liaison).get(URL).content.decode()  # the facilitator
    assert "Unlock the agenda" in client_as(cmo).get(URL).content.decode()  # an executive
    assert "Unlock the agenda" not in client_as(member).get(URL).content.decode()


def test_a_lock_that_lands_between_the_check_and_the_write_still_refuses(review, member, liaison):
    """The service re-reads the review's status under a row lock inside its transaction."""
    item = _add(review, member, "Campaign results")
    stale = Review.objects.get(pk=review.pk)  # read before the lock, as a request in flight would have
    _lock(review, liaison)
    with pytest.raises(services.PermissionDenied):
        services.items_reorder(review=stale, by=member, order=[item.pk])
    with pytest.raises(services.PermissionDenied):
        _add(stale, member, "Sneaked in")
    assert list(AgendaItem.objects.values_list("title", flat=True)) == ["Campaign results"]


def test_unlocking_needs_a_reason_and_the_reason_is_in_the_history(client_as, locked, liaison):
    review, a, b = locked
    client = client_as(liaison)
    transitions = ReviewTransition.objects.count()
    for data in ({"to": "collecting_input"}, {"to": "collecting_input", "reason": "   "}):
        refused = client.post(URL + "status/", data)
        assert refused.status_code == 422
        assert "Say why the agenda is unlocked" in refused.content.decode()
    long = client.post(URL + "status/", {"to": "collecting_input", "reason": "\u2603" * 100_000})
    assert long.status_code == 422 and "at most 1000 characters" in long.content.decode()
    review.refresh_from_db()
    assert review.status == ReviewStatus.AGENDA_LOCKED and ReviewTransition.objects.count() == transitions
    assert FactsSnapshot.objects.filter(review=review).exists()

    done = client.post(URL + "status/", {"to": "collecting_input", "reason": "The CRM figures were restated."})
    assert done.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.COLLECTING_INPUT
    unlock = review.transitions.last()
    assert (unlock.from_status, unlock.to_status, unlock.reason, unlock.by) == (
        "agenda_locked", "collecting_input", "The CRM figures were restated.", liaison,
    )  # fmt: skip
    page = client.get(URL).content.decode()
    assert "unlocked “Agenda”" in page and "The CRM figures were restated." in page  # the history anyone reads
    assert "Move up" in page  # the agenda is open again
    services.items_reorder(review=review, by=liaison, order=[b.pk, a.pk])
    assert not FactsSnapshot.objects.filter(review=review).exists()  # the next lock freezes them again


def test_who_may_not_unlock_is_refused_and_nothing_changes(client_as, locked, member, outsider):
    review, *_ = locked
    for person in (member, outsider):
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            response = client_as(person).post(URL + "status/", {"to": "collecting_input", "reason": "Mine"}, **headers)
            assert response.status_code == 403
    review.refresh_from_db()
    assert review.status == ReviewStatus.AGENDA_LOCKED and review.transitions.count() == 2


def test_the_database_refuses_an_unlock_without_a_reason(locked, liaison):
    review, *_ = locked
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewTransition.objects.create(review=review, from_status="agenda_locked", to_status="collecting_input")


def test_the_facts_shown_stay_frozen_while_locked(client_as, review, liaison, cmo, member):
    last = Review.objects.create(
        year=2026, quarter=3, scheduled_at=datetime(2026, 9, 10, tzinfo=UTC), facilitator=liaison,
        status=ReviewStatus.MINUTES_PUBLISHED,
    )  # fmt: skip
    ActionItem.objects.create(review=last, title="Share the data model", owner=cmo, due_date=date(2026, 10, 30))
    _lock(review, liaison)
    frozen = FactsSnapshot.objects.get(review=review).data
    ActionItem.objects.update(done_at=datetime(2026, 11, 24, tzinfo=UTC))  # the live figure would now say 0 open
    page = client_as(member).get(URL).content.decode()
    assert "Frozen when the agenda was locked" in page and "Share the data model" in page
    services.review_transition(review=review, by=liaison, to=ReviewStatus.HELD)
    review.refresh_from_db()
    assert FactsSnapshot.objects.get(review=review).data == frozen == facts.for_display(review)[0]


def test_the_admin_shows_a_locked_review_read_only(client_as, locked, admin_user):
    review, a, _ = locked
    client = client_as(admin_user)
    before = _agenda()
    response = client.post(
        f"/admin/reviews/agendaitem/{a.pk}/change/",
        {"review": review.pk, "title": "Admin's edit", "kind": "update", "team": "joint", "time_box_minutes": 10,
         "position": 1, "version": 1},
    )  # fmt: skip
    assert response.status_code == 403
    assert client.post(f"/admin/reviews/agendaitem/{a.pk}/delete/", {"post": "yes"}).status_code == 403
    page = client.get(f"/admin/reviews/review/{review.pk}/change/").content.decode()
    assert 'name="items-0-title"' not in page  # the inline agenda is read only
    assert _agenda() == before
