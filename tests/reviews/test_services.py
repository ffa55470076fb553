from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from reviews import facts, services
from reviews.models import ActionItem, AgendaItem, AgendaItemChange, Review, ReviewStatus, TeamInput

pytestmark = pytest.mark.django_db


def _add(review, by, title="Item", minutes=10, **kw):
    return services.item_add(
        review=review,
        by=by,
        title=title,
        kind="update",
        team="joint",
        presenter=None,
        time_box_minutes=minutes,
        notes="",
        **kw,
    )


def test_creating_a_review_makes_both_team_inputs(review):
    assert review.label == "2026 Q4"
    assert set(TeamInput.objects.filter(review=review).values_list("team", flat=True)) == {"it", "marketing"}
    assert TeamInput.objects.get(review=review, team="it").deadline == datetime(2026, 12, 3, 13, 0, tzinfo=UTC)


def test_one_review_per_quarter(review, cmo, liaison):
    with pytest.raises(ValidationError):
        services.review_create(
            by=cmo,
            year=2026,
            quarter=4,
            scheduled_at=datetime(2026, 12, 11, tzinfo=UTC),
            length_minutes=60,
            location="",
            facilitator=liaison,
            attendees=[],
        )
    assert Review.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(
            year=2026, quarter=4, scheduled_at=datetime(2026, 12, 11, tzinfo=UTC), facilitator=liaison
        )


def test_only_leaders_plan_reviews(member, liaison):
    with pytest.raises(PermissionDenied):
        services.review_create(
            by=member,
            year=2027,
            quarter=1,
            scheduled_at=datetime(2027, 3, 1, tzinfo=UTC),
            length_minutes=60,
            location="",
            facilitator=liaison,
            attendees=[],
        )
    assert not Review.objects.exists()


def test_time_box_must_be_positive(review, member):
    with pytest.raises(ValidationError):
        _add(review, member, minutes=0)
    assert not AgendaItem.objects.exists()


def test_attendees_add_items_outsiders_do_not(review, member, outsider):
    _add(review, member, "From the member")
    with pytest.raises(PermissionDenied):
        _add(review, outsider, "From an outsider")
    assert list(AgendaItem.objects.values_list("title", flat=True)) == ["From the member"]
    assert AgendaItemChange.objects.filter(action="added").count() == 1


def test_locked_agenda_refuses_everyone_the_facilitator_and_executives_included(review, member, liaison, cio):
    _add(review, member)
    services.review_transition(review=review, by=liaison, to=ReviewStatus.COLLECTING_INPUT)
    services.review_transition(review=review, by=liaison, to=ReviewStatus.AGENDA_LOCKED)
    for person in (member, liaison, cio):
        with pytest.raises(PermissionDenied, match="The agenda is locked"):
            _add(review, person, "Late idea")
    assert AgendaItem.objects.count() == 1


def test_transitions_are_ordered_and_only_for_the_facilitator(review, liaison, member):
    with pytest.raises(PermissionDenied):
        services.review_transition(review=review, by=member, to=ReviewStatus.COLLECTING_INPUT)
    with pytest.raises(ValidationError, match="cannot go from"):
        services.review_transition(review=review, by=liaison, to=ReviewStatus.HELD)
    for step in (
        ReviewStatus.COLLECTING_INPUT,
        ReviewStatus.AGENDA_LOCKED,
        ReviewStatus.HELD,
        ReviewStatus.MINUTES_PUBLISHED,
    ):
        if step == ReviewStatus.MINUTES_PUBLISHED:
            services.minutes_update(review=review, by=liaison, summary="Both teams agreed.", version=review.version)
        services.review_transition(review=review, by=liaison, to=step)
    assert review.status == ReviewStatus.MINUTES_PUBLISHED
    assert review.transitions.count() == 4


def test_locking_freezes_the_facts(review, liaison, cmo, cio):
    # the previous quarter's review with one open and one done action item
    last = Review.objects.create(
        year=2026,
        quarter=3,
        scheduled_at=datetime(2026, 9, 10, tzinfo=UTC),
        facilitator=liaison,
        status=ReviewStatus.MINUTES_PUBLISHED,
    )
    ActionItem.objects.create(review=last, title="Share the data model", owner=cmo, due_date=date(2026, 10, 30))
    ActionItem.objects.create(
        review=last,
        title="Publish the roadmap",
        owner=cio,
        due_date=date(2026, 10, 1),
        done_at=datetime(2026, 9, 30, tzinfo=UTC),
    )
    services.review_transition(review=review, by=liaison, to=ReviewStatus.COLLECTING_INPUT)
    services.review_transition(review=review, by=liaison, to=ReviewStatus.AGENDA_LOCKED)
    frozen, is_frozen = facts.for_display(review)
    carried = next(s for s in frozen["sections"] if s["key"] == "carried_over")["data"]
    assert is_frozen
    assert carried["figures"] == [
        {"label": "Action items from QBR 2026 Q3", "value": 2},
        {"label": "Done", "value": 1},
        {"label": "Still open", "value": 1},
    ]
    assert carried["table"]["rows"] == [["Share the data model", "Claire Moreau", "2026-10-30"]]
    # later changes do not touch the frozen pack
    ActionItem.objects.update(done_at=datetime(2026, 12, 1, tzinfo=UTC))
    review.refresh_from_db()
    assert facts.for_display(review)[0] == frozen
    # the live figures did change
    live = facts.compute(review)
    assert next(s for s in live["sections"] if s["key"] == "carried_over")["data"]["figures"][2]["value"] == 0


def test_stale_edit_is_refused_and_nothing_is_overwritten(review, member, cmo):
    item = _add(review, member, "Original")
    services.item_update(item=item, by=cmo, version=1, title="CMO's title")
    with pytest.raises(services.ConflictError) as exc:
        services.item_update(item=item, by=member, version=1, title="Member's title")
    assert exc.value.current.title == "CMO's title"
    item.refresh_from_db()
    assert item.title == "CMO's title" and item.version == 2


def test_reorder_needs_every_item_once(review, member):
    a, b, c = (_add(review, member, t) for t in "ABC")
    services.items_reorder(review=review, by=member, order=[c.pk, a.pk, b.pk])
    assert list(review.items.values_list("title", flat=True)) == ["C", "A", "B"]
    with pytest.raises(ValidationError):
        services.items_reorder(review=review, by=member, order=[c.pk, a.pk])
    services.item_move(item=b, by=member, direction="up")
    assert list(review.items.values_list("title", flat=True)) == ["C", "B", "A"]


def test_input_submission_by_the_right_team(review, member, outsider):
    from tests.factories import UserFactory

    it_engineer = UserFactory(department="it")
    marketing = TeamInput.objects.get(review=review, team="marketing")
    with pytest.raises(PermissionDenied):
        services.input_submit(team_input=marketing, by=it_engineer, text="IT writes for marketing?", version=1)
    with pytest.raises(PermissionDenied):
        services.input_submit(team_input=marketing, by=outsider, text="x", version=1)
    services.input_submit(team_input=marketing, by=member, text="Campaign results are up 12%.", version=1)
    marketing.refresh_from_db()
    assert marketing.submitted_by == member and marketing.text.startswith("Campaign")
    with pytest.raises(services.ConflictError):
        services.input_submit(team_input=marketing, by=member, text="Stale", version=1)


def test_action_items_close_by_owner_or_facilitator(review, cmo, member, outsider):
    action = services.action_item_add(
        review=review, by=cmo, title="Send the data", owner=member, due_date=date(2027, 1, 10)
    )
    with pytest.raises(PermissionDenied):
        services.action_item_done(action=action, by=outsider)
    action.refresh_from_db()
    assert action.done_at is None
    services.action_item_done(action=action, by=member)
    assert action.done_at is not None
